"""Placeholder: filled in by the report part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
