from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "sanqu.cases"
    label = "cases"
