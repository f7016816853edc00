from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sanqu.api"
    label = "api"
