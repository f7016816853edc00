"""Referral out (转介) to another organisation, station or agency, tracked until the receiver answers.

The receiving organisation's (or station's) manager, or the county officer of the case, answers;
a case referred at intake and declined comes back open to its worker.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.scoping import scope_of
from sanqu.cases.models import Case, Referral
from sanqu.cases.services.case_rules import (
    check_day,
    check_open,
    is_county_officer_of,
    locked,
    record,
    replayed,
    require_worker,
    save,
)
from sanqu.lib import clock
from sanqu.orgs.models import Organisation
from sanqu.regions.models import Station

# When a referral names no answer date, the receiver has this many days to answer.
REFERRAL_ANSWER_DAYS = 14


@dataclass(frozen=True)
class ReceiverInput:
    to_organisation: Organisation | None = None
    to_station: Station | None = None
    to_agency: str = ""
    answer_due_on: dt.date | None = None


def can_answer_referral(actor: User, referral: Referral) -> bool:
    """The receiving organisation's (or station's) manager, or the county officer of the case."""
    if is_county_officer_of(actor, referral.case.county):
        return True
    receivers = {referral.to_organisation_id}
    if referral.to_station is not None:
        receivers.add(referral.to_station.organisation_id)
    receivers.discard(None)
    return bool(receivers & set(scope_of(actor).organisation_ids))


def make_referral(*, case: Case, referred_on: dt.date, reason: str, receiver: ReceiverInput) -> Referral:
    if receiver.to_organisation is None and receiver.to_station is None and not receiver.to_agency.strip():
        raise ValidationError(
            {"to_organisation": _("请指定转介的接收机构、站点或部门。")}, code="no_receiver"
        )
    if not reason.strip():
        raise ValidationError({"reason": _("请填写转介原因。")}, code="no_reason")
    answer_due_on = receiver.answer_due_on or referred_on + dt.timedelta(days=REFERRAL_ANSWER_DAYS)
    if answer_due_on < referred_on:
        raise ValidationError({"answer_due_on": _("回复期限不能早于转介日期。")}, code="due_before_referral")
    referral = Referral(
        case=case,
        referred_on=referred_on,
        to_organisation=receiver.to_organisation,
        to_station=receiver.to_station,
        to_agency=receiver.to_agency.strip(),
        reason=reason.strip(),
        answer_due_on=answer_due_on,
    )
    save(referral)
    return referral


# Referral out, and the receiver's answer.


def referral_create(
    *,
    actor: User,
    case: Case,
    referred_on: dt.date,
    reason: str,
    receiver: ReceiverInput,
    token: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Refer the person to another organisation, station or agency (the case stays with the worker)."""
    with transaction.atomic():
        require_worker(actor, case)
        case = locked(case)
        if (earlier := replayed(actor, token, Referral)) is not None:
            return earlier
        check_open(case)
        check_day(referred_on, case=case, field="referred_on")
        referral = make_referral(case=case, referred_on=referred_on, reason=reason, receiver=receiver)
        record(actor=actor, obj=referral, event="referral_created", case=case, token=token, request=request)
        return referral


def referral_answer(
    *,
    actor: User,
    referral: Referral,
    accept: bool,
    note: str = "",
    answered_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """The receiver accepts or declines. A case referred at intake and declined comes back open."""
    from sanqu.cases.selectors.cases import cases_for

    with transaction.atomic():
        referral = Referral.objects.select_related("case__county", "to_station").get(pk=referral.pk)
        if not can_answer_referral(actor, referral):
            if cases_for(actor).filter(pk=referral.case_id).exists():
                raise PermissionDenied
            raise Http404
        case = locked(referral.case)
        referral = (
            Referral.objects.select_for_update(of=("self",)).select_related("to_station").get(pk=referral.pk)
        )
        decided = Referral.Status.ACCEPTED if accept else Referral.Status.DECLINED
        if referral.status == decided:
            return referral
        if referral.status != Referral.Status.PENDING:
            raise ValidationError(_("该转介已经回复过了。"), code="answered")
        answered_on = answered_on or clock.today()
        check_day(answered_on, case=None, field="answered_on")
        if answered_on < referral.referred_on:
            raise ValidationError({"answered_on": _("回复日期不能早于转介日期。")})
        if not accept and not note.strip():
            raise ValidationError({"answer_note": _("拒绝接收时请说明原因。")}, code="no_note")
        referral.status = decided
        referral.answered_on = answered_on
        referral.answer_note = note.strip()
        save(referral)
        if not accept and case.status == Case.Status.REFERRED:
            case.status = Case.Status.OPEN
            save(case)
        record(
            actor=actor,
            obj=referral,
            event="referral_accepted" if accept else "referral_declined",
            case=case,
            action=AuditEntry.Action.UPDATE,
            request=request,
        )
        return referral
