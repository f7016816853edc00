from django.urls import path

from sanqu.figures import snapshot_views as views

urlpatterns = [
    path("", views.snapshot_list, name="snapshots"),
    path("new/", views.snapshot_create, name="snapshot_create"),
    path("<int:pk>/", views.snapshot_detail, name="snapshot_detail"),
    path("<int:pk>/comparison/", views.snapshot_comparison, name="snapshot_comparison"),
    path("<int:pk>/changes/<slug:table>/<slug:bucket>/", views.snapshot_changes, name="snapshot_changes"),
]
