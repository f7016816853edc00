from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "sanqu.training"
    label = "training"
