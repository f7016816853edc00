from django.urls import path

from sanqu.bulletins import public_views

app_name = "bulletins_public"

urlpatterns = [
    path("", public_views.archive, name="archive"),
    path("<int:pk>/", public_views.bulletin, name="bulletin"),
    path("<int:pk>/pdf/", public_views.bulletin_pdf, name="pdf"),
]
