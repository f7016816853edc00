from django.urls import include, path

urlpatterns = [
    path("records/", include("sanqu.figures.drill_urls")),
    path("snapshots/", include("sanqu.figures.snapshot_urls")),
    path("reports/", include("sanqu.figures.report_urls")),
    path("", include("sanqu.figures.dashboard_urls")),
]
