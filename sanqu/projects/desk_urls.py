from django.urls import path

from sanqu.projects import desk_views

urlpatterns = [
    path("desk/", desk_views.desk, name="project_desk"),
    path("programme/", desk_views.programme, name="programme_overview"),
]
