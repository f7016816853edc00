from django.urls import path

from sanqu.figures import dashboard_views as views

urlpatterns = [
    path("", views.dashboard, name="figures_dashboard"),
    path("map/<str:province>.geojson", views.county_map, name="figures_county_map"),
]
