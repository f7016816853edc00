"""Placeholder: filled in by the dashboard part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
