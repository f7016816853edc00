from django.urls import path

from sanqu.workforce import views

urlpatterns = [
    path("", views.people_list, name="people"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/unmask/", views.person_unmask, name="person_unmask"),
]
