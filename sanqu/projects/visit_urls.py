"""Monitoring visits (督查/走访) and their follow-up actions, under /projects/visits/."""

from django.urls import path

from sanqu.projects import visit_views as views

urlpatterns = [
    path("", views.visit_list, name="visit_list"),
    path("new/", views.visit_create, name="visit_create"),
    path("<int:pk>/", views.visit_detail, name="visit_detail"),
    path("<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("<int:pk>/record/", views.visit_record, name="visit_record"),
    path("<int:pk>/actions/", views.action_create, name="visit_action_create"),
    path("actions/", views.my_actions, name="my_actions"),
    path("actions/<int:pk>/close/", views.action_close, name="visit_action_close"),
    path("actions/<int:pk>/reopen/", views.action_reopen, name="visit_action_reopen"),
    path("actions/<int:pk>/evidence/", views.action_evidence, name="visit_action_evidence"),
]
