"""Group work (小组工作): plan a group, keep its members, record its sessions, close it.

A group moves through the phases of MZ/T 095-2017 (筹备 → 形成 → 转折 → 成熟 → 结束) and only
forward: each session says the phase it belongs to, and a session in an earlier phase than the
group has reached is refused. Every write is keyword-only, checks the actor's permission and
scope (a group out of sight answers 404, one in sight but not writable 403), validates, writes
in one transaction and leaves an audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import Role
from sanqu.accounts.services import apply, audited_save, require_perm, snapshot
from sanqu.cases.models import Beneficiary, Group, GroupAttendance, GroupMember, GroupSession, TargetGroup
from sanqu.cases.selectors.beneficiaries import beneficiaries_for
from sanqu.cases.selectors.groups import groups_for, places_for, writable_groups
from sanqu.lib import clock
from sanqu.regions.models import Region, Station
from sanqu.workforce.models import Person
from sanqu.workforce.selectors import people_for

PHASES = [phase for phase, _label in Group.Phase.choices]


def phase_index(phase: str) -> int:
    return PHASES.index(phase)


def county_of(region: Region) -> Region:
    """The district or county a village or township lies in."""
    node: Region | None = region
    while node is not None and node.level > Region.Level.COUNTY:
        node = node.parent
    if node is None or node.level != Region.Level.COUNTY:
        raise ValidationError({"region": _("开展地点须在某个区县之内。")})
    return node


def own_person(actor: User) -> Person | None:
    """The actor's own person record, from a social-worker membership."""
    membership = (
        actor.memberships.filter(role=Role.SOCIAL_WORKER, person__isnull=False)
        .select_related("person")
        .first()
    )
    return membership.person if membership is not None else None


def check_place(*, actor: User, region: Region, station: Station | None, worker: Person) -> Region:
    """The county of the place; the place must be one where the actor records field work (the form
    offers no other, and no other caller may pass one), the station must lie in its county and the
    worker be someone the actor sees."""
    if not people_for(actor).filter(pk=worker.pk).exists():
        raise PermissionDenied
    if not places_for(actor).filter(pk=region.pk).exists():
        raise ValidationError({"region": _("只能在您负责的乡镇或村（社区）开展。")})
    county = county_of(region)
    if station is not None and not station.region.path.startswith(county.path):
        raise ValidationError({"station": _("服务站点须在开展地点所在的区县内。")})
    return county


def worker_for(actor: User, worker: Person | None) -> Person:
    """A social worker records her own work; an officer names the worker."""
    own = own_person(actor)
    if own is not None:
        return own
    if worker is None:
        raise ValidationError({"worker": _("请选择负责的社工。")})
    return worker


def group_for_write(actor: User, group: Group, perm: str = "cases.change_group") -> Group:
    """The group, locked for the write: 404 when out of sight, 403 when the actor may only read it."""
    if not groups_for(actor).filter(pk=group.pk).exists():
        raise Http404
    require_perm(actor, perm)
    locked = writable_groups(actor).select_for_update().filter(pk=group.pk).first()
    if locked is None:
        raise PermissionDenied
    return locked


def _check_day(field: str, day: dt.date, *, not_before: dt.date | None = None, label: str = "") -> None:
    if day > clock.today():
        raise ValidationError({field: _("日期不能晚于今天。")})
    if not_before is not None and day < not_before:
        raise ValidationError(
            {field: _("日期不能早于%(what)s（%(day)s）。") % {"what": label, "day": not_before.isoformat()}}
        )


def _check_open(group: Group) -> None:
    if group.ended_on is not None:
        raise ValidationError(
            _("该小组已于 %(day)s 结束，不能再修改。") % {"day": group.ended_on.isoformat()}
        )


