from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "sanqu.demo"
    label = "demo"
