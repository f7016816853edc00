from django.urls import path

from sanqu.ledgers import export_views, import_views

urlpatterns = [
    *export_views.urlpatterns,
    path("imports/", import_views.log, name="ledger_imports"),
    path("imports/upload/", import_views.upload, name="ledger_import_upload"),
    path("imports/<int:pk>/", import_views.detail, name="ledger_import"),
    path("imports/<int:pk>/progress/", import_views.progress, name="ledger_import_progress"),
    path("imports/<int:pk>/commit/", import_views.commit, name="ledger_import_commit"),
    path("imports/<int:pk>/errors/", import_views.errors_file, name="ledger_import_errors"),
]
