from django.urls import include, path

from sanqu.projects import views

urlpatterns = [
    path("", include("sanqu.projects.project_urls")),
    path("reports/", include("sanqu.projects.report_urls")),
    path("visits/", include("sanqu.projects.visit_urls")),
    path("evaluations/", include("sanqu.projects.evaluation_urls")),
    path("", include("sanqu.projects.desk_urls")),
    path("livelihood/", views.livelihood_list, name="livelihood_projects"),
    path("livelihood/new/", views.livelihood_create, name="livelihood_create"),
    path("livelihood/<int:pk>/", views.livelihood_detail, name="livelihood_detail"),
    path("livelihood/<int:pk>/edit/", views.livelihood_edit, name="livelihood_edit"),
    path("livelihood/<int:pk>/measures/", views.livelihood_measure_create, name="livelihood_measure_create"),
]
