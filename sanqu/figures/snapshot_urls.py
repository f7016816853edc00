"""Placeholder: filled in by the snapshot part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
