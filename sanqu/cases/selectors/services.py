"""Scoped reads of service records, and the service types in the order a worker reaches for them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sanqu.accounts.models import User
from sanqu.accounts.scoping import scope_of
from sanqu.cases.models import Beneficiary, Case, ServiceRecord, ServiceType
from sanqu.cases.selectors.beneficiaries import beneficiaries_for
from sanqu.regions.models import Station
from sanqu.workforce.models import Dispatch, Person

RECENT_TYPES = 4
RECENT_WINDOW = 60  # the worker's last records looked at for "recently used"


def service_records_for(user: User) -> QuerySet[ServiceRecord]:
    """Records the user may see: of beneficiaries they see, or given by themselves (and supervisees)."""
    scope = scope_of(user)
    records = ServiceRecord.objects.select_related("service_type", "worker", "beneficiary", "case")
    if scope.superuser:
        return records
    query = Q(beneficiary__in=beneficiaries_for(user).values("pk"))
    if scope.person_ids:
        query |= Q(worker__in=scope.person_ids)
    return records.filter(query)


def records_by_worker(person: Person) -> QuerySet[ServiceRecord]:
    return ServiceRecord.objects.filter(worker=person).select_related(
        "service_type", "beneficiary", "case", "county"
    )


def timeline_records(beneficiary: Beneficiary) -> QuerySet[ServiceRecord]:
    """The person's services, newest first (the beneficiary is already in the user's view)."""
    return beneficiary.service_records.select_related("service_type", "worker", "case").order_by(
        "-served_on", "-id"
    )


def timeline_cases(beneficiary: Beneficiary) -> QuerySet[Case]:
    return beneficiary.cases.select_related("worker").order_by("-opened_on", "-id")


def open_cases_for_entry(*, person: Person | None, beneficiary: Beneficiary) -> QuerySet[Case]:
    """The person's open cases the worker holds (a service can be recorded in one of them)."""
    if person is None:
        return Case.objects.none()
    return beneficiary.cases.filter(worker=person).exclude(status=Case.Status.CLOSED).order_by("-opened_on")


def station_of(person: Person | None, *, today: dt.date) -> Station | None:
    """The station of the worker's current dispatch, if any."""
    if person is None:
        return None
    dispatch = (
        Dispatch.objects.filter(person=person, status=Dispatch.Status.SERVING, started_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .exclude(station__isnull=True)
        .select_related("station")
        .order_by("-started_on")
        .first()
    )
    return dispatch.station if dispatch is not None else None


@dataclass(frozen=True)
class TypeChoice:
    service_type: ServiceType
    hint: str | Promise  # why it is near the top ("" for the rest)


def service_types_for_entry(*, person: Person | None, beneficiary: Beneficiary) -> list[TypeChoice]:
    """Active types: the ones the worker used recently first, then those typical of the person's
    target groups, then the rest in the list's order."""
    active = list(ServiceType.objects.filter(active=True).order_by("sort_order", "id"))
    by_id = {service_type.pk: service_type for service_type in active}
    recent: list[int] = []
    if person is not None:
        used = (
            ServiceRecord.objects.filter(worker=person)
            .order_by("-served_on", "-id")
            .values_list("service_type_id", flat=True)[:RECENT_WINDOW]
        )
        for type_id in used:
            if type_id in by_id and type_id not in recent:
                recent.append(type_id)
            if len(recent) == RECENT_TYPES:
                break
    groups = beneficiary.target_groups.values("pk")
    typical = set(
        ServiceType.objects.filter(active=True, target_groups__in=groups).values_list("pk", flat=True)
    )
    choices = [TypeChoice(by_id[type_id], _("最近用过")) for type_id in recent]
    choices += [TypeChoice(t, _("常用于该类对象")) for t in active if t.pk in typical and t.pk not in recent]
    choices += [TypeChoice(t, "") for t in active if t.pk not in typical and t.pk not in recent]
    return choices
