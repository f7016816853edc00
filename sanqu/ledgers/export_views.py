"""Ledger exports and blank templates (filled in by the export part)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
