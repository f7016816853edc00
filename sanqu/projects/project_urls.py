"""County projects: the list, the project page, the agreement's form, the plan and the milestones."""

from django.urls import path

from sanqu.projects import project_views as views

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("new/", views.project_create, name="project_create"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<int:pk>/plan/", views.project_plan, name="project_plan"),
    path("<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("<int:pk>/milestones/<int:milestone_id>/edit/", views.milestone_edit, name="milestone_edit"),
    path("<int:pk>/milestones/<int:milestone_id>/done/", views.milestone_done, name="milestone_done"),
    path("<int:pk>/milestones/<int:milestone_id>/delete/", views.milestone_delete, name="milestone_delete"),
]