@transaction.atomic
def group_create(
    *,
    actor: User,
    name: str,
    purpose: str,
    region: Region,
    started_on: dt.date,
    planned_sessions: int = 6,
    target_groups: Iterable[TargetGroup] = (),
    station: Station | None = None,
    worker: Person | None = None,
    request: HttpRequest | None = None,
) -> Group:
    """Plan a group (phase 筹备). The worker is the actor's own person when she is a social worker."""
    require_perm(actor, "cases.add_group")
    leader = worker_for(actor, worker)
    county = check_place(actor=actor, region=region, station=station, worker=leader)
    if planned_sessions < 1:
        raise ValidationError({"planned_sessions": _("计划节数至少为 1。")})
    if Group.objects.filter(worker=leader, name=name.strip(), started_on=started_on).exists():
        raise ValidationError(_("这个小组已经建立过了（同一社工、同一名称、同一开始日期）。"))
    group = Group(
        name=name.strip(),
        purpose=purpose.strip(),
        county=county,
        region=region,
        station=station,
        organisation=leader.organisation,
        worker=leader,
        planned_sessions=planned_sessions,
        started_on=started_on,
    )
    audited_save(
        actor=actor, instance=group, perm="cases.add_group", writable=writable_groups(actor), request=request
    )
    group.target_groups.set(list(target_groups))
    return group


GROUP_EDITABLE = ("name", "purpose", "planned_sessions", "station")


@transaction.atomic
def group_update(
    *,
    actor: User,
    group: Group,
    data: Mapping[str, Any],
    target_groups: Iterable[TargetGroup] | None = None,
    request: HttpRequest | None = None,
) -> Group:
    """Revise the plan of an open group (name, aims, planned sessions, station, target groups)."""
    group = group_for_write(actor, group)
    _check_open(group)
    before = snapshot(group)
    apply(group, data, editable=GROUP_EDITABLE)
    if group.station is not None and not group.station.region.path.startswith(group.county.path):
        raise ValidationError({"station": _("服务站点须在开展地点所在的区县内。")})
    if group.planned_sessions < 1:
        raise ValidationError({"planned_sessions": _("计划节数至少为 1。")})
    audited_save(
        actor=actor,
        instance=group,
        perm="cases.change_group",
        writable=writable_groups(actor),
        before=before,
        request=request,
    )
    if target_groups is not None:
        chosen = {target.pk for target in target_groups}
        if chosen != set(group.target_groups.values_list("pk", flat=True)):
            group.target_groups.set(list(chosen))
            audit.record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                obj=group,
                detail={"changed": ["target_groups"]},
                request=request,
            )
    return group


@transaction.atomic
def group_member_add(
    *,
    actor: User,
    group: Group,
    beneficiary: Beneficiary,
    joined_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> GroupMember:
    """Add a beneficiary the actor may see; one who left earlier comes back as a current member."""
    group = group_for_write(actor, group)
    _check_open(group)
    if not beneficiaries_for(actor).filter(pk=beneficiary.pk).exists():
        raise PermissionDenied
    joined_on = joined_on or clock.today()
    _check_day("joined_on", joined_on)
    member = GroupMember.objects.filter(group=group, beneficiary=beneficiary).first()
    if member is not None and member.left_on is None:
        raise ValidationError({"beneficiary": _("%(name)s 已是本组组员。") % {"name": beneficiary.name}})
    if member is None:
        member = GroupMember(group=group, beneficiary=beneficiary, joined_on=joined_on)
    else:
        member.joined_on, member.left_on = joined_on, None
    member.full_clean()
    member.save()
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=group,
        detail={"changed": ["members"], "member_added": beneficiary.pk},
        request=request,
    )
    return member


@transaction.atomic
def group_member_remove(
    *,
    actor: User,
    group: Group,
    member: GroupMember,
    left_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> GroupMember:
    """A member leaves the group; their attendance so far is kept."""
    group = group_for_write(actor, group)
    _check_open(group)
    if member.group_id != group.pk or member.left_on is not None:
        raise Http404
    left_on = left_on or clock.today()
    _check_day("left_on", left_on, not_before=member.joined_on, label=_("加入小组的日期"))
    member.left_on = left_on
    member.full_clean()
    member.save()
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=group,
        detail={"changed": ["members"], "member_removed": member.beneficiary_id},
        request=request,
    )
    return member


