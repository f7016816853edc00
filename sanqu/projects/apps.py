from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "sanqu.projects"
    label = "projects"
