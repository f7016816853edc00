"""Scoped reads of people: every list and every record a user opens goes through here."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import UNMASK
from sanqu.accounts.scoping import get_or_404, scope_of
from sanqu.lib import idnumber
from sanqu.training.models import Trainee
from sanqu.workforce.models import Certificate, Dispatch, Person, id_number_hash

_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")


def people_for(user: User) -> QuerySet[Person]:
    """The people the user may see: by county or dispatch county, organisation, or themselves."""
    return scope_of(user).filter(
        Person.objects.select_related("county", "organisation"),
        region=("county", "dispatches__county"),
        organisation=("organisation", "dispatches__sending_organisation"),
        person="id",
    )


def search_people(people: QuerySet[Person], *, query: str) -> QuerySet[Person]:
    """A full ID number finds its holder exactly (through the keyed hash); other text is a name."""
    text = (query or "").strip()
    if not text:
        return people
    number = idnumber.normalise(text)
    if _ID_SHAPE.match(number):
        return people.filter(id_hash=id_number_hash(number))
    return people.filter(name__icontains=text)


def get_person_for_user(user: User, pk: Any) -> Person:
    """One person with their records, or 404 when out of the user's scope."""
    people = people_for(user).prefetch_related(
        Prefetch(
            "dispatches",
            queryset=Dispatch.objects.select_related(
                "programme_year", "county", "station", "sending_organisation"
            ),
        ),
        Prefetch("certificates", queryset=Certificate.objects.select_related("county")),
        Prefetch("traineeships", queryset=Trainee.objects.select_related("programme_year", "county")),
    )
    return get_or_404(people, pk=pk)


def reveal_person(*, user: User, pk: Any, request: HttpRequest | None = None) -> Person:
    """The person for an unmasked view: needs the permission, and is written to the audit log."""
    if not user.has_perm(UNMASK):
        raise PermissionDenied
    person = get_person_for_user(user, pk)
    audit.record(
        actor=user,
        action=AuditEntry.Action.UNMASK,
        obj=person,
        detail={"fields": ["id_number", "phone"]},
        request=request,
    )
    return person
