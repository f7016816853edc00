"""Scoped reads of the organisation registry."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sanqu.accounts.scoping import scope_of
from sanqu.orgs.models import Organisation


def organisations_for(user: Any) -> QuerySet[Organisation]:
    """Organisations based in the user's regions, those that sent workers there, or the user's own."""
    scope = scope_of(user)
    organisations = Organisation.objects.select_related("home_county")
    return scope.filter(organisations, region=("home_county", "dispatches__county"), organisation="id")


def writable_organisations(user: Any) -> QuerySet[Organisation]:
    """Organisations whose home county a region role of the user covers."""
    return scope_of(user).filter(Organisation.objects.all(), region="home_county")
