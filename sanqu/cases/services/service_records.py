"""Recording a service given to a person (服务记录), alone or as part of a case.

The worker is the actor's own worker record; the county is the person's county, so the county's
figures count the service where it was given. A form submitted twice (a weak signal, a second
tap) carries the same client token and records the service once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import ADD_SERVICE
from sanqu.accounts.scoping import scope_of
from sanqu.accounts.services import require_perm
from sanqu.cases.models import Beneficiary, Case, ServiceRecord, ServiceType
from sanqu.cases.selectors.beneficiaries import beneficiaries_for
from sanqu.cases.services.beneficiaries import person_of
from sanqu.lib import clock
from sanqu.regions.models import Region

MAX_HOURS = Decimal(24)
TENTH = Decimal("0.1")
METHODS = frozenset(ServiceRecord.Method.values)
RELATED = ("worker", "service_type", "beneficiary", "case", "county", "created_by")


def county_of(region: Region) -> Region:
    """The county (区县) the region lies in."""
    if region.level == Region.Level.COUNTY:
        return region
    return Region.objects.get(level=Region.Level.COUNTY, path=region.path[:6])


def _case_in_reach(actor: User, case: Case) -> bool:
    scope = scope_of(actor)
    return scope.superuser or case.worker_id in scope.person_ids


def service_errors(
    *,
    served_on: dt.date,
    method: str,
    service_type: ServiceType,
    duration_hours: Decimal | None,
    today: dt.date,
) -> dict[str, str]:
    """What is wrong with a service's own values (field → reason): the form's rules, which the ledger
    import applies to each row too."""
    errors: dict[str, str] = {}
    if served_on > today:
        errors["served_on"] = _("服务日期不能晚于今天。")
    if method not in METHODS:
        errors["method"] = _("请选择服务方式。")
    if not service_type.active:
        errors["service_type"] = _("该服务类型已停用，请选择其他类型。")
    if duration_hours is None or duration_hours <= 0 or duration_hours > MAX_HOURS:
        errors["duration_hours"] = _("服务时长须大于0且不超过24小时。")
    elif duration_hours != duration_hours.quantize(TENTH):
        errors["duration_hours"] = _("服务时长最多保留一位小数。")
    return errors


def service_record_create(
    *,
    actor: User,
    served_on: dt.date,
    service_type: ServiceType,
    method: str,
    duration_hours: Decimal,
    beneficiary: Beneficiary | None = None,
    case: Case | None = None,
    place: str = "",
    notes: str = "",
    next_step: str = "",
    client_token: str | None = None,
    request: HttpRequest | None = None,
) -> ServiceRecord:
    """Record one service; the same `client_token` again returns the record already made."""
    require_perm(actor, ADD_SERVICE)
    token = (client_token or "").strip() or None
    if token is not None:
        earlier = ServiceRecord.objects.filter(client_token=token).first()
        if earlier is not None:
            return _same_submitter(earlier, actor)
    if case is not None:
        if beneficiary is not None and beneficiary.pk != case.beneficiary_id:
            raise ValidationError({"case": _("所选个案不属于该服务对象。")})
        beneficiary = case.beneficiary
        if not _case_in_reach(actor, case):
            raise PermissionDenied
    if beneficiary is None:
        raise ValidationError({"beneficiary": _("请选择服务对象。")})
    if not beneficiaries_for(actor).filter(pk=beneficiary.pk).exists():
        raise PermissionDenied
    worker = person_of(actor)
    if worker is None:
        raise ValidationError(_("您的账号没有关联社工档案，不能记录服务。请联系区县专门科室。"))
    errors = service_errors(
        served_on=served_on,
        method=method,
        service_type=service_type,
        duration_hours=duration_hours,
        today=clock.today(),
    )
    if errors:
        raise ValidationError(errors)
    if case is not None:
        from sanqu.cases.services.cases import check_case_accepts_service

        check_case_accepts_service(case, served_on)
    record = ServiceRecord(
        served_on=served_on,
        worker=worker,
        method=method,
        service_type=service_type,
        duration_hours=duration_hours,
        place=place.strip(),
        notes=notes.strip(),
        next_step=next_step.strip(),
        beneficiary=beneficiary,
        case=case,
        county=county_of(beneficiary.region),
        created_by=actor,
        client_token=token,
    )
    # The related records were all read in this call (or by the caller, from the database), so their
    # existence is not asked again, one query each; the hours' check constraint is `service_errors`'s
    # rule above. The fields' own values are still checked (lengths, choices).
    record.full_clean(exclude=["client_token", *RELATED], validate_constraints=False)
    try:
        with transaction.atomic():
            record.save()
            if case is not None:
                Case.objects.filter(pk=case.pk).filter(
                    Q(last_service_on__isnull=True) | Q(last_service_on__lt=served_on)
                ).update(last_service_on=served_on)
            audit.record(
                actor=actor,
                action=AuditEntry.Action.CREATE,
                obj=record,
                detail={
                    "beneficiary": beneficiary.pk,
                    "case": case.pk if case is not None else None,
                    "changed": ["served_on", "service_type", "method", "duration_hours"],
                },
                request=request,
            )
    except IntegrityError:
        # The same form arrived twice at once: the other request recorded it.
        earlier = ServiceRecord.objects.filter(client_token=token).first() if token else None
        if earlier is None:
            raise
        return _same_submitter(earlier, actor)
    return record


def _same_submitter(record: ServiceRecord, actor: User) -> ServiceRecord:
    if record.created_by_id != actor.pk:
        raise ValidationError(_("表单已失效，请刷新页面后重新填写。"), code="token")
    return record
