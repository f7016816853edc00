from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "sanqu.regions"
    label = "regions"
