"""Evaluation pages under /projects/evaluations/."""

from django.urls import path

from sanqu.projects import evaluation_views as views

urlpatterns = [
    path("", views.evaluation_list, name="evaluation_list"),
    path("new/", views.evaluation_create, name="evaluation_create"),
    path("<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("<int:pk>/edit/", views.evaluation_edit, name="evaluation_edit"),
    path("<int:pk>/scores/", views.evaluation_score, name="evaluation_score"),
    path("<int:pk>/submit/", views.evaluation_submit, name="evaluation_submit"),
    path("<int:pk>/evidence/<int:score_id>/", views.evaluation_evidence, name="evaluation_evidence"),
]
