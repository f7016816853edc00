"""The drill-down: the records behind a figure (`figure_records`, see sanqu.figures.drill_views)."""

from django.urls import path

from sanqu.figures import drill_views

urlpatterns = [
    path("", drill_views.figure_records, name="figure_records"),
]
