from django.urls import path

from sanqu.volunteers import views

urlpatterns = [
    path("", views.volunteer_list, name="volunteers"),
    path("new/", views.volunteer_create, name="volunteer_create"),
    path("<int:pk>/", views.volunteer_detail, name="volunteer_detail"),
    path("<int:pk>/edit/", views.volunteer_edit, name="volunteer_edit"),
    path("<int:pk>/hours/", views.service_create, name="volunteer_service_create"),
    path("<int:pk>/training/", views.training_create, name="volunteer_training_create"),
    path("<int:pk>/commendations/", views.commendation_create, name="volunteer_commendation_create"),
    path("<int:pk>/certificates/new/", views.certificate_create, name="volunteer_certificate_create"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="volunteer_certificate_pdf"),
]
