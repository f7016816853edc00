from django.urls import path

from sanqu.workforce import dispatch_views as views

urlpatterns = [
    path("", views.dispatch_list, name="dispatch_list"),
    path("new/", views.dispatch_create, name="dispatch_create"),
    path("retention/", views.dispatch_retention, name="dispatch_retention"),
    path("<int:pk>/", views.dispatch_detail, name="dispatch_detail"),
    path("<int:pk>/end/", views.dispatch_end, name="dispatch_end"),
    path("<int:pk>/assess/", views.dispatch_assess, name="dispatch_assess"),
    path("<int:pk>/renew/", views.dispatch_renew, name="dispatch_renew"),
]
