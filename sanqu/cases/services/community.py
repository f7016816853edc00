"""Community activities (社区活动): policy publicity, mutual aid, events, with headcount by group."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sanqu.accounts.models import User
from sanqu.accounts.services import audited_save, require_perm
from sanqu.cases.models import CommunityActivity, CommunityAttendance, TargetGroup
from sanqu.cases.selectors.community import writable_activities
from sanqu.cases.services.groups import check_place, worker_for
from sanqu.lib import clock
from sanqu.regions.models import Region, Station
from sanqu.workforce.models import Person


@transaction.atomic
def community_activity_record(
    *,
    actor: User,
    name: str,
    kind: str,
    held_on: dt.date,
    region: Region,
    headcounts: Mapping[TargetGroup, int],
    place: str = "",
    station: Station | None = None,
    worker: Person | None = None,
    duration_hours: Decimal = Decimal(2),
    notes: str = "",
    request: HttpRequest | None = None,
) -> CommunityActivity:
    """Record an activity held on a day (not in the future) with how many of each group took part."""
    require_perm(actor, "cases.add_communityactivity")
    leader = worker_for(actor, worker)
    county = check_place(actor=actor, region=region, station=station, worker=leader)
    if held_on > clock.today():
        raise ValidationError({"held_on": _("日期不能晚于今天。")})
    counts = {group: count for group, count in headcounts.items() if count}
    if any(count < 0 for count in counts.values()):
        raise ValidationError({"headcounts": _("人数不能为负数。")})
    if not counts:
        raise ValidationError({"headcounts": _("请至少填写一类服务对象的参与人数。")})
    name = name.strip()
    if CommunityActivity.objects.filter(worker=leader, name=name, held_on=held_on, region=region).exists():
        raise ValidationError(_("这次活动已经记录过了（同一社工、同一日期、同一地点、同一名称）。"))
    activity = CommunityActivity(
        name=name,
        kind=kind,
        held_on=held_on,
        place=place.strip(),
        county=county,
        region=region,
        station=station,
        organisation=leader.organisation,
        worker=leader,
        duration_hours=duration_hours,
        notes=notes.strip(),
    )
    audited_save(
        actor=actor,
        instance=activity,
        perm="cases.add_communityactivity",
        writable=writable_activities(actor),
        request=request,
    )
    CommunityAttendance.objects.bulk_create(
        CommunityAttendance(activity=activity, target_group=group, headcount=count)
        for group, count in counts.items()
    )
    return activity
