"""Placeholder: filled in by the desk part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
