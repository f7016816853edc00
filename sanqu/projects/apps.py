from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "sanqu.projects"
    label = "projects"

    def ready(self) -> None:
        from sanqu.projects import served

        served.connect()
