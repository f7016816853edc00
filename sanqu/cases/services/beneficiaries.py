"""Writes to the beneficiary registry: registration with de-duplication at entry, and updates.

One real person is one record. The same ID number (found through the keyed hash, never by
decrypting) is refused with the existing record; a close match (same name, birth date and village)
is a warning the user confirms before a new record is made. Consent is recorded at registration,
by a guardian for a child under 14. Every write checks the permission and the scope, validates,
and leaves an audit entry naming the changed fields, never their values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import Role
from sanqu.accounts.scoping import memberships_of, scope_of
from sanqu.accounts.services import apply, audited_save, require_perm, snapshot
from sanqu.cases.models import Beneficiary, Household, TargetGroup
from sanqu.cases.models.beneficiaries import beneficiary_id_hash
from sanqu.cases.selectors.beneficiaries import beneficiaries_in_full_for
from sanqu.lib import clock
from sanqu.regions.models import Region, Station
from sanqu.workforce.forms import clean_id_number, clean_phone
from sanqu.workforce.models import Person

ADD = "cases.add_beneficiary"
CHANGE = "cases.change_beneficiary"
HEAD_RELATION = "户主"
BENEFICIARY_EDITABLE = (
    "name",
    "region",
    "station",
    "relation_to_head",
    "consent_on",
    "consent_by",
    "guardian_name",
    "guardian_relation",
    "address",
    "health_notes",
    "correction_notes",
)


class AlreadyRegistered(ValidationError):
    """The ID number is on file: `existing` is that person (show them only if the user may see them)."""

    def __init__(self, existing: Beneficiary) -> None:
        super().__init__({"id_number": _("该身份证号已登记为服务对象，不能重复登记。")}, code="duplicate")
        self.existing = existing


class PossibleDuplicates(ValidationError):
    """Someone with the same name and birth date lives in the same village: confirm before creating."""

    def __init__(self, matches: list[Beneficiary]) -> None:
        super().__init__(
            _("同一村（社区）已有姓名和出生日期相同的服务对象。请核对是否为同一人；确认不是后再登记。"),
            code="similar",
        )
        self.matches = matches


def person_of(user: User) -> Person | None:
    """The worker record (Person) behind the user's social-worker or supervisor membership.

    Read from the request's memberships (`memberships_of`), so asking again in the same request
    (the entry form's view, then the service that records) reads the person once."""
    linked = [membership for membership in memberships_of(user) if membership.person_id is not None]
    if not linked:
        return None
    return min(linked, key=lambda membership: (membership.role, membership.pk)).person


def registrable_regions(user: User) -> QuerySet[Region]:
    """Townships and villages where the user may register beneficiaries (their worker or county scope)."""
    scope = scope_of(user)
    regions = Region.objects.filter(level__in=[Region.Level.TOWNSHIP, Region.Level.VILLAGE])
    if scope.superuser:
        return regions
    paths = scope.paths_by_role.get(Role.SOCIAL_WORKER, ()) + scope.paths_by_role.get(Role.COUNTY_OFFICER, ())
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(path__startswith=path)
    return regions.filter(query)


def find_by_id_number(number: str) -> Beneficiary | None:
    return Beneficiary.objects.filter(id_hash=beneficiary_id_hash(number)).first()


def close_matches(*, name: str, birth_date: dt.date | None, region: Region) -> list[Beneficiary]:
    if birth_date is None:
        return []
    return list(
        Beneficiary.objects.filter(name=name.strip(), birth_date=birth_date, region=region).order_by("pk")
    )


def _clean_id_number(raw: str) -> str:
    try:
        return clean_id_number(raw)
    except ValidationError as error:
        raise ValidationError({"id_number": error.error_list}) from None


def _check_place(beneficiary: Beneficiary, *, actor: User) -> None:
    if not registrable_regions(actor).filter(pk=beneficiary.region_id).exists():
        raise ValidationError({"region": _("只能登记您负责的乡镇或村（社区）的服务对象。")})
    station = beneficiary.station
    if station is not None and not station.region.path.startswith(beneficiary.region.path[:6]):
        raise ValidationError({"station": _("服务站点须与服务对象在同一区县。")})


def _check_consent(beneficiary: Beneficiary, *, today: dt.date) -> None:
    """Consent is recorded; a child under 14 needs a guardian's (PIPL art. 31)."""
    errors: dict[str, str] = {}
    if beneficiary.consent_on is None:
        errors["consent_on"] = _("请填写知情同意的日期。")
    elif beneficiary.consent_on > today:
        errors["consent_on"] = _("知情同意日期不能晚于今天。")
    if beneficiary.is_child_on(today):
        if beneficiary.consent_by != Beneficiary.ConsentBy.GUARDIAN:
            errors["consent_by"] = _("未满14周岁的服务对象须由监护人同意。")
    elif not beneficiary.consent_by:
        errors["consent_by"] = _("请选择由谁表示同意。")
    if beneficiary.consent_by == Beneficiary.ConsentBy.GUARDIAN:
        if not beneficiary.guardian_name.strip():
            errors["guardian_name"] = _("由监护人同意时须填写监护人姓名。")
        if not beneficiary.guardian_relation.strip():
            errors["guardian_relation"] = _("由监护人同意时须填写监护人与服务对象的关系。")
    if errors:
        raise ValidationError(errors)


def _check_household(beneficiary: Beneficiary) -> None:
    household = beneficiary.household
    if household is not None and household.region_id != beneficiary.region_id:
        raise ValidationError({"household": _("只能加入同一村（社区）的家庭。")})


@transaction.atomic
def beneficiary_register(
    *,
    actor: User,
    name: str,
    region: Region,
    target_groups: Iterable[TargetGroup],
    consent_on: dt.date | None,
    consent_by: str,
    id_number: str = "",
    birth_date: dt.date | None = None,
    sex: str = "",
    phone: str = "",
    address: str = "",
    station: Station | None = None,
    household: Household | None = None,
    create_household: bool = False,
    poverty_registered: bool = False,
    relation_to_head: str = "",
    responsible_worker: Person | None = None,
    guardian_name: str = "",
    guardian_relation: str = "",
    health_notes: str = "",
    correction_notes: str = "",
    registered_on: dt.date | None = None,
    confirm_similar: bool = False,
    request: HttpRequest | None = None,
) -> Beneficiary:
    """Register a person served. Raises AlreadyRegistered, PossibleDuplicates or ValidationError."""
    require_perm(actor, ADD)
    today = clock.today()
    beneficiary = Beneficiary(
        name=name.strip(),
        region=region,
        station=station,
        registered_on=registered_on or today,
        responsible_worker=responsible_worker or person_of(actor),
        consent_on=consent_on,
        consent_by=consent_by,
        guardian_name=guardian_name.strip(),
        guardian_relation=guardian_relation.strip(),
        address=address.strip(),
        health_notes=health_notes.strip(),
        correction_notes=correction_notes.strip(),
        relation_to_head=relation_to_head.strip(),
    )
    if not beneficiary.name:
        raise ValidationError({"name": _("请填写姓名。")})
    _check_place(beneficiary, actor=actor)
    if id_number.strip():
        number = _clean_id_number(id_number)
        existing = find_by_id_number(number)
        if existing is not None:
            raise AlreadyRegistered(existing)
        beneficiary.set_id_number(number)
    else:
        if birth_date is None:
            raise ValidationError({"birth_date": _("没有身份证号时须填写出生日期。")})
        if birth_date > today:
            raise ValidationError({"birth_date": _("出生日期不能晚于今天。")})
        beneficiary.birth_date = birth_date
        beneficiary.sex = sex
    try:
        beneficiary.phone = clean_phone(phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.error_list}) from None
    groups = list(target_groups)
    if not groups:
        raise ValidationError({"target_groups": _("请至少选择一个服务对象类别。")})
    _check_consent(beneficiary, today=today)
    if not confirm_similar:
        matches = close_matches(name=beneficiary.name, birth_date=beneficiary.birth_date, region=region)
        if matches:
            raise PossibleDuplicates(matches)
    if create_household:
        new_household = Household(
            head_name=beneficiary.name,
            region=region,
            address=beneficiary.address,
            poverty_registered=poverty_registered,
        )
        new_household.full_clean()
        new_household.save()
        beneficiary.household = new_household
        beneficiary.relation_to_head = HEAD_RELATION
    elif household is not None:
        beneficiary.household = household
        _check_household(beneficiary)
    beneficiary = audited_save(
        actor=actor,
        instance=beneficiary,
        perm=ADD,
        writable=beneficiaries_in_full_for(actor),
        request=request,
    )
    beneficiary.target_groups.set(groups)
    return beneficiary


