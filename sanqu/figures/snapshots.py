"""Snapshots: freeze the figures of a scope and date, reproduce them later, explain what changed.

`take_snapshot` stores `compute_figures` (made JSON-safe) with a fingerprint of the records behind
it: for every table the figures read (`SOURCES`), the ids of the rows in the scope that counted on
the date, each with a short hash of the values the figures use, and the table's highest id at
that moment (which tells a record added later from one that existed but did not count).

`compare` recomputes the figures for the same scope and date and explains the differences table by
table: records added since (补录 when dated on or before the snapshot's date), deleted, and
corrected (same id, different values, or moved into or out of the scope or the date by an edit).
`reproduce` only says whether today's figures equal the frozen ones.

Hashing is deterministic: each row is a JSON object with sorted keys, dates as ISO strings,
Decimals normalised ("2.50" and "2.5" hash alike), many-to-many links as sorted id lists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Max, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import Role
from sanqu.accounts.scoping import get_or_404, scope_of
from sanqu.cases.models import (
    Assessment,
    Beneficiary,
    Case,
    CasePlan,
    Closure,
    CommunityActivity,
    CommunityAttendance,
    Evaluation,
    GroupSession,
    ServiceRecord,
    ServiceType,
    TargetGroup,
)
from sanqu.figures.engine import FIGURE_LABELS, compute_figures
from sanqu.figures.models import FigureSnapshot
from sanqu.incentives.models import IncentiveClaim, IncentivePolicy
from sanqu.lib import clock
from sanqu.orgs.models import Organisation
from sanqu.projects.models import (
    Grade,
    LivelihoodProject,
    PeriodicReport,
    Project,
    ProjectEvaluation,
    ReceivingCounty,
    ReportTemplate,
    Target,
    VisitAction,
)
from sanqu.regions.models import Region
from sanqu.training.models import Trainee
from sanqu.volunteers.models import VolunteerService
from sanqu.workforce.models import Certificate, Dispatch

TAKE = "figures.add_figuresnapshot"
VIEW = "figures.view_figuresnapshot"
# Region roles that may take a snapshot, each within its own region.
TAKERS = (Role.CITY_ADMIN, Role.COUNTY_OFFICER)

# Figures that rest on the receiving counties as of the date (and so on ReceivingCounty).
_COUNTY_BASED = (
    "receiving_counties",
    "organisations_total",
    "organisations_by_type",
    "counties_with_organisations",
    "organisations_baseline",
    "organisations_added",
    "certified_total",
    "certified_baseline",
    "certified_growth_multiple",
    "certified_by_level",
    "incentive_counties",
    "trainees_vs_quota",
)
_ORGANISATIONS = (
    "organisations_total",
    "organisations_by_type",
    "counties_with_organisations",
    "organisations_baseline",
    "organisations_added",
)
_CERTIFIED = (
    "certified_total",
    "certified_baseline",
    "certified_growth_multiple",
    "certified_by_level",
)
_CASE_STAGES = ("cases_by_stage",)
_PROJECTS = ("projects_total", "project_progress", "report_timeliness")


@dataclass(frozen=True)
class Source:
    """One table the figures read: which rows count in a scope on a date, and what is hashed."""

    key: str
    label: Promise
    model: type[models.Model]
    region: str | None  # lookup to the Region whose path decides the scope; None: programme-wide
    visible: Callable[[dt.date], Q]  # the rows that count on the date
    day: str  # the record's own date (shown, and decides 补录)
    fields: tuple[str, ...]
    figures: tuple[str, ...]  # the figures it feeds
    links: tuple[tuple[str, str], ...] = ()  # (URL name, field holding the pk), first non-empty wins
    many: tuple[str, ...] = ()  # many-to-many fields hashed as sorted id lists

    def rows(self, scope: Region, as_of: dt.date) -> models.QuerySet[Any]:
        queryset = self.model._default_manager.filter(self.visible(as_of))
        if self.region is not None:
            queryset = queryset.filter(**{f"{self.region}__path__startswith": scope.path})
        return queryset.order_by("pk")


def _on_or_before(name: str) -> Callable[[dt.date], Q]:
    return lambda as_of: Q(**{f"{name}__lte": as_of})


def _admin(app: str, model: str) -> tuple[str, str]:
    return (f"wagtailsnippets_{app}_{model}:edit", "pk")


_CASE_LINK = (("case_detail", "case_id"),)

SOURCES: tuple[Source, ...] = (
    Source(
        "receiving_counties", gettext_lazy("受援区县"), ReceivingCounty, "county",
        _on_or_before("programme_year__starts_on"), "programme_year__starts_on",
        ("programme_year_id", "county_id", "dispatch_quota", "training_quota", "programme_year__starts_on"),
        _COUNTY_BASED, (_admin("projects", "receivingcounty"),),
    ),
    Source(
        "dispatches", gettext_lazy("选派"), Dispatch, "county", _on_or_before("started_on"), "started_on",
        ("person_id", "programme_year_id", "sending_organisation_id", "county_id", "started_on",
         "ended_on", "status", "leave_reason"),
        ("dispatched_total", "dispatched_people", "dispatch_retention", "early_leavers_by_reason"),
        (("dispatch_detail", "pk"),),
    ),
    Source(
        "trainees", gettext_lazy("培养对象"), Trainee, "county",
        lambda as_of: Q(completed_on__lte=as_of) | Q(programme_year__starts_on__lte=as_of), "completed_on",
        ("person_id", "programme_year_id", "county_id", "completed_on", "person__organisation"),
        ("trained_total", "trainees_vs_quota", "project_progress"), (("training_trainee", "pk"),),
    ),
    Source(
        "organisations", gettext_lazy("社会工作组织"), Organisation, "home_county",
        _on_or_before("registered_on"), "registered_on",
        ("kind", "social_work", "home_county_id", "registered_on", "deregistered_on"),
        _ORGANISATIONS, (_admin("orgs", "organisation"),),
    ),
    Source(
        "certificates", gettext_lazy("职业水平证书"), Certificate, "county", _on_or_before("obtained_on"),
        "obtained_on", ("person_id", "level", "county_id", "obtained_on"), _CERTIFIED,
        (_admin("workforce", "certificate"),),
    ),
    Source(
        "incentive_policies", gettext_lazy("激励政策"), IncentivePolicy, "county",
        _on_or_before("effective_from"), "effective_from",
        ("county_id", "kind", "effective_from", "effective_until"), ("incentive_counties",),
        (_admin("incentives", "incentivepolicy"),),
    ),
    Source(
        "incentive_claims", gettext_lazy("激励申领"), IncentiveClaim, "policy__county",
        _on_or_before("paid_on"), "paid_on", ("policy_id", "status", "paid_on", "amount"),
        ("incentive_claims_paid",), (("incentive_claim", "pk"),),
    ),
    Source(
        "beneficiaries", gettext_lazy("服务对象"), Beneficiary, "region", _on_or_before("registered_on"),
        "registered_on", ("region_id", "registered_on", "responsible_worker_id"),
        ("beneficiaries_by_group", "project_progress"), (("beneficiary_detail", "pk"),), ("target_groups",),
    ),
    Source(
        "cases", gettext_lazy("个案"), Case, "county", _on_or_before("opened_on"), "opened_on",
        ("county_id", "opened_on", "approval_required", "organisation_id", "beneficiary_id"),
        ("cases_by_stage", "project_progress"), (("case_detail", "pk"),),
    ),
    Source(
        "assessments", gettext_lazy("个案预估"), Assessment, "case__county", _on_or_before("assessed_on"),
        "assessed_on", ("case_id", "assessed_on"), _CASE_STAGES, _CASE_LINK,
    ),
    Source(
        "case_plans", gettext_lazy("服务计划"), CasePlan, "case__county", _on_or_before("drafted_on"),
        "drafted_on", ("case_id", "drafted_on", "status", "reviewed_at"), _CASE_STAGES, _CASE_LINK,
    ),
    Source(
        "case_evaluations", gettext_lazy("个案评估"), Evaluation, "case__county",
        _on_or_before("evaluated_on"), "evaluated_on", ("case_id", "evaluated_on"), _CASE_STAGES, _CASE_LINK,
    ),
    Source(
        "closures", gettext_lazy("结案"), Closure, "case__county", _on_or_before("closed_on"), "closed_on",
        ("case_id", "closed_on", "status"), _CASE_STAGES, _CASE_LINK,
    ),
    Source(
        "service_records", gettext_lazy("服务记录"), ServiceRecord, "county", _on_or_before("served_on"),
        "served_on",
        ("served_on", "county_id", "service_type_id", "duration_hours", "beneficiary_id", "case_id",
         "worker_id"),
        ("services_by_type", "service_hours", "project_progress"),
        (("case_detail", "case_id"), ("beneficiary_detail", "beneficiary_id")),
    ),
    Source(
        "group_sessions", gettext_lazy("小组活动"), GroupSession, "group__county", _on_or_before("held_on"),
        "held_on", ("group_id", "held_on", "group__county", "group__organisation"),
        ("group_sessions", "project_progress"), (("group_detail", "group_id"),),
    ),
    Source(
        "community_activities", gettext_lazy("社区活动"), CommunityActivity, "county",
        _on_or_before("held_on"), "held_on", ("held_on", "county_id", "organisation_id"),
        ("community_attendance", "project_progress"), (("community_detail", "pk"),),
    ),
    Source(
        "community_attendance", gettext_lazy("社区活动参与"), CommunityAttendance, "activity__county",
        _on_or_before("activity__held_on"), "activity__held_on",
        ("activity_id", "target_group_id", "headcount", "activity__held_on", "activity__county"),
        ("community_attendance",), (("community_detail", "activity_id"),),
    ),
    Source(
        "livelihood_projects", gettext_lazy("生计项目"), LivelihoodProject, "county",
        _on_or_before("started_on"), "started_on", ("county_id", "started_on", "households_reached"),
        ("livelihood_households",), (("livelihood_detail", "pk"),),
    ),
    Source(
        "volunteer_services", gettext_lazy("志愿服务"), VolunteerService, "county",
        _on_or_before("served_on"), "served_on",
        ("volunteer_id", "county_id", "served_on", "hours", "volunteer__organisation"),
        ("volunteer_hours", "project_progress"), (("volunteer_detail", "volunteer_id"),),
    ),
    Source(
        "projects", gettext_lazy("项目"), Project, "county", _on_or_before("signed_on"), "signed_on",
        ("programme_year_id", "county_id", "organisation_id", "signed_on", "starts_on", "ends_on",
         *(f"target_{target}" for target in Target.values)),
        _PROJECTS, (("project_detail", "pk"),),
    ),
    Source(
        "report_templates", gettext_lazy("报告模板"), ReportTemplate, None,
        _on_or_before("programme_year__starts_on"), "programme_year__starts_on",
        ("programme_year_id", "cadence", "due_day", "active"), ("report_timeliness",),
        (_admin("projects", "reporttemplate"),),
    ),
    Source(
        "periodic_reports", gettext_lazy("定期报告"), PeriodicReport, "project__county",
        _on_or_before("period_start"), "period_start",
        ("project_id", "template_id", "period_start", "period_end", "first_submitted_on"),
        ("report_timeliness",), (("report_detail", "pk"),),
    ),
    Source(
        "visit_actions", gettext_lazy("督查整改事项"), VisitAction, "visit__county",
        _on_or_before("visit__visited_on"), "visit__visited_on",
        ("visit_id", "due_on", "closed_on", "visit__visited_on", "visit__county"),
        ("visits_open_actions",), (("visit_detail", "visit_id"),),
    ),
    Source(
        "project_evaluations", gettext_lazy("绩效评估"), ProjectEvaluation, "project__county",
        _on_or_before("evaluated_on"), "evaluated_on",
        ("project_id", "kind", "status", "grade", "evaluated_on"), ("evaluation_grades",),
        (("evaluation_detail", "pk"),),
    ),
)  # fmt: skip
SOURCES_BY_KEY = {source.key: source for source in SOURCES}


# Hashing --------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A value as it is hashed: dates as ISO strings, Decimals normalised, the rest as it is."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def row_hash(values: dict[str, Any]) -> str:
    """8 hex digits over the row's values (sorted keys, plain values)."""
    text = json.dumps({name: _plain(value) for name, value in values.items()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _many(source: Source, ids: models.QuerySet[Any]) -> dict[str, dict[int, list[int]]]:
    result: dict[str, dict[int, list[int]]] = {}
    for name in source.many:
        relation = source.model._meta.get_field(name)
        through = relation.remote_field.through  # type: ignore[union-attr]
        own = relation.m2m_field_name()  # type: ignore[union-attr]
        other = relation.m2m_reverse_field_name()  # type: ignore[union-attr]
        links: dict[int, list[int]] = defaultdict(list)
        for owner, target in (
            through._default_manager.filter(**{f"{own}__in": ids})
            .order_by(own, other)
            .values_list(f"{own}_id", f"{other}_id")
        ):
            links[owner].append(target)
        result[name] = links
    return result


def fingerprint_rows(source: Source, scope: Region, as_of: dt.date) -> list[list[Any]]:
    """[[id, hash], ...] sorted by id: the rows of the table that count in the scope on the date."""
    queryset = source.rows(scope, as_of)
    many = _many(source, queryset.values("pk")) if source.many else {}
    result = []
    for row in queryset.values_list("pk", *source.fields).iterator(chunk_size=5000):
        values = dict(zip(source.fields, row[1:], strict=True))
        for name, links in many.items():
            values[name] = links.get(row[0], [])
        result.append([row[0], row_hash(values)])
    return result


def _digest(rows: list[list[Any]]) -> str:
    return hashlib.sha256(json.dumps(rows, separators=(",", ":")).encode()).hexdigest()[:16]


def fingerprint(
    scope: Region, as_of: dt.date
) -> tuple[dict[str, list[list[Any]]], dict[str, dict[str, Any]]]:
    """({table: rows}, {table: {count, digest, max_id}}) for the scope and date."""
    rows: dict[str, list[list[Any]]] = {}
    digests: dict[str, dict[str, Any]] = {}
    for source in SOURCES:
        table = fingerprint_rows(source, scope, as_of)
        rows[source.key] = table
        max_id = source.model._default_manager.aggregate(n=Max("pk"))["n"] or 0
        digests[source.key] = {"count": len(table), "digest": _digest(table), "max_id": max_id}
    return rows, digests


def json_safe(figures: dict[str, object]) -> dict[str, Any]:
    """The figures as they are stored (Decimals as strings, dates as ISO strings)."""
    result: dict[str, Any] = json.loads(json.dumps(figures, cls=DjangoJSONEncoder))
    return result


# Writing and reading --------------------------------------------------------------------------


def can_take(user: User, scope: Region) -> bool:
    """The user may freeze the figures of `scope`: a taker role whose region contains it."""
    if not user.has_perm(TAKE):
        return False
    mine = scope_of(user)
    if mine.superuser:
        return True
    paths = [path for role in TAKERS for path in mine.paths_by_role.get(role, ())]
    return any(scope.path.startswith(path) for path in paths)


def snapshot_scopes(user: User) -> models.QuerySet[Region]:
    """The regions (the municipality and its counties) the user may freeze figures for."""
    regions = Region.objects.filter(level__lte=Region.Level.COUNTY).order_by("level", "code")
    mine = scope_of(user)
    if mine.superuser:
        return regions
    query = Q(pk__in=[])
    for role in TAKERS:
        for path in mine.paths_by_role.get(role, ()):
            query |= Q(path__startswith=path)
    return regions.filter(query) if user.has_perm(TAKE) else regions.none()


@transaction.atomic
def take_snapshot(
    *,
    actor: User | None,
    scope: Region,
    as_of: dt.date,
    reason: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> FigureSnapshot:
    """Freeze the figures of `scope` on `as_of` with the fingerprint of their records.

    `actor` None is the operator at the command line (`sanqu snapshot`): no permission to check,
    and the audit entry names no account.
    """
    if actor is not None and not can_take(actor, scope):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if reason not in FigureSnapshot.Reason.values:
        errors["reason"] = _("冻结原因须为年终、发布报告或手动之一。")
    if as_of > clock.today():
        errors["as_of"] = _("统计日期不能晚于今天（%(today)s）。") % {"today": clock.today().isoformat()}
    if len(note) > 200:
        errors["note"] = _("说明最多 200 个字。")
    if errors:
        raise ValidationError(errors)
    rows, digests = fingerprint(scope, as_of)
    made = FigureSnapshot(
        scope=scope,
        as_of=as_of,
        taken_by=actor,
        taken_by_name=(actor.display_name or actor.get_username()) if actor is not None else "",
        reason=reason,
        note=note,
        figures=json_safe(compute_figures(scope=scope, as_of=as_of)),
        digests=digests,
        fingerprint=FigureSnapshot.pack(rows),
    )
    made.save()
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=made,
        detail={
            "scope": scope.code,
            "as_of": as_of.isoformat(),
            "reason": reason,
            "rows": sum(item["count"] for item in digests.values()),
        },
        request=request,
    )
    return made


def snapshots_for(user: User) -> models.QuerySet[FigureSnapshot]:
    """The snapshots of regions within the user's region scope (none without the permission)."""
    if not user.has_perm(VIEW):
        return FigureSnapshot.objects.none()
    return (
        scope_of(user)
        .filter(FigureSnapshot.objects.all(), region="scope")
        .select_related("scope")
        .defer("fingerprint")
    )


def get_snapshot_for_user(user: User, pk: int) -> FigureSnapshot:
    if not user.has_perm(VIEW):
        raise PermissionDenied
    return get_or_404(
        scope_of(user).filter(FigureSnapshot.objects.select_related("scope"), region="scope"), pk=pk
    )


# Figures, flattened for comparison ------------------------------------------------------------


def part_labels() -> dict[str, dict[str, str]]:
    """The labels of the sub-keys of the breakdown figures (as `sanqu figures` prints them)."""
    return {
        "organisations_by_type": {kind.value: str(kind.label) for kind in Organisation.Kind},
        "beneficiaries_by_group": dict(TargetGroup.objects.values_list("code", "name")),
        "cases_by_stage": {stage.value: str(stage.label) for stage in Case.Stage},
        "services_by_type": dict(ServiceType.objects.values_list("code", "name")),
        "dispatch_retention": {
            "ended": _("已结束"),
            "completed": _("期满"),
            "left_early": _("提前离岗"),
            "rate": _("留任率（%）"),
        },
        "early_leavers_by_reason": {reason.value: str(reason.label) for reason in Dispatch.LeaveReason},
        "trainees_vs_quota": {"quota": _("培养名额"), "recommended": _("已推荐"), "completed": _("已结业")},
        "certified_by_level": {level.value: str(level.label) for level in Certificate.Level},
        "incentive_claims_paid": {"count": _("笔数"), "amount": _("金额（元）")},
        "project_progress": {target.value: str(target.label) for target in Target},
        "report_timeliness": {
            "due": _("应报"),
            "on_time": _("按时"),
            "late": _("逾期补报"),
            "missing": _("未报"),
            "rate": _("按时率（%）"),
        },
        "visits_open_actions": {
            "open": _("未完成"),
            "overdue": _("其中逾期"),
            "closed_on_time": _("按期完成"),
            "closed_late": _("逾期完成"),
        },
        "evaluation_grades": {kind.value: str(kind.label) for kind in ProjectEvaluation.Kind},
        "_progress": {"goal": _("目标"), "done": _("完成"), "percent": _("完成率（%）")},
        "_grades": {grade.value: str(grade.label) for grade in Grade},
    }


@dataclass(frozen=True)
class FigureValue:
    key: str  # the FIGURE_LABELS key
    path: tuple[str, ...]  # sub-keys below it
    label: str
    value: Any


def flatten(figures: dict[str, Any], labels: dict[str, dict[str, str]] | None = None) -> list[FigureValue]:
    """One entry per number: dict figures expanded into their parts, labelled, in reading order."""
    labels = labels if labels is not None else part_labels()
    result: list[FigureValue] = []
    keys = [*FIGURE_LABELS, *(key for key in figures if key not in FIGURE_LABELS)]
    for key in keys:
        if key not in figures:
            continue
        title = str(FIGURE_LABELS.get(key, key))
        value = figures[key]
        if not isinstance(value, dict):
            result.append(FigureValue(key, (), title, value))
            continue
        parts = labels.get(key, {})
        for part, inner in value.items():
            name = f"{title} · {parts.get(part, part)}"
            if isinstance(inner, dict):
                sub = labels["_progress"] if key == "project_progress" else labels["_grades"]
                for leaf, number in inner.items():
                    result.append(FigureValue(key, (part, leaf), f"{name} · {sub.get(leaf, leaf)}", number))
            else:
                result.append(FigureValue(key, (part,), name, inner))
    return result


# Comparison -----------------------------------------------------------------------------------

ADDED, DELETED, CORRECTED = "added", "deleted", "corrected"
BUCKETS = (ADDED, DELETED, CORRECTED)


@dataclass(frozen=True)
class FigureChange:
    key: str
    path: tuple[str, ...]
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class RecordChange:
    table: str
    id: int
    bucket: str
    day: dt.date | None = None
    url: str = ""
    late: bool = False  # added after the snapshot but dated on or before its date (补录)
    note: str = ""


@dataclass
class TableChanges:
    source: Source
    added: list[RecordChange] = field(default_factory=list)
    deleted: list[RecordChange] = field(default_factory=list)
    corrected: list[RecordChange] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.added) + len(self.deleted) + len(self.corrected)

    @property
    def late(self) -> int:
        return sum(1 for change in self.added if change.late)

    def bucket(self, name: str) -> list[RecordChange]:
        return list(getattr(self, name))


@dataclass
class Comparison:
    snapshot: FigureSnapshot
    figures_now: dict[str, Any]
    changed: list[FigureChange]
    unchanged: int
    tables: list[TableChanges]  # only tables with changes, in SOURCES order

    @property
    def reproduced(self) -> bool:
        return not self.changed

    def table(self, key: str) -> TableChanges | None:
        return next((table for table in self.tables if table.source.key == key), None)

    def causes(self, change: FigureChange) -> list[TableChanges]:
        """The changed tables that feed the figure."""
        return [table for table in self.tables if change.key in table.source.figures]


def reproduce(snapshot: FigureSnapshot) -> bool:
    """Today's figures for the snapshot's scope and date equal the frozen ones."""
    return json_safe(compute_figures(scope=snapshot.scope, as_of=snapshot.as_of)) == snapshot.figures


def _record_links(source: Source, ids: Iterable[int]) -> dict[int, tuple[dt.date | None, str]]:
    """id → (its date, its page) for rows that still exist."""
    ids = list(ids)
    if not ids:
        return {}
    wanted = list(dict.fromkeys([source.day, *(name for _url, name in source.links)]))
    result: dict[int, tuple[dt.date | None, str]] = {}
    for chunk in _chunks(ids, 500):
        for row in source.model._default_manager.filter(pk__in=chunk).values("pk", *wanted):
            url = ""
            for url_name, name in source.links:
                if row.get(name) is not None:
                    url = reverse(url_name, args=[row[name]])
                    break
            day = row[source.day]
            result[row["pk"]] = (day.date() if isinstance(day, dt.datetime) else day, url)
    return result


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _table_changes(source: Source, then: list[list[Any]], now: list[list[Any]], max_id: int,
                   as_of: dt.date) -> TableChanges:  # fmt: skip
    before = {row[0]: row[1] for row in then}
    after = {row[0]: row[1] for row in now}
    new_ids = [pk for pk in after if pk not in before]
    gone_ids = [pk for pk in before if pk not in after]
    edited = [pk for pk in after if pk in before and before[pk] != after[pk]]
    existing_gone = set(source.model._default_manager.filter(pk__in=gone_ids).values_list("pk", flat=True))
    links = _record_links(source, [*new_ids, *edited, *existing_gone])
    changes = TableChanges(source)
    for pk in new_ids:
        day, url = links.get(pk, (None, ""))
        if pk > max_id:
            late = day is not None and day <= as_of
            changes.added.append(RecordChange(source.key, pk, ADDED, day, url, late=late))
        else:  # it existed when the snapshot was taken, and an edit brought it in
            changes.corrected.append(RecordChange(source.key, pk, CORRECTED, day, url, note=_("改后计入")))
    for pk in gone_ids:
        if pk in existing_gone:  # it still exists: an edit took it out of the scope or the date
            day, url = links.get(pk, (None, ""))
            changes.corrected.append(
                RecordChange(source.key, pk, CORRECTED, day, url, note=_("改后不再计入"))
            )
        else:
            changes.deleted.append(RecordChange(source.key, pk, DELETED))
    for pk in edited:
        day, url = links.get(pk, (None, ""))
        changes.corrected.append(RecordChange(source.key, pk, CORRECTED, day, url))
    changes.corrected.sort(key=lambda change: change.id)
    return changes


def compare(snapshot: FigureSnapshot) -> Comparison:
    """Today's figures for the snapshot's scope and date against the frozen ones, and why they differ."""
    scope, as_of = snapshot.scope, snapshot.as_of
    now = json_safe(compute_figures(scope=scope, as_of=as_of))
    labels = part_labels()
    old_values = {(item.key, item.path): item for item in flatten(snapshot.figures, labels)}
    new_values = {(item.key, item.path): item for item in flatten(now, labels)}
    changed: list[FigureChange] = []
    unchanged = 0
    for address in dict.fromkeys([*old_values, *new_values]):
        old, new = old_values.get(address), new_values.get(address)
        if old is not None and new is not None and old.value == new.value:
            unchanged += 1
            continue
        label = (new or old).label  # type: ignore[union-attr]
        changed.append(
            FigureChange(
                address[0],
                address[1],
                label,
                old.value if old is not None else None,
                new.value if new is not None else None,
            )
        )
    return Comparison(snapshot, now, changed, unchanged, record_changes(snapshot))


def record_changes(snapshot: FigureSnapshot, only: str | None = None) -> list[TableChanges]:
    """The tables (all, or only the one named) whose counted records changed since the snapshot."""
    frozen = snapshot.rows
    tables = []
    for source in SOURCES:
        if only is not None and source.key != only:
            continue
        then = frozen.get(source.key, [])
        current = fingerprint_rows(source, snapshot.scope, snapshot.as_of)
        summary = snapshot.digests.get(source.key, {})
        if summary.get("digest") == _digest(current) and len(then) == len(current):
            continue
        table = _table_changes(source, then, current, int(summary.get("max_id", 0)), snapshot.as_of)
        if table.total:
            tables.append(table)
    return tables


def describe(comparison: Comparison) -> list[str]:
    """The comparison in Chinese lines (for the command line)."""
    snapshot = comparison.snapshot
    lines = [
        _("快照 #%(id)s：%(scope)s（%(code)s）截至 %(as_of)s，冻结于 %(taken)s")
        % {
            "id": snapshot.pk,
            "scope": snapshot.scope.name,
            "code": snapshot.scope.code,
            "as_of": snapshot.as_of.isoformat(),
            "taken": timezone.localtime(snapshot.taken_at).strftime("%Y-%m-%d %H:%M"),
        }
    ]
    if comparison.reproduced:
        lines.append(_("今天重算的 %(count)s 个数字与冻结时完全一致。") % {"count": comparison.unchanged})
    else:
        lines.append(
            _("%(changed)s 个数字有变化，%(unchanged)s 个未变：")
            % {"changed": len(comparison.changed), "unchanged": comparison.unchanged}
        )
        for change in comparison.changed:
            lines.append(f"  {change.label}：{_shown(change.old)} → {_shown(change.new)}")
    if not comparison.tables:
        lines.append(_("记录与冻结时一致。"))
    for table in comparison.tables:
        lines.append(f"{table.source.label}：")
        for name, title in bucket_titles().items():
            items = table.bucket(name)
            if items:
                ids = "、".join(_record_text(item) for item in items[:20])
                more = _("等 %(count)s 条") % {"count": len(items)} if len(items) > 20 else ""
                lines.append(f"  {title} {len(items)}：{ids}{more}")
    return lines


def bucket_titles() -> dict[str, str]:
    return {ADDED: _("新增"), DELETED: _("已删除"), CORRECTED: _("已更正")}


def _record_text(change: RecordChange) -> str:
    text = f"#{change.id}"
    if change.day is not None:
        text += f"（{change.day.isoformat()}）"
    if change.late:
        text += _("补录")
    if change.note:
        text += f"[{change.note}]"
    return text


def _shown(value: Any) -> str:
    return "—" if value is None else str(value)
