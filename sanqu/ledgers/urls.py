from sanqu.ledgers import export_views

urlpatterns = [
    *export_views.urlpatterns,
]
