from django.urls import path

from sanqu.accounts import password_views, two_factor_views, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("me/", password_views.me, name="account"),
    path("password/", password_views.change_password, name="password_change"),
    path("two-factor/", two_factor_views.verify, name="two_factor_verify"),
    path("two-factor/setup/", two_factor_views.setup, name="two_factor_setup"),
]
