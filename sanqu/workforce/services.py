"""Writes to the people registry: people (one per ID number), dispatches and certificates.

Every function is keyword-only, checks the actor's permission and scope, validates, writes in one
transaction and leaves an audit entry naming the changed fields (never the ID number or phone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sanqu.accounts.models import User
from sanqu.accounts.scoping import scope_of
from sanqu.accounts.services import apply, audited_delete, audited_save, snapshot
from sanqu.orgs.models import Organisation
from sanqu.projects.models import ProgrammeYear
from sanqu.regions.models import Region, Station
from sanqu.workforce.forms import clean_id_number, clean_phone
from sanqu.workforce.models import Certificate, Dispatch, Person, id_number_hash
from sanqu.workforce.selectors import people_for

PERSON_EDITABLE = ("name", "county", "organisation")
DISPATCH_EDITABLE = (
    "person",
    "programme_year",
    "sending_organisation",
    "county",
    "station",
    "started_on",
    "planned_end_on",
    "ended_on",
    "status",
    "leave_reason",
    "assessment",
)
CERTIFICATE_EDITABLE = ("person", "level", "obtained_on", "number", "county")


# Writable scopes: a region role over the record's county, or superuser.


def writable_people(user: User) -> QuerySet[Person]:
    return scope_of(user).filter(Person.objects.all(), region=("county", "dispatches__county"))


def writable_dispatches(user: User) -> QuerySet[Dispatch]:
    return scope_of(user).filter(Dispatch.objects.all(), region="county")


def writable_certificates(user: User) -> QuerySet[Certificate]:
    return scope_of(user).filter(Certificate.objects.all(), region="county")


def _check_county(field: str, region: Region | None) -> None:
    if region is not None and region.level != Region.Level.COUNTY:
        raise ValidationError({field: _("须为区县级行政区划。")})


# People.


def find_person_by_id_number(number: str) -> Person | None:
    return Person.objects.filter(id_hash=id_number_hash(number)).first()


def _set_id_number(*, actor: User, person: Person, raw: str) -> None:
    """Validate and set the ID number; a number already on file is an error naming whom, if in scope."""
    try:
        number = clean_id_number(raw)
    except ValidationError as error:
        raise ValidationError({"id_number": error.error_list}) from None
    existing = find_person_by_id_number(number)
    if existing is not None and existing.pk != person.pk:
        from sanqu.workforce.selectors import people_for

        if people_for(actor).filter(pk=existing.pk).exists():
            message = _("该身份证号已登记：%(name)s（%(county)s）。") % {
                "name": existing.name,
                "county": existing.county.name,
            }
        else:
            message = _("该身份证号已登记。")
        raise ValidationError({"id_number": message}, code="duplicate")
    person.set_id_number(number)


def _set_phone(person: Person, raw: str) -> None:
    try:
        person.phone = clean_phone(raw)
    except ValidationError as error:
        raise ValidationError({"phone": error.error_list}) from None


def person_create(
    *,
    actor: User,
    name: str,
    id_number: str,
    county: Region,
    organisation: Organisation | None = None,
    phone: str = "",
    request: HttpRequest | None = None,
) -> Person:
    """Register a person; the ID number is checked (GB 11643) and must not be on file already."""
    person = Person(name=name.strip(), county=county, organisation=organisation)
    _check_county("county", county)
    _set_id_number(actor=actor, person=person, raw=id_number)
    _set_phone(person, phone)
    return audited_save(
        actor=actor,
        instance=person,
        perm="workforce.add_person",
        writable=writable_people(actor),
        request=request,
    )


def person_update(
    *,
    actor: User,
    person: Person,
    data: Mapping[str, Any],
    id_number: str = "",
    phone: str | None = None,
    request: HttpRequest | None = None,
) -> Person:
    """Change a person's record; an empty `id_number` (or `phone=None`) keeps the stored value."""
    before = snapshot(person)
    apply(person, data, editable=PERSON_EDITABLE)
    _check_county("county", person.county)
    if id_number:
        _set_id_number(actor=actor, person=person, raw=id_number)
    if phone is not None:
        _set_phone(person, phone)
    return audited_save(
        actor=actor,
        instance=person,
        perm="workforce.change_person",
        writable=writable_people(actor),
        before=before,
        request=request,
    )


