from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "sanqu.orgs"
    label = "orgs"
