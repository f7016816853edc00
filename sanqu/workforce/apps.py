from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "sanqu.workforce"
    label = "workforce"
