from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "sanqu.workbench"
    label = "workbench"