@transaction.atomic
def beneficiary_update(
    *,
    actor: User,
    beneficiary: Beneficiary,
    data: Mapping[str, Any],
    target_groups: Iterable[TargetGroup] | None = None,
    id_number: str = "",
    phone: str | None = None,
    household: Household | None = None,
    request: HttpRequest | None = None,
) -> Beneficiary:
    """Change a record the actor sees in full; an empty `id_number` (or `phone=None`) keeps what is stored."""
    require_perm(actor, CHANGE)
    if not beneficiaries_in_full_for(actor).filter(pk=beneficiary.pk).exists():
        raise PermissionDenied
    before = snapshot(beneficiary)
    before_groups = sorted(beneficiary.target_groups.values_list("pk", flat=True))
    apply(beneficiary, data, editable=BENEFICIARY_EDITABLE)
    if not beneficiary.name.strip():
        raise ValidationError({"name": _("请填写姓名。")})
    _check_place(beneficiary, actor=actor)
    if id_number.strip():
        number = _clean_id_number(id_number)
        existing = find_by_id_number(number)
        if existing is not None and existing.pk != beneficiary.pk:
            raise AlreadyRegistered(existing)
        beneficiary.set_id_number(number)
    if phone is not None:
        try:
            beneficiary.phone = clean_phone(phone)
        except ValidationError as error:
            raise ValidationError({"phone": error.error_list}) from None
    if household is not None:
        beneficiary.household = household
    _check_household(beneficiary)
    _check_consent(beneficiary, today=clock.today())
    groups = list(target_groups) if target_groups is not None else None
    if groups is not None and not groups:
        raise ValidationError({"target_groups": _("请至少选择一个服务对象类别。")})
    beneficiary = audited_save(
        actor=actor,
        instance=beneficiary,
        perm=CHANGE,
        writable=beneficiaries_in_full_for(actor),
        before=before,
        request=request,
    )
    if groups is not None and sorted(group.pk for group in groups) != before_groups:
        beneficiary.target_groups.set(groups)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=beneficiary,
            detail={"changed": ["target_groups"]},
            request=request,
        )
    return beneficiary


def households_for_region(region: Region) -> QuerySet[Household]:
    return Household.objects.filter(region=region).order_by("head_name", "pk")


# Ledger import (issue 7).


@transaction.atomic
def beneficiary_assign_worker(
    *, actor: User, beneficiary: Beneficiary, worker: Person, request: HttpRequest | None = None
) -> Beneficiary:
    """Make `worker` (a social worker the actor can see) responsible for a record the actor sees in full."""
    from sanqu.workforce.selectors import people_for

    require_perm(actor, CHANGE)
    if not beneficiaries_in_full_for(actor).filter(pk=beneficiary.pk).exists():
        raise PermissionDenied
    if not people_for(actor).filter(pk=worker.pk).exists():
        raise ValidationError({"responsible_worker": _("负责社工不在您的权限范围内。")})
    before = snapshot(beneficiary)
    beneficiary.responsible_worker = worker
    return audited_save(
        actor=actor,
        instance=beneficiary,
        perm=CHANGE,
        writable=beneficiaries_in_full_for(actor),
        before=before,
        request=request,
    )
