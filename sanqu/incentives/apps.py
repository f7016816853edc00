from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "sanqu.incentives"
    label = "incentives"
