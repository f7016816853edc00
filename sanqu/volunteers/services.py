"""Writes to the volunteer registry: registration, hours, training, commendations, certificates.

Every function is keyword-only, checks the actor's permission and scope (a volunteer out of
sight answers 404, one in sight but not writable 403), validates with a message naming the
field and the rule, writes in one transaction and leaves an audit entry.

A volunteer is a `workforce.Person`: registering someone whose ID number is already on file
(a local social worker who also volunteers, say) gives that person a volunteer profile rather
than a second record.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.http import Http404, HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import UNMASK
from sanqu.accounts.services import apply, audited_save, require_perm, snapshot
from sanqu.cases.models import CommunityActivity, GroupSession
from sanqu.cases.selectors.community import activities_for
from sanqu.cases.selectors.groups import groups_for
from sanqu.lib import clock
from sanqu.orgs.models import Organisation
from sanqu.regions.models import Region, Station
from sanqu.volunteers.models import (
    Commendation,
    Volunteer,
    VolunteerCertificate,
    VolunteerService,
    VolunteerTraining,
    split_skills,
)
from sanqu.volunteers.selectors import volunteers_for, writable_volunteers
from sanqu.workforce.forms import clean_id_number, clean_phone
from sanqu.workforce.models import Person
from sanqu.workforce.services import find_person_by_id_number

VOLUNTEER_EDITABLE = ("county", "station", "organisation", "skills", "availability", "notes")
MAX_HOURS_PER_DAY = Decimal(24)
MAX_TRAINING_HOURS = Decimal(200)
SUMMARY_ITEMS = 6


def one_decimal(value: Decimal | int) -> str:
    return str(Decimal(value).quantize(Decimal("0.1")))


def _for_write(actor: User, volunteer: Volunteer, perm: str) -> Volunteer:
    """The stored volunteer, re-read: 404 out of sight, 403 when the actor may not write it."""
    if not volunteers_for(actor).filter(pk=volunteer.pk).exists():
        raise Http404
    require_perm(actor, perm)
    if not writable_volunteers(actor).filter(pk=volunteer.pk).exists():
        raise PermissionDenied
    return Volunteer.objects.select_related("person", "county").get(pk=volunteer.pk)


def _not_future(field: str, day: dt.date, label: str) -> None:
    if day > clock.today():
        raise ValidationError({field: _("%(label)s不能晚于今天。") % {"label": label}})


def _check_profile(volunteer: Volunteer) -> None:
    if volunteer.county.level != Region.Level.COUNTY:
        raise ValidationError({"county": _("须为区县级行政区划。")})
    station = volunteer.station
    if station is not None and not station.region.path.startswith(volunteer.county.path):
        raise ValidationError({"station": _("服务站点须在志愿者所在的区县内。")})
    volunteer.skills = "、".join(split_skills(volunteer.skills))
    volunteer.availability = volunteer.availability.strip()
    volunteer.notes = volunteer.notes.strip()


def _person_for(*, actor: User, name: str, id_number: str, county: Region, phone: str) -> Person:
    """The person with this ID number: found by its keyed hash, or created (audited)."""
    try:
        number = clean_id_number(id_number)
    except ValidationError as error:
        raise ValidationError({"id_number": error.error_list}) from None
    existing = find_person_by_id_number(number)
    if existing is not None:
        if Volunteer.objects.filter(person=existing).exists():
            volunteer = Volunteer.objects.select_related("county").get(person=existing)
            if volunteers_for(actor).filter(pk=volunteer.pk).exists():
                message = _("该身份证号已登记为志愿者：%(name)s（%(county)s）。") % {
                    "name": existing.name,
                    "county": volunteer.county.name,
                }
            else:
                message = _("该身份证号已登记为志愿者。")
            raise ValidationError({"id_number": message}, code="duplicate")
        if existing.name != name:
            raise ValidationError(
                {"name": _("该身份证号已登记在另一个姓名下，请核对姓名和身份证号。")}, code="name_mismatch"
            )
        return existing
    person = Person(name=name, county=county)
    person.set_id_number(number)
    try:
        person.phone = clean_phone(phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.error_list}) from None
    person.full_clean()
    person.save()
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=person,
        detail={
            "changed": sorted(["county", "id_number", "name", "sex"] + (["phone"] if person.phone else []))
        },
    )
    return person


@transaction.atomic
def volunteer_register(
    *,
    actor: User,
    name: str,
    id_number: str,
    county: Region,
    registered_on: dt.date,
    station: Station | None = None,
    organisation: Organisation | None = None,
    phone: str = "",
    skills: str = "",
    availability: str = "",
    notes: str = "",
    request: HttpRequest | None = None,
) -> Volunteer:
    """Register a volunteer in a county; the ID number is checked (GB 11643) and deduplicated."""
    require_perm(actor, "volunteers.add_volunteer")
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写姓名。")})
    _not_future("registered_on", registered_on, _("登记日期"))
    volunteer = Volunteer(
        county=county,
        station=station,
        organisation=organisation,
        registered_on=registered_on,
        skills=skills,
        availability=availability,
        notes=notes,
        registered_by=actor,
    )
    _check_profile(volunteer)
    volunteer.person = _person_for(actor=actor, name=name, id_number=id_number, county=county, phone=phone)
    return audited_save(
        actor=actor,
        instance=volunteer,
        perm="volunteers.add_volunteer",
        writable=writable_volunteers(actor),
        request=request,
    )


def volunteer_update(
    *, actor: User, volunteer: Volunteer, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Volunteer:
    """Change the profile (county, station, organisation, skills, availability, notes)."""
    volunteer = _for_write(actor, volunteer, "volunteers.change_volunteer")
    before = snapshot(volunteer)
    apply(volunteer, data, editable=VOLUNTEER_EDITABLE)
    _check_profile(volunteer)
    return audited_save(
        actor=actor,
        instance=volunteer,
        perm="volunteers.change_volunteer",
        writable=writable_volunteers(actor),
        before=before,
        request=request,
    )


# Service hours.


def _check_link(
    *,
    actor: User,
    volunteer: Volunteer,
    served_on: dt.date,
    activity: CommunityActivity | None,
    group_session: GroupSession | None,
) -> None:
    if activity is not None and group_session is not None:
        raise ValidationError({"activity": _("一条服务记录只能关联一项社区活动或一节小组活动。")})
    if activity is not None:
        if not activities_for(actor).filter(pk=activity.pk).exists():
            raise PermissionDenied
        if activity.county_id != volunteer.county_id:
            raise ValidationError({"activity": _("所关联的社区活动须在志愿者所在的区县。")})
        if activity.held_on != served_on:
            raise ValidationError(
                {
                    "served_on": _("服务日期须与所关联活动的日期（%(day)s）一致。")
                    % {"day": f"{activity.held_on:%Y-%m-%d}"}
                }
            )
    if group_session is not None:
        if not groups_for(actor).filter(pk=group_session.group_id).exists():
            raise PermissionDenied
        if group_session.group.county_id != volunteer.county_id:
            raise ValidationError({"group_session": _("所关联的小组活动须在志愿者所在的区县。")})
        if group_session.held_on != served_on:
            raise ValidationError(
                {
                    "served_on": _("服务日期须与所关联活动的日期（%(day)s）一致。")
                    % {"day": f"{group_session.held_on:%Y-%m-%d}"}
                }
            )


@transaction.atomic
def service_record(
    *,
    actor: User,
    volunteer: Volunteer,
    served_on: dt.date,
    hours: Decimal,
    content: str,
    place: str = "",
    activity: CommunityActivity | None = None,
    group_session: GroupSession | None = None,
    request: HttpRequest | None = None,
) -> VolunteerService:
    """Hours of service on a day (travel excluded); a day holds at most 24 hours in all."""
    volunteer = _for_write(actor, volunteer, "volunteers.add_volunteerservice")
    hours = Decimal(hours)
    if hours <= 0:
        raise ValidationError({"hours": _("服务时长须大于 0 小时。")})
    if hours > MAX_HOURS_PER_DAY:
        raise ValidationError({"hours": _("服务时长不能超过一天 24 小时。")})
    if hours != hours.quantize(Decimal("0.1")):
        raise ValidationError({"hours": _("服务时长最多保留一位小数（如 2.5 小时）。")})
    _not_future("served_on", served_on, _("服务日期"))
    content = content.strip()
    if not content:
        raise ValidationError({"content": _("请填写服务内容。")})
    _check_link(
        actor=actor, volunteer=volunteer, served_on=served_on, activity=activity, group_session=group_session
    )
    # Lock the volunteer's row so two records of the same day cannot both pass the daily total.
    Volunteer.objects.select_for_update().filter(pk=volunteer.pk).exists()
    recorded = volunteer.services.filter(served_on=served_on).aggregate(total=Sum("hours"))["total"] or 0
    if recorded + hours > MAX_HOURS_PER_DAY:
        raise ValidationError(
            {
                "hours": _("%(day)s 已记录 %(recorded)s 小时，加上本次 %(hours)s 小时超过一天 24 小时。")
                % {
                    "day": f"{served_on:%Y-%m-%d}",
                    "recorded": one_decimal(recorded),
                    "hours": one_decimal(hours),
                }
            }
        )
    service = VolunteerService(
        volunteer=volunteer,
        county=volunteer.county,
        served_on=served_on,
        hours=hours,
        content=content,
        place=place.strip(),
        activity=activity,
        group_session=group_session,
        recorded_by=actor,
    )
    return audited_save(
        actor=actor,
        instance=service,
        perm="volunteers.add_volunteerservice",
        writable=VolunteerService.objects.filter(volunteer__in=writable_volunteers(actor)),
        request=request,
    )


# Training and commendations.


def training_add(
    *,
    actor: User,
    volunteer: Volunteer,
    trained_on: dt.date,
    title: str,
    hours: Decimal,
    request: HttpRequest | None = None,
) -> VolunteerTraining:
    volunteer = _for_write(actor, volunteer, "volunteers.add_volunteertraining")
    _not_future("trained_on", trained_on, _("培训日期"))
    if not title.strip():
        raise ValidationError({"title": _("请填写培训内容。")})
    if hours <= 0:
        raise ValidationError({"hours": _("培训学时须大于 0。")})
    if hours > MAX_TRAINING_HOURS:
        raise ValidationError({"hours": _("一次培训的学时不能超过 200。")})
    training = VolunteerTraining(
        volunteer=volunteer, trained_on=trained_on, title=title.strip(), hours=hours, recorded_by=actor
    )
    return audited_save(
        actor=actor,
        instance=training,
        perm="volunteers.add_volunteertraining",
        writable=VolunteerTraining.objects.filter(volunteer__in=writable_volunteers(actor)),
        request=request,
    )


def commendation_add(
    *,
    actor: User,
    volunteer: Volunteer,
    awarded_on: dt.date,
    title: str,
    awarded_by: str,
    request: HttpRequest | None = None,
) -> Commendation:
    volunteer = _for_write(actor, volunteer, "volunteers.add_commendation")
    _not_future("awarded_on", awarded_on, _("表彰日期"))
    if not title.strip():
        raise ValidationError({"title": _("请填写表彰名称。")})
    if not awarded_by.strip():
        raise ValidationError({"awarded_by": _("请填写表彰单位。")})
    commendation = Commendation(
        volunteer=volunteer,
        awarded_on=awarded_on,
        title=title.strip(),
        awarded_by=awarded_by.strip(),
        recorded_by=actor,
    )
    return audited_save(
        actor=actor,
        instance=commendation,
        perm="volunteers.add_commendation",
        writable=Commendation.objects.filter(volunteer__in=writable_volunteers(actor)),
        request=request,
    )


# Certificates (志愿服务证明).


def summarise(services: list[VolunteerService]) -> str:
    """The content of service: the main kinds of work by hours, e.g. `重阳节敬老活动（3次，7.5小时）；…`."""
    hours: dict[str, Decimal] = defaultdict(Decimal)
    times: dict[str, int] = defaultdict(int)
    for service in services:
        hours[service.content] += service.hours
        times[service.content] += 1
    ranked = sorted(hours, key=lambda content: (-hours[content], content))
    parts = [
        _("%(content)s（%(times)s次，%(hours)s小时）")
        % {"content": content, "times": times[content], "hours": one_decimal(hours[content])}
        for content in ranked[:SUMMARY_ITEMS]
    ]
    summary = "；".join(parts)
    if len(ranked) > SUMMARY_ITEMS:
        summary += _("等%(count)s项服务") % {"count": len(ranked)}
    return summary + "。"


def next_certificate_number(*, year: int, county: Region) -> str:
    """Issuing year, county code and a serial: 2018-500229-0007."""
    prefix = f"{year}-{county.code}-"
    last = (
        VolunteerCertificate.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    serial = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{serial:04d}"


def certificate_issue(
    *,
    actor: User,
    volunteer: Volunteer,
    period_start: dt.date,
    period_end: dt.date,
    issuer: str,
    issued_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> VolunteerCertificate:
    """Issue a certificate for a period: hours and content computed now from the records, and frozen.

    The certificate carries the full ID number, so issuing it needs the permission to see it.
    """
    volunteer = _for_write(actor, volunteer, "volunteers.add_volunteercertificate")
    require_perm(actor, UNMASK)
    issued_on = issued_on or clock.today()
    _not_future("issued_on", issued_on, _("出具日期"))
    if period_end < period_start:
        raise ValidationError({"period_end": _("服务期间的结束日期不能早于开始日期。")})
    if period_end > issued_on:
        raise ValidationError({"period_end": _("服务期间的结束日期不能晚于出具日期。")})
    issuer = issuer.strip()
    if not issuer:
        raise ValidationError({"issuer": _("请填写出具单位。")})
    services = list(
        volunteer.services.filter(served_on__gte=period_start, served_on__lte=period_end).order_by(
            "served_on", "id"
        )
    )
    if not services:
        raise ValidationError(
            {"period_start": _("该期间没有志愿服务记录，不能出具证明。请先记录服务时长，或调整服务期间。")}
        )
    # The certificate is a Chinese document whatever the issuer's interface language.
    with translation.override("zh-hans"):
        summary = summarise(services)
    for attempt in range(3):
        try:
            with transaction.atomic():
                certificate = VolunteerCertificate(
                    volunteer=volunteer,
                    number=next_certificate_number(year=issued_on.year, county=volunteer.county),
                    issued_on=issued_on,
                    issuer=issuer,
                    period_start=period_start,
                    period_end=period_end,
                    holder_name=volunteer.person.name,
                    holder_id_number=volunteer.person.id_number,
                    total_hours=sum((service.hours for service in services), Decimal(0)),
                    service_count=len(services),
                    content_summary=summary,
                    issued_by=actor,
                )
                return audited_save(
                    actor=actor,
                    instance=certificate,
                    perm="volunteers.add_volunteercertificate",
                    writable=VolunteerCertificate.objects.filter(volunteer__in=writable_volunteers(actor)),
                    request=request,
                    validate_unique=False,
                )
        except IntegrityError:
            # Two certificates of the county numbered at the same moment: take the next serial.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
