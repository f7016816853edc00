"""Periodic reports (月报/季报), under /projects/reports/."""

from django.urls import path

from sanqu.projects import report_views

urlpatterns = [
    path("", report_views.report_list, name="report_list"),
    path("<int:pk>/", report_views.report_detail, name="report_detail"),
    path("<int:pk>/edit/", report_views.report_edit, name="report_edit"),
    path("<int:pk>/submit/", report_views.report_submit_view, name="report_submit"),
    path("<int:pk>/return/", report_views.report_return_view, name="report_return"),
    path("<int:pk>/accept/", report_views.report_accept_view, name="report_accept"),
    path("project/<int:project_pk>/start/", report_views.report_start_view, name="report_start"),
    path("project/<int:project_pk>/panel/", report_views.report_project_panel, name="report_project_panel"),
]
