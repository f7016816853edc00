"""Placeholder: filled in by the project part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
