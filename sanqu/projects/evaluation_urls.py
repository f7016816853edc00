"""Placeholder: filled in by the evaluation part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
