"""Writes to the people registry: people (one per ID number), dispatches and certificates.

Every function is keyword-only, checks the actor's permission and scope, validates, writes in one
transaction and leaves an audit entry naming the changed fields (never the ID number or phone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from sanqu.accounts.models import User
from sanqu.accounts.scoping import scope_of
from sanqu.accounts.services import apply, audited_delete, audited_save, require_perm, snapshot
from sanqu.lib import clock
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
    "leave_note",
    "assessment",
    "assessed_on",
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
#
# A term runs from `started_on` to its end: `ended_on` once it has ended (期满 or 提前离岗), the
# planned end while serving. Two terms of one person may not share a day; a renewal is a new
# term in the following programme year that starts after the old one ended (`renewal_of`).


def _term_end(dispatch: Dispatch) -> dt.date:
    return dispatch.ended_on or dispatch.planned_end_on


def _term_text(dispatch: Dispatch) -> str:
    return _("%(year)s年度 %(county)s %(start)s 至 %(end)s") % {
        "year": dispatch.programme_year.year,
        "county": dispatch.county.name,
        "start": f"{dispatch.started_on:%Y-%m-%d}",
        "end": f"{_term_end(dispatch):%Y-%m-%d}",
    }


def _check_terms(dispatch: Dispatch) -> None:
    """Dates, status, reason and assessment agree with each other (the rules of a term)."""
    Status = Dispatch.Status
    if dispatch.planned_end_on <= dispatch.started_on:
        raise ValidationError({"planned_end_on": _("计划结束日期须晚于派驻开始日期。")})
    if dispatch.status in (Status.COMPLETED, Status.LEFT_EARLY) and dispatch.ended_on is None:
        raise ValidationError({"ended_on": _("期满或提前离岗须填写实际结束日期。")})
    if dispatch.status == Status.SERVING and dispatch.ended_on is not None:
        raise ValidationError(
            {"ended_on": _("在岗的选派不能填写实际结束日期；结束本期请选择“期满”或“提前离岗”。")}
        )
    if dispatch.ended_on and dispatch.ended_on < dispatch.started_on:
        raise ValidationError({"ended_on": _("实际结束日期不能早于派驻开始日期。")})
    if dispatch.ended_on and dispatch.ended_on > clock.today():
        raise ValidationError({"ended_on": _("实际结束日期不能晚于今天。")})
    reason = (dispatch.leave_reason or "").strip()
    if dispatch.status == Status.LEFT_EARLY:
        if not reason:
            raise ValidationError({"leave_reason": _("提前离岗须填写离岗原因。")})
        if reason not in Dispatch.LeaveReason.values:
            raise ValidationError({"leave_reason": _("离岗原因须从列表中选择。")})
    elif reason or dispatch.leave_note.strip():
        raise ValidationError({"leave_reason": _("只有提前离岗才填写离岗原因。")})
    if dispatch.assessment and not dispatch.ended:
        raise ValidationError({"assessment": _("选派结束后才能记录考核结果。")})
    if dispatch.assessed_on is not None:
        if not dispatch.assessment:
            raise ValidationError({"assessment": _("填写考核日期时须同时填写考核结果。")})
        if dispatch.ended_on and dispatch.assessed_on < dispatch.ended_on:
            raise ValidationError({"assessed_on": _("考核日期不能早于实际结束日期。")})
        if dispatch.assessed_on > clock.today():
            raise ValidationError({"assessed_on": _("考核日期不能晚于今天。")})


def _check_other_terms(dispatch: Dispatch) -> None:
    """One term per person and programme year, and no two terms of a person on the same day."""
    others = Dispatch.objects.filter(person_id=dispatch.person_id).select_related("programme_year", "county")
    if dispatch.pk is not None:
        others = others.exclude(pk=dispatch.pk)
    same_year = others.filter(programme_year_id=dispatch.programme_year_id).first()
    if same_year is not None:
        raise ValidationError(
            {"programme_year": _("该社工在本年度已有选派：%(term)s。") % {"term": _term_text(same_year)}},
            code="duplicate",
        )
    overlapping = (
        others.filter(started_on__lte=_term_end(dispatch))
        .annotate(term_end=Coalesce("ended_on", "planned_end_on"))
        .filter(term_end__gte=dispatch.started_on)
        .order_by("started_on")
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            {"started_on": _("与该社工的另一期选派时间重叠：%(term)s。") % {"term": _term_text(overlapping)}},
            code="overlap",
        )


def _check_renewal(dispatch: Dispatch) -> None:
    previous = dispatch.renewal_of
    if previous is None:
        return
    if previous.person_id != dispatch.person_id:
        raise ValidationError({"renewal_of": _("续派须为同一社工。")})
    if previous.status != Dispatch.Status.COMPLETED:
        raise ValidationError({"renewal_of": _("只有期满的选派可以续派。")})
    if dispatch.programme_year.year != previous.programme_year.year + 1:
        raise ValidationError(
            {
                "programme_year": _("续派须在下一年度（%(year)s年度）。")
                % {"year": previous.programme_year.year + 1}
            }
        )


def _check_dispatch(dispatch: Dispatch, *, actor: User) -> None:
    _check_county("county", dispatch.county)
    # The worker must be someone the actor may see: a form's chooser limits this, an import or
    # the API must not get round it.
    if not people_for(actor).filter(pk=dispatch.person_id).exists():
        raise PermissionDenied
    if dispatch.station is not None and not dispatch.station.region.path.startswith(dispatch.county.path):
        raise ValidationError({"station": _("服务站点须在受援区县内。")})
    _check_terms(dispatch)
    _check_renewal(dispatch)
    _check_other_terms(dispatch)


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
    leave_note: str = "",
    assessment: str = "",
    assessed_on: dt.date | None = None,
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
        leave_reason=leave_reason or "",
        leave_note=(leave_note or "").strip(),
        assessment=assessment or "",
        assessed_on=assessed_on,
    )
    require_perm(actor, "workforce.add_dispatch")
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


def _for_change(actor: User, dispatch: Dispatch) -> Dispatch:
    """The stored dispatch, re-read for the change: 404 out of sight, 403 when the actor may only read."""
    from sanqu.workforce.dispatch_selectors import dispatches_for

    if not dispatches_for(actor).filter(pk=dispatch.pk).exists():
        raise Http404
    require_perm(actor, "workforce.change_dispatch")
    if not writable_dispatches(actor).filter(pk=dispatch.pk).exists():
        raise PermissionDenied
    return Dispatch.objects.select_related("programme_year", "county", "person").get(pk=dispatch.pk)


def dispatch_end(
    *,
    actor: User,
    dispatch: Dispatch,
    outcome: str,
    ended_on: dt.date,
    leave_reason: str = "",
    leave_note: str = "",
    request: HttpRequest | None = None,
) -> Dispatch:
    """End a serving term: 期满 (`completed`) or 提前离岗 (`left_early`, with a reason from the list)."""
    dispatch = _for_change(actor, dispatch)
    if dispatch.status != Dispatch.Status.SERVING:
        raise ValidationError(
            _("该选派已于 %(day)s 结束（%(status)s），不能再次结束。")
            % {"day": f"{dispatch.ended_on:%Y-%m-%d}", "status": dispatch.get_status_display()}
        )
    if outcome not in (Dispatch.Status.COMPLETED, Dispatch.Status.LEFT_EARLY):
        raise ValidationError({"outcome": _("结束方式须为“期满”或“提前离岗”。")})
    before = snapshot(dispatch)
    dispatch.status = outcome
    dispatch.ended_on = ended_on
    if outcome == Dispatch.Status.LEFT_EARLY:
        dispatch.leave_reason = leave_reason
        dispatch.leave_note = leave_note.strip()
    _check_dispatch(dispatch, actor=actor)
    return audited_save(
        actor=actor,
        instance=dispatch,
        perm="workforce.change_dispatch",
        writable=writable_dispatches(actor),
        before=before,
        request=request,
    )


def dispatch_assess(
    *,
    actor: User,
    dispatch: Dispatch,
    assessment: str,
    assessed_on: dt.date,
    request: HttpRequest | None = None,
) -> Dispatch:
    """Record (or correct) the end-of-term assessment (考核) of a term that has ended."""
    dispatch = _for_change(actor, dispatch)
    if assessment not in Dispatch.Assessment.values:
        raise ValidationError({"assessment": _("考核结果须从列表中选择。")})
    before = snapshot(dispatch)
    dispatch.assessment = assessment
    dispatch.assessed_on = assessed_on
    _check_dispatch(dispatch, actor=actor)
    return audited_save(
        actor=actor,
        instance=dispatch,
        perm="workforce.change_dispatch",
        writable=writable_dispatches(actor),
        before=before,
        request=request,
    )


def next_programme_year(dispatch: Dispatch) -> ProgrammeYear | None:
    return ProgrammeYear.objects.filter(year=dispatch.programme_year.year + 1).first()


@transaction.atomic
def dispatch_renew(
    *,
    actor: User,
    dispatch: Dispatch,
    started_on: dt.date | None = None,
    planned_end_on: dt.date | None = None,
    station: Station | None = None,
    request: HttpRequest | None = None,
) -> Dispatch:
    """Renew a completed term (续派): a new term in the following programme year, same county and
    sending organisation, starting by default the day after the old one ended."""
    dispatch = _for_change(actor, dispatch)
    require_perm(actor, "workforce.add_dispatch")
    if dispatch.status != Dispatch.Status.COMPLETED:
        raise ValidationError(_("只有期满的选派可以续派。"))
    renewal = Dispatch.objects.filter(renewal_of=dispatch).select_related("programme_year", "county").first()
    if renewal is not None:
        raise ValidationError(_("该选派已续派：%(term)s。") % {"term": _term_text(renewal)})
    year = next_programme_year(dispatch)
    if year is None:
        raise ValidationError(
            {
                "programme_year": _("还没有%(year)s年度，请先在后台建立该年度。")
                % {"year": dispatch.programme_year.year + 1}
            }
        )
    assert dispatch.ended_on is not None  # noqa: S101 - a completed term has an end (checked on save)
    start = started_on or dispatch.ended_on + dt.timedelta(days=1)
    new = Dispatch(
        person=dispatch.person,
        programme_year=year,
        sending_organisation=dispatch.sending_organisation,
        county=dispatch.county,
        station=station if station is not None else dispatch.station,
        started_on=start,
        planned_end_on=planned_end_on or Dispatch.default_planned_end(start),
        renewal_of=dispatch,
    )
    _check_dispatch(new, actor=actor)
    return audited_save(
        actor=actor,
        instance=new,
        perm="workforce.add_dispatch",
        writable=writable_dispatches(actor),
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
