from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "sanqu.figures"
    label = "figures"
