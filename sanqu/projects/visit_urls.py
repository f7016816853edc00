"""Placeholder: filled in by the visit part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