def current_members(group: Group, *, on: dt.date | None = None) -> list[GroupMember]:
    """The members of the group (on a day: joined by then and not yet left)."""
    members = group.members.select_related("beneficiary").order_by("joined_on", "id")
    if on is None:
        return list(members.filter(left_on__isnull=True))
    return list(members.filter(joined_on__lte=on).filter(Q(left_on__isnull=True) | Q(left_on__gte=on)))


@transaction.atomic
def group_session_record(
    *,
    actor: User,
    group: Group,
    held_on: dt.date,
    phase: str,
    topic: str,
    present: Iterable[GroupMember] = (),
    duration_hours: Decimal = Decimal("1.5"),
    process_notes: str = "",
    request: HttpRequest | None = None,
) -> GroupSession:
    """Record a session: the next number, its phase (never back), attendance of every current member."""
    group = group_for_write(actor, group)
    _check_open(group)
    _check_day("held_on", held_on, not_before=group.started_on, label=_("小组开始日期"))
    if phase not in PHASES:
        raise ValidationError({"phase": _("请选择小组阶段。")})
    if phase_index(phase) < phase_index(group.phase):
        raise ValidationError(
            {
                "phase": _(
                    "小组阶段只能向前推进：本组已进入“%(current)s”阶段，不能记录“%(phase)s”阶段的活动。"
                )
                % {"current": group.get_phase_display(), "phase": Group.Phase(phase).label}
            }
        )
    last = group.sessions.order_by("-number").first()
    if last is not None and held_on < last.held_on:
        raise ValidationError(
            {"held_on": _("日期不能早于上一节活动（%(day)s）。") % {"day": last.held_on.isoformat()}}
        )
    topic = topic.strip()
    if group.sessions.filter(held_on=held_on, topic=topic).exists():
        raise ValidationError(_("这一节活动已经记录过了（同一日期、同一主题）。"))
    members = current_members(group, on=held_on)
    member_ids = {member.pk for member in members}
    attended = {member.pk for member in present}
    if not attended <= member_ids:
        raise ValidationError({"present": _("只能为本组现有组员记录出勤。")})
    number = (group.sessions.aggregate(last=Max("number"))["last"] or 0) + 1
    session = GroupSession(
        group=group,
        number=number,
        held_on=held_on,
        phase=phase,
        topic=topic,
        duration_hours=duration_hours,
        process_notes=process_notes.strip(),
    )
    session.full_clean()
    session.save()
    GroupAttendance.objects.bulk_create(
        GroupAttendance(session=session, member=member, present=member.pk in attended) for member in members
    )
    changed = ["sessions"]
    if phase != group.phase:
        group.phase = phase
        group.save(update_fields=["phase"])
        changed.append("phase")
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=session,
        detail={"changed": changed, "present": len(attended), "members": len(members)},
        request=request,
    )
    return session


@transaction.atomic
def group_close(
    *,
    actor: User,
    group: Group,
    evaluation: str,
    ended_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Group:
    """End the group (phase 结束) with its evaluation, which is required."""
    group = group_for_write(actor, group)
    _check_open(group)
    if not evaluation.strip():
        raise ValidationError({"evaluation": _("结束小组须填写小组评估。")})
    ended_on = ended_on or clock.today()
    last = group.sessions.order_by("-held_on").first()
    not_before, label = (last.held_on, _("最后一节活动")) if last else (group.started_on, _("小组开始日期"))
    _check_day("ended_on", ended_on, not_before=not_before, label=label)
    group.evaluation = evaluation.strip()
    group.ended_on = ended_on
    group.phase = Group.Phase.ENDING
    return audited_save(
        actor=actor,
        instance=group,
        perm="cases.change_group",
        writable=writable_groups(actor),
        request=request,
    )
