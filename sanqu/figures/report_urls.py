from django.urls import path

from sanqu.figures import report_views as views

urlpatterns = [
    path("", views.report_list, name="results_reports"),
    path("<int:pk>/", views.report_detail, name="results_report_detail"),
    path("<int:pk>/status/", views.report_status, name="results_report_status"),
    path("<int:pk>/file/", views.report_file, name="results_report_file"),
    path("<int:pk>/publish/", views.report_publish, name="results_report_publish"),
]
