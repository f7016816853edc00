from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sanqu.accounts"
    label = "accounts"
