from django.urls import path

from sanqu.figures import report_views as views

urlpatterns = [
    path("", views.report_list, name="reports"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/status/", views.report_status, name="report_status"),
    path("<int:pk>/file/", views.report_file, name="report_file"),
    path("<int:pk>/publish/", views.report_publish, name="report_publish"),
]
