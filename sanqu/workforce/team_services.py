"""Writes to service teams and supervision sessions.

Every function is keyword-only, checks the actor's permission and scope (404 for what the actor
cannot see, 403 for what they may only read), validates with a message naming the field and the
rule, writes in one transaction and leaves an audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from sanqu.accounts.models import User
from sanqu.accounts.roles import Role
from sanqu.accounts.services import apply, audited_save, require_perm, snapshot
from sanqu.cases.models import Case
from sanqu.cases.services.groups import county_of
from sanqu.lib import clock
from sanqu.orgs.models import Organisation
from sanqu.regions.models import Region, Station
from sanqu.workforce.models import (
    Dispatch,
    Person,
    Supervision,
    SupervisionFollowUp,
    SupervisionSession,
    Team,
    TeamMember,
)
from sanqu.workforce.selectors import people_for
from sanqu.workforce.team_selectors import (
    completable_follow_ups,
    sessions_for,
    teams_for,
    writable_sessions,
    writable_teams,
)

TEAM_EDITABLE = ("name", "county", "station", "organisation", "formed_on", "disbanded_on")


def _day(day: dt.date) -> str:
    return day.isoformat()


def _not_future(field: str, day: dt.date | None, label: str) -> None:
    today = clock.today()
    if day is not None and day > today:
        raise ValidationError(
            {field: _("%(what)s不能晚于今天（%(today)s）。") % {"what": label, "today": _day(today)}},
            code="future",
        )


# Teams.


def _check_team(team: Team) -> None:
    team.name = team.name.strip()
    if not team.name:
        raise ValidationError({"name": _("请填写团队名称。")})
    if team.county.level != Region.Level.COUNTY:
        raise ValidationError({"county": _("须为区县级行政区划。")})
    _not_future("formed_on", team.formed_on, _("组建日期"))
    _not_future("disbanded_on", team.disbanded_on, _("解散日期"))
    if team.disbanded_on is not None and team.disbanded_on < team.formed_on:
        raise ValidationError({"disbanded_on": _("解散日期不能早于组建日期。")})
    station = team.station
    if station is not None:
        if not station.region.path.startswith(team.county.path):
            raise ValidationError({"station": _("服务站点须在团队所在的区县内。")})
        if station.closed_on is not None and station.closed_on < team.formed_on:
            raise ValidationError(
                {
                    "station": _("该站点已于 %(day)s 撤销，不能在此之后组建团队。")
                    % {"day": _day(station.closed_on)}
                }
            )
    duplicate = Team.objects.filter(county=team.county, name=team.name).exclude(pk=team.pk)
    if duplicate.exists():
        raise ValidationError({"name": _("%(county)s已有名为“%(name)s”的团队。") % {
            "county": team.county.name, "name": team.name,
        }})  # fmt: skip


def team_create(
    *,
    actor: User,
    name: str,
    county: Region,
    formed_on: dt.date,
    station: Station | None = None,
    organisation: Organisation | None = None,
    request: HttpRequest | None = None,
) -> Team:
    """A team at a station (or for a project) in a county, formed on a day."""
    team = Team(name=name, county=county, station=station, organisation=organisation, formed_on=formed_on)
    require_perm(actor, "workforce.add_team")
    _check_team(team)
    return audited_save(
        actor=actor, instance=team, perm="workforce.add_team", writable=writable_teams(actor), request=request
    )


def _team_for_write(actor: User, team: Team) -> Team:
    """The team, locked: 404 when out of sight, 403 when the actor may only read it."""
    if not teams_for(actor).filter(pk=team.pk).exists():
        raise Http404
    require_perm(actor, "workforce.change_team")
    locked = writable_teams(actor).select_for_update().filter(pk=team.pk).first()
    if locked is None:
        raise PermissionDenied
    return locked


@transaction.atomic
def team_update(
    *, actor: User, team: Team, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Team:
    """Change a team; disbanding it ends the memberships still open on that day."""
    locked = _team_for_write(actor, team)
    before = snapshot(locked)
    apply(locked, data, editable=TEAM_EDITABLE)
    _check_team(locked)
    members = list(locked.members.select_related("person"))
    if members and locked.county_id != before["county"]:
        raise ValidationError({"county": _("团队已有成员，不能更改所在区县。")})
    early = [m for m in members if m.joined_on < locked.formed_on]
    if early:
        raise ValidationError({"formed_on": _("%(name)s 于 %(day)s 加入，组建日期不能晚于此日。") % {
            "name": early[0].person.name, "day": _day(early[0].joined_on),
        }})  # fmt: skip
    disbanded = locked.disbanded_on
    if disbanded is not None:
        late = [m for m in members if m.joined_on > disbanded]
        if late:
            raise ValidationError({"disbanded_on": _("%(name)s 于 %(day)s 才加入，解散日期不能早于此日。") % {
                "name": late[0].person.name, "day": _day(late[0].joined_on),
            }})  # fmt: skip
    saved = audited_save(
        actor=actor,
        instance=locked,
        perm="workforce.change_team",
        writable=writable_teams(actor),
        before=before,
        request=request,
    )
    if disbanded is not None:
        for member in members:
            if member.left_on is None or member.left_on > disbanded:
                member_before = snapshot(member)
                member.left_on = disbanded
                audited_save(
                    actor=actor,
                    instance=member,
                    perm="workforce.change_team",
                    writable=TeamMember.objects.filter(team__in=writable_teams(actor)),
                    before=member_before,
                    request=request,
                )
    team.refresh_from_db()
    return saved


def _serving_in(person: Person, county: Region, day: dt.date) -> bool:
    """Whether the person was on a dispatch to the county on the day."""
    return (
        Dispatch.objects.filter(person=person, county=county, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .exists()
    )


def _check_member(member: TeamMember, team: Team) -> None:
    person = member.person
    _not_future("joined_on", member.joined_on, _("加入日期"))
    _not_future("left_on", member.left_on, _("离开日期"))
    if member.joined_on < team.formed_on:
        raise ValidationError(
            {"joined_on": _("加入日期不能早于团队组建日期（%(day)s）。") % {"day": _day(team.formed_on)}}
        )
    if team.disbanded_on is not None:
        if member.joined_on > team.disbanded_on:
            raise ValidationError(
                {
                    "joined_on": _("团队已于 %(day)s 解散，加入日期不能晚于解散日期。")
                    % {"day": _day(team.disbanded_on)}
                }
            )
        if member.left_on is not None and member.left_on > team.disbanded_on:
            raise ValidationError(
                {"left_on": _("离开日期不能晚于团队解散日期（%(day)s）。") % {"day": _day(team.disbanded_on)}}
            )
    if member.left_on is not None and member.left_on < member.joined_on:
        raise ValidationError({"left_on": _("离开日期不能早于加入日期。")})
    overlapping = TeamMember.objects.filter(team=team, person=person).exclude(pk=member.pk)
    overlapping = overlapping.filter(Q(left_on__isnull=True) | Q(left_on__gte=member.joined_on))
    if member.left_on is not None:
        overlapping = overlapping.filter(joined_on__lte=member.left_on)
    other = overlapping.first()
    if other is not None:
        period = (
            _("%(start)s 至 %(end)s") % {"start": _day(other.joined_on), "end": _day(other.left_on)}
            if other.left_on
            else _("%(start)s 起") % {"start": _day(other.joined_on)}
        )
        raise ValidationError({"person": _(
            "%(name)s %(period)s已是本团队的%(role)s，同一时期不能重复加入。"
        ) % {"name": person.name, "period": period, "role": other.get_role_display()}})  # fmt: skip
    serving = _serving_in(person, team.county, member.joined_on)
    if member.role == TeamMember.Role.DISPATCHED and not serving:
        raise ValidationError({"role": _(
            "%(name)s 在加入日期（%(day)s）没有派驻%(county)s的选派记录，不能作为选派社工加入；"
            "本地社工请选“本土社工”。"
        ) % {"name": person.name, "day": _day(member.joined_on), "county": team.county.name}})  # fmt: skip
    if member.role == TeamMember.Role.LOCAL and serving:
        raise ValidationError({"role": _(
            "%(name)s 在加入日期（%(day)s）正派驻%(county)s，应作为选派社工加入。"
        ) % {"name": person.name, "day": _day(member.joined_on), "county": team.county.name}})  # fmt: skip


@transaction.atomic
def team_member_add(
    *,
    actor: User,
    team: Team,
    person: Person,
    role: str,
    joined_on: dt.date,
    left_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> TeamMember:
    """A person joins a team in a role (supervisor, dispatched or local worker, volunteer) on a day."""
    locked = _team_for_write(actor, team)
    # The person must be someone the actor may see: the form's chooser limits this, the API must too.
    if not people_for(actor).filter(pk=person.pk).exists():
        raise PermissionDenied
    member = TeamMember(team=locked, person=person, role=role, joined_on=joined_on, left_on=left_on)
    if role not in TeamMember.Role.values:
        raise ValidationError({"role": _("请选择团队角色。")})
    _check_member(member, locked)
    return audited_save(
        actor=actor,
        instance=member,
        perm="workforce.change_team",
        writable=TeamMember.objects.filter(team__in=writable_teams(actor)),
        request=request,
    )


@transaction.atomic
def team_member_end(
    *, actor: User, member: TeamMember, left_on: dt.date, request: HttpRequest | None = None
) -> TeamMember:
    """A member leaves the team on a day."""
    team = _team_for_write(actor, member.team)
    member = TeamMember.objects.select_for_update().select_related("person").get(pk=member.pk, team=team)
    if member.left_on is not None:
        raise ValidationError(
            {"left_on": _("%(name)s 已于 %(day)s 离开本团队。") % {
                "name": member.person.name, "day": _day(member.left_on),
            }},
            code="ended",
        )  # fmt: skip
    before = snapshot(member)
    member.left_on = left_on
    _check_member(member, team)
    return audited_save(
        actor=actor,
        instance=member,
        perm="workforce.change_team",
        writable=TeamMember.objects.filter(team__in=writable_teams(actor)),
        before=before,
        request=request,
    )


# Supervision sessions.


@dataclass(frozen=True)
class FollowUpInput:
    action: str
    owner: Person
    due_on: dt.date


def own_supervisor(actor: User) -> Person:
    """The supervisor the actor is; a session is always recorded by the one who gave it."""
    membership = (
        actor.memberships.filter(role=Role.SUPERVISOR, person__isnull=False).select_related("person").first()
    )
    if membership is None or membership.person is None:
        raise PermissionDenied
    return membership.person


def _supervising_on(supervisor: Person, day: dt.date) -> set[int]:
    return set(
        Supervision.objects.filter(supervisor=supervisor, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .values_list("supervisee_id", flat=True)
    )


def _session_county(actor: User, supervisees: Sequence[Person], held_on: dt.date) -> Region:
    """The county of the supervisor's post; a city-wide supervisor's is where the worker serves."""
    for membership in actor.memberships.filter(role=Role.SUPERVISOR).select_related("region"):
        if membership.region.level >= Region.Level.COUNTY:
            return county_of(membership.region)
    worker = supervisees[0]
    dispatch = (
        Dispatch.objects.filter(person=worker, started_on__lte=held_on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=held_on))
        .select_related("county")
        .first()
    )
    return dispatch.county if dispatch is not None else worker.county


def _check_follow_up(follow_up: FollowUpInput, *, session: SupervisionSession, people: set[int]) -> None:
    action = follow_up.action.strip()
    if not action:
        raise ValidationError({"follow_ups": _("请填写跟进事项。")})
    if follow_up.owner.pk not in people:
        raise ValidationError({"follow_ups": _(
            "跟进事项“%(action)s”的负责人须是本次督导的督导或被督导社工。"
        ) % {"action": action}})  # fmt: skip
    if follow_up.due_on < session.held_on:
        raise ValidationError({"follow_ups": _(
            "跟进事项“%(action)s”的完成期限不能早于督导日期（%(day)s）。"
        ) % {"action": action, "day": _day(session.held_on)}})  # fmt: skip


def _save_follow_up(
    *, actor: User, session: SupervisionSession, follow_up: FollowUpInput, request: HttpRequest | None
) -> SupervisionFollowUp:
    return audited_save(
        actor=actor,
        instance=SupervisionFollowUp(
            session=session, action=follow_up.action.strip(), owner=follow_up.owner, due_on=follow_up.due_on
        ),
        perm="workforce.add_supervisionfollowup",
        writable=SupervisionFollowUp.objects.filter(session__in=writable_sessions(actor)),
        request=request,
    )


@transaction.atomic
def supervision_session_record(
    *,
    actor: User,
    supervisees: Iterable[Person],
    held_on: dt.date,
    format: str,  # the model's field name
    duration_hours: Decimal,
    topics: str,
    notes: str = "",
    cases: Iterable[Case] = (),
    follow_ups: Iterable[FollowUpInput] = (),
    request: HttpRequest | None = None,
) -> SupervisionSession:
    """A supervisor records a session given to one or more of the workers they supervise."""
    require_perm(actor, "workforce.add_supervisionsession")
    supervisor = own_supervisor(actor)
    workers = sorted({p.pk: p for p in supervisees}.values(), key=lambda p: (p.name, p.pk))
    cases = list({c.pk: c for c in cases}.values())
    follow_ups = list(follow_ups)
    if not workers:
        raise ValidationError({"supervisees": _("请至少选择一名被督导社工。")})
    _not_future("held_on", held_on, _("督导日期"))
    supervised = _supervising_on(supervisor, held_on)
    for worker in workers:
        if worker.pk not in supervised:
            raise ValidationError({"supervisees": _("%(name)s 在 %(day)s 不是您督导的社工。") % {
                "name": worker.name, "day": _day(held_on),
            }})  # fmt: skip
    if format == SupervisionSession.Format.INDIVIDUAL and len(workers) > 1:
        raise ValidationError({"format": _("个别督导只能有一名被督导社工；多人请选择“团体督导”。")})
    if format == SupervisionSession.Format.GROUP and len(workers) < 2:
        raise ValidationError({"format": _("团体督导须有两名及以上被督导社工。")})
    if not topics.strip():
        raise ValidationError({"topics": _("请填写督导主题。")})
    worker_ids = {worker.pk for worker in workers}
    for case in cases:
        if case.worker_id not in worker_ids:
            raise ValidationError({"cases": _(
                "个案 %(number)s 不由本次被督导的社工负责，不能列为讨论的个案。"
            ) % {"number": case.number}})  # fmt: skip
        if case.opened_on > held_on:
            raise ValidationError({"cases": _("个案 %(number)s 于 %(opened)s 才接案，晚于督导日期。") % {
                "number": case.number, "opened": _day(case.opened_on),
            }})  # fmt: skip
    session = SupervisionSession(
        supervisor=supervisor,
        county=_session_county(actor, workers, held_on),
        held_on=held_on,
        format=format,
        duration_hours=duration_hours,
        topics=topics.strip(),
        notes=notes.strip(),
        recorded_by=actor,
    )
    people = worker_ids | {supervisor.pk}
    for follow_up in follow_ups:
        _check_follow_up(follow_up, session=session, people=people)
    audited_save(
        actor=actor,
        instance=session,
        perm="workforce.add_supervisionsession",
        writable=writable_sessions(actor),
        request=request,
    )
    session.supervisees.set(workers)
    session.cases.set(cases)
    for follow_up in follow_ups:
        _save_follow_up(actor=actor, session=session, follow_up=follow_up, request=request)
    return session


@transaction.atomic
def follow_up_add(
    *,
    actor: User,
    session: SupervisionSession,
    action: str,
    owner: Person,
    due_on: dt.date,
    request: HttpRequest | None = None,
) -> SupervisionFollowUp:
    """Another follow-up to a session, by the supervisor who gave it."""
    if not sessions_for(actor).filter(pk=session.pk).exists():
        raise Http404
    require_perm(actor, "workforce.add_supervisionfollowup")
    if not writable_sessions(actor).filter(pk=session.pk).exists():
        raise PermissionDenied
    follow_up = FollowUpInput(action=action, owner=owner, due_on=due_on)
    people = set(session.supervisees.values_list("pk", flat=True)) | {session.supervisor_id}
    _check_follow_up(follow_up, session=session, people=people)
    return _save_follow_up(actor=actor, session=session, follow_up=follow_up, request=request)


@transaction.atomic
def follow_up_done(
    *,
    actor: User,
    follow_up: SupervisionFollowUp,
    done_on: dt.date,
    outcome: str,
    request: HttpRequest | None = None,
) -> SupervisionFollowUp:
    """Its owner, or the session's supervisor, marks a follow-up done with what came of it."""
    visible = SupervisionFollowUp.objects.filter(session__in=sessions_for(actor).values("pk"))
    if not visible.filter(pk=follow_up.pk).exists():
        raise Http404
    require_perm(actor, "workforce.change_supervisionfollowup")
    writable = completable_follow_ups(actor)
    locked = writable.select_for_update().select_related("session").filter(pk=follow_up.pk).first()
    if locked is None:
        raise PermissionDenied
    if locked.done_on is not None:
        raise ValidationError(_("该事项已于 %(day)s 完成。") % {"day": _day(locked.done_on)}, code="done")
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError({"outcome": _("请填写完成情况。")})
    _not_future("done_on", done_on, _("完成日期"))
    if done_on < locked.session.held_on:
        raise ValidationError(
            {"done_on": _("完成日期不能早于督导日期（%(day)s）。") % {"day": _day(locked.session.held_on)}}
        )
    before = snapshot(locked)
    locked.done_on = done_on
    locked.outcome = outcome
    return audited_save(
        actor=actor,
        instance=locked,
        perm="workforce.change_supervisionfollowup",
        writable=writable,
        before=before,
        request=request,
    )
