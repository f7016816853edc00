from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CasesConfig(AppConfig):
    name = "sanqu.cases"
    label = "cases"

    def ready(self) -> None:
        from sanqu.cases import partitions, rollups

        rollups.connect()
        # On PostgreSQL, every migrate adds the service records' partitions of the years ahead.
        post_migrate.connect(partitions.on_post_migrate, sender=self)
