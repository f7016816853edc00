"""Placeholder: filled in by the drill part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
