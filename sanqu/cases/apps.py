from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "sanqu.cases"
    label = "cases"

    def ready(self) -> None:
        from sanqu.cases import rollups

        rollups.connect()