def person_delete(*, actor: User, person: Person, request: HttpRequest | None = None) -> None:
    audited_delete(
        actor=actor,
        instance=person,
        perm="workforce.delete_person",
        writable=writable_people(actor),
        request=request,
    )


# Dispatches.


def _check_dispatch(dispatch: Dispatch, *, actor: User) -> None:
    _check_county("county", dispatch.county)
    # The worker must be someone the actor may see: a form's chooser limits this, an import or
    # the API must not get round it.
    if not people_for(actor).filter(pk=dispatch.person_id).exists():
        raise PermissionDenied
    if dispatch.station is not None and not dispatch.station.region.path.startswith(dispatch.county.path):
        raise ValidationError({"station": _("服务站点须在受援区县内。")})
    if dispatch.status == Dispatch.Status.LEFT_EARLY and not dispatch.leave_reason.strip():
        raise ValidationError({"leave_reason": _("提前离岗须填写离岗原因。")})
    if dispatch.ended_on and dispatch.ended_on < dispatch.started_on:
        raise ValidationError({"ended_on": _("实际结束日期不能早于派驻开始日期。")})


def dispatch_create(
    *,
    actor: User,
    person: Person,
    programme_year: ProgrammeYear,
    sending_organisation: Organisation,
    county: Region,
    started_on: dt.date,
    planned_end_on: dt.date | None = None,
    station: Station | None = None,
    ended_on: dt.date | None = None,
    status: str = Dispatch.Status.SERVING,
    leave_reason: str = "",
    assessment: str = "",
    request: HttpRequest | None = None,
) -> Dispatch:
    """A worker's term in a receiving county (normally one year from the start)."""
    dispatch = Dispatch(
        person=person,
        programme_year=programme_year,
        sending_organisation=sending_organisation,
        county=county,
        station=station,
        started_on=started_on,
        planned_end_on=planned_end_on or Dispatch.default_planned_end(started_on),
        ended_on=ended_on,
        status=status,
        leave_reason=leave_reason,
        assessment=assessment,
    )
    _check_dispatch(dispatch, actor=actor)
    return audited_save(
        actor=actor,
        instance=dispatch,
        perm="workforce.add_dispatch",
        writable=writable_dispatches(actor),
        request=request,
    )


def dispatch_update(
    *, actor: User, dispatch: Dispatch, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Dispatch:
    before = snapshot(dispatch)
    apply(dispatch, data, editable=DISPATCH_EDITABLE)
    _check_dispatch(dispatch, actor=actor)
    return audited_save(
        actor=actor,
        instance=dispatch,
        perm="workforce.change_dispatch",
        writable=writable_dispatches(actor),
        before=before,
        request=request,
    )


def dispatch_delete(*, actor: User, dispatch: Dispatch, request: HttpRequest | None = None) -> None:
    audited_delete(
        actor=actor,
        instance=dispatch,
        perm="workforce.delete_dispatch",
        writable=writable_dispatches(actor),
        request=request,
    )


# Certificates.


def certificate_create(
    *,
    actor: User,
    person: Person,
    level: str,
    obtained_on: dt.date,
    county: Region,
    number: str = "",
    request: HttpRequest | None = None,
) -> Certificate:
    certificate = Certificate(
        person=person, level=level, obtained_on=obtained_on, county=county, number=number
    )
    _check_county("county", county)
    return audited_save(
        actor=actor,
        instance=certificate,
        perm="workforce.add_certificate",
        writable=writable_certificates(actor),
        request=request,
    )


def certificate_update(
    *, actor: User, certificate: Certificate, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Certificate:
    before = snapshot(certificate)
    apply(certificate, data, editable=CERTIFICATE_EDITABLE)
    _check_county("county", certificate.county)
    return audited_save(
        actor=actor,
        instance=certificate,
        perm="workforce.change_certificate",
        writable=writable_certificates(actor),
        before=before,
        request=request,
    )


def certificate_delete(*, actor: User, certificate: Certificate, request: HttpRequest | None = None) -> None:
    audited_delete(
        actor=actor,
        instance=certificate,
        perm="workforce.delete_certificate",
        writable=writable_certificates(actor),
        request=request,
    )
