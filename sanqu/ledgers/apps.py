from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "sanqu.ledgers"
    label = "ledgers"
    verbose_name = "台账"
