from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "sanqu.volunteers"
    label = "volunteers"
