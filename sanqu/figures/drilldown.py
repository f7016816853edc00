"""The records behind every figure of `compute_figures` (the drill-down), for a key, part, scope and date.

`drill(key, part, scope=, as_of=)` gives a `Drill`: the model and the queryset of the rows the
figure counts, built from the same filter functions as the engine (`sanqu.figures.engine` and the
part modules), so a figure and its list can never disagree. Each drill says how the number comes
from its rows (`measure`):

- COUNT: one row per record counted (dispatches, beneficiaries of a group, cases at a stage…);
- DISTINCT: one row per person or county counted once (`dispatched_people`, `certified_total`,
  `receiving_counties`…); `details` holds the underlying records, shown beside each row;
- SUM: the figure adds up a value of each row (`amount`: service hours, headcounts, households,
  quotas, amounts paid, the +1/−1 of each organisation for `organisations_added`);
- RATE and MULTIPLE: a ratio; the rows are those of the denominator (terms ended, reports due) or
  of the total (certified people for the growth multiple).

A dict-valued figure drills by part: a category (an organisation type, a target group code, a
stage, a service type code, a leave reason, a certificate level, an evaluation kind or
`kind.grade`) or a component (`ended`, `completed`, `quota`, `amount`, `due`, `open`…). Without a
part, a category figure lists the rows of every category; a component figure lists its default
component (`DEFAULT_PARTS`).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db import models
from django.db.models import F, IntegerField, QuerySet, Sum, Value, When
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sanqu.cases.models import Beneficiary, Case, ServiceType, TargetGroup
from sanqu.figures import engine
from sanqu.figures.engine import FIGURE_LABELS, FigureError
from sanqu.incentives.figures import claims_paid
from sanqu.incentives.models import IncentiveClaim
from sanqu.orgs.models import Organisation
from sanqu.projects.evaluation_selectors import submitted_evaluations
from sanqu.projects.figures import projects_in
from sanqu.projects.models import Grade, Project, ProjectEvaluation, ReceivingCounty, Target, VisitAction
from sanqu.projects.progress import progress_of
from sanqu.projects.report_schedule import timeliness
from sanqu.projects.visit_selectors import ACTION_STATES, action_states, actions_of_visits
from sanqu.regions.models import Region
from sanqu.training.figures import years_started
from sanqu.training.models import Trainee
from sanqu.volunteers.figures import services_in
from sanqu.workforce.figures import _ended_by, _in_scope
from sanqu.workforce.models import Certificate, Dispatch, Person


class Measure(enum.StrEnum):
    COUNT = "count"
    DISTINCT = "distinct"
    SUM = "sum"
    RATE = "rate"
    MULTIPLE = "multiple"


@dataclass
class Drill:
    """The rows behind one figure (or one part of it) for a scope and date."""

    key: str
    part: str | None
    model: type[models.Model]
    records: QuerySet[Any]
    measure: Measure
    basis: str | Promise  # what the number is computed from, for people
    amount: str = ""  # SUM: the field or annotation of each row that is added up
    amount_label: str | Promise = ""
    # DISTINCT: the records each row stands for, and the lookup from them to the row.
    details: QuerySet[Any] | None = None
    details_to: str = ""
    # Values computed in Python for a batch of rows (project progress, report timeliness):
    # rows → {row pk: {column: value}}; `amount` may name one of these columns.
    computed: Callable[[list[Any]], dict[int, dict[str, Any]]] | None = None
    computed_labels: dict[str, str | Promise] = field(default_factory=dict)

    def total(self) -> Decimal:
        """The sum of `amount` over every row (what a SUM figure is)."""
        if not self.amount:
            return Decimal(self.records.count())
        if self.computed is not None and self.amount in self.computed_labels:
            values = self.computed(list(self.records))
            return sum((Decimal(str(row.get(self.amount, 0))) for row in values.values()), Decimal(0))
        value = self.records.order_by().aggregate(total=Sum(self.amount))["total"]
        return Decimal(value or 0)


Builder = Callable[[Region, dt.date, str | None], Drill]

# What each measure says about its rows.
COUNTED = _("下列记录逐条计数，每条计 1。")
DISTINCT_PEOPLE = _("按人去重计数：每人计 1，一人有多条记录时见“计入的记录”。")
DISTINCT_COUNTIES = _("按区县去重计数：每个区县计 1，“计入的记录”为其依据。")


def _summed(label: str | Promise) -> str:
    return str(_("数值为下列记录“%(column)s”之和。") % {"column": label})


# Headline figures ---------------------------------------------------------------------------


def _receiving_counties(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    rows = engine.receiving_county_rows(scope=scope, as_of=as_of)
    return Drill(
        "receiving_counties", part, Region, Region.objects.filter(pk__in=rows.values("county")),
        Measure.DISTINCT, DISTINCT_COUNTIES, details=rows, details_to="county",
    )  # fmt: skip


def _dispatched_total(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    rows = engine.dispatches_started(scope=scope, as_of=as_of)
    return Drill("dispatched_total", part, Dispatch, rows, Measure.COUNT, COUNTED)


def _dispatched_people(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    rows = engine.dispatches_started(scope=scope, as_of=as_of)
    return Drill(
        "dispatched_people", part, Person, Person.objects.filter(pk__in=rows.values("person")),
        Measure.DISTINCT, DISTINCT_PEOPLE, details=rows, details_to="person",
    )  # fmt: skip


def _trained_total(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    rows = engine.trainees_completed(scope=scope, as_of=as_of)
    return Drill(
        "trained_total", part, Person, Person.objects.filter(pk__in=rows.values("person")),
        Measure.DISTINCT, DISTINCT_PEOPLE, details=rows, details_to="person",
    )  # fmt: skip


def _organisations(day: Callable[[dt.date], dt.date], key: str) -> Builder:
    """Organisations active on `day(as_of)`; by kind when a part is given."""

    def build(scope: Region, as_of: dt.date, part: str | None) -> Drill:
        rows = engine.social_work_organisations(scope=scope, as_of=as_of).filter(engine.active_on(day(as_of)))
        if part is not None:
            rows = rows.filter(kind=part)
        return Drill(key, part, Organisation, rows, Measure.COUNT, COUNTED)

    return build


def _baseline(as_of: dt.date) -> dt.date:
    return engine.baseline_date() or as_of


def _same_day(as_of: dt.date) -> dt.date:
    return as_of


def _organisations_baseline(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    drill = _organisations(_baseline, "organisations_baseline")(scope, as_of, None)
    drill.basis = _("基期（%(day)s）时已登记、未注销的组织，区县为统计日期的受援区县。") % {
        "day": _baseline(as_of).isoformat()
    }
    return drill


def _counties_with_organisations(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    rows = engine.social_work_organisations(scope=scope, as_of=as_of).filter(engine.active_on(as_of))
    return Drill(
        "counties_with_organisations", part, Region, Region.objects.filter(pk__in=rows.values("home_county")),
        Measure.DISTINCT, DISTINCT_COUNTIES, details=rows, details_to="home_county",
    )  # fmt: skip


def _organisations_added(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    """Each organisation adds +1 when active now and not at the baseline, −1 the other way round."""
    now, then = engine.active_on(as_of), engine.active_on(_baseline(as_of))
    rows = (
        engine.social_work_organisations(scope=scope, as_of=as_of)
        .annotate(
            change=models.Case(
                When(now & ~then, then=Value(1)),
                When(~now & then, then=Value(-1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .exclude(change=0)
    )
    label = _("增减")
    basis = _(
        "统计日期在册的组织数减去基期在册的组织数：新登记的计 +1，其间注销的计 −1（两时都在册的不列出）。"
    )
    return Drill("organisations_added", part, Organisation, rows, Measure.SUM, basis, "change", label)


def _certified(day: Callable[[dt.date], dt.date], key: str) -> Callable[[Region, dt.date, str | None], Drill]:
    def build(scope: Region, as_of: dt.date, part: str | None) -> Drill:
        rows = engine.certificates_in(scope=scope, as_of=as_of).filter(obtained_on__lte=day(as_of))
        if part is not None:
            rows = rows.filter(level=part)
        return Drill(
            key, part, Person, Person.objects.filter(pk__in=rows.values("person")),
            Measure.DISTINCT, DISTINCT_PEOPLE, details=rows, details_to="person",
        )  # fmt: skip

    return build


def _certified_growth(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    drill = _certified(_same_day, "certified_growth_multiple")(scope, as_of, None)
    drill.measure = Measure.MULTIPLE
    drill.basis = _("（持证人数 − 基期持证人数）÷ 基期持证人数，保留一位小数。下列为统计日期的持证人员。")
    return drill


def _incentive_counties(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    rows = engine.policies_in_force(scope=scope, as_of=as_of)
    return Drill(
        "incentive_counties", part, Region, Region.objects.filter(pk__in=rows.values("county")),
        Measure.DISTINCT, DISTINCT_COUNTIES, details=rows, details_to="county",
    )  # fmt: skip


# Work with people ---------------------------------------------------------------------------


def _beneficiaries_by_group(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    rows = Beneficiary.objects.filter(engine.beneficiaries_q(scope=scope, as_of=as_of))
    if part is not None:
        rows = rows.filter(pk__in=TargetGroup.beneficiaries.through.objects.filter(
            targetgroup__code=part).values("beneficiary"))  # fmt: skip
    else:
        rows = rows.filter(target_groups__isnull=False).distinct()
    return Drill("beneficiaries_by_group", part, Beneficiary, rows, Measure.COUNT, COUNTED)


def _cases_by_stage(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    rows = engine.cases_as_of(scope=scope, as_of=as_of)
    if part is not None:
        rows = rows.filter(stage_as_of=part)
    basis = _("按统计日期时所处阶段（由各阶段记录的日期判断）计数，每个个案计 1。")
    return Drill("cases_by_stage", part, Case, rows, Measure.COUNT, basis)


def _services_by_type(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    rows = engine.service_records(scope=scope, as_of=as_of)
    if part is not None:
        rows = rows.filter(service_type__code=part)
    return Drill("services_by_type", part, rows.model, rows, Measure.COUNT, COUNTED)


def _sum(
    key: str, rows: Callable[..., QuerySet[Any]], amount: str, label: str | Promise
) -> Callable[..., Drill]:
    def build(scope: Region, as_of: dt.date, part: str | None) -> Drill:
        queryset = rows(scope=scope, as_of=as_of)
        return Drill(key, part, queryset.model, queryset, Measure.SUM, _summed(label), amount, label)

    return build


def _group_sessions(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    rows = engine.group_sessions_held(scope=scope, as_of=as_of)
    return Drill("group_sessions", part, rows.model, rows, Measure.COUNT, COUNTED)


# The people side ----------------------------------------------------------------------------

RETENTION_PARTS = {
    "ended": None,
    "completed": Dispatch.Status.COMPLETED,
    "left_early": Dispatch.Status.LEFT_EARLY,
    "rate": None,
}


def _dispatch_retention(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    part = part or "ended"
    rows = _in_scope(scope).filter(_ended_by(as_of, RETENTION_PARTS[part]))
    if part == "rate":
        basis = _("留任率 = 期满人次 ÷ 已结束人次（期满与提前离岗）× 100%。下列为作分母的已结束选派。")
        return Drill("dispatch_retention", part, Dispatch, rows, Measure.RATE, basis)
    return Drill("dispatch_retention", part, Dispatch, rows, Measure.COUNT, COUNTED)


def _early_leavers(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    rows = _in_scope(scope).filter(_ended_by(as_of, Dispatch.Status.LEFT_EARLY))
    if part is not None:
        rows = rows.filter(leave_reason=part)
    return Drill("early_leavers_by_reason", part, Dispatch, rows, Measure.COUNT, COUNTED)


def _trainees_vs_quota(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    part = part or "recommended"
    years = years_started(scope=scope, as_of=as_of)
    if part == "quota":
        label = _("培养名额")
        rows = ReceivingCounty.objects.filter(years, county__level=Region.Level.COUNTY)
        return Drill("trainees_vs_quota", part, ReceivingCounty, rows, Measure.SUM, _summed(label),
                     "training_quota", label)  # fmt: skip
    trainees = Trainee.objects.filter(years)
    if part == "completed":
        trainees = trainees.filter(completed_on__lte=as_of)
    return Drill("trainees_vs_quota", part, Trainee, trainees, Measure.COUNT, COUNTED)


def _certified_by_level(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    drill = _certified(_same_day, "certified_by_level")(scope, as_of, part)
    return drill


def _incentive_claims(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    part = part or "count"
    rows = claims_paid(scope=scope, as_of=as_of)
    if part == "amount":
        label = _("金额（元）")
        return Drill("incentive_claims_paid", part, IncentiveClaim, rows, Measure.SUM, _summed(label),
                     "amount", label)  # fmt: skip
    return Drill("incentive_claims_paid", part, IncentiveClaim, rows, Measure.COUNT, COUNTED)


# Project supervision ------------------------------------------------------------------------


def _projects_total(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    rows = Project.objects.filter(county__path__startswith=scope.path, signed_on__lte=as_of)
    return Drill("projects_total", part, Project, rows, Measure.COUNT, COUNTED)


def _project_progress(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    target = part or Target.values[0]
    rows = Project.objects.filter(
        county__path__startswith=scope.path, signed_on__lte=as_of, starts_on__lte=as_of
    ).annotate(goal=F(f"target_{target}"))

    def done(projects: list[Any]) -> dict[int, dict[str, Any]]:
        progress = progress_of(projects, as_of)
        return {
            pk: {"done": next((row.done for row in items if row.target == target), 0)}
            for pk, items in progress.items()
        }

    basis = _("已开始服务的项目的目标数之和，及各项目自开始至统计日期（或结束）的完成数之和。")
    return Drill(
        "project_progress", target, Project, rows, Measure.SUM, basis, "goal", _("目标"),
        computed=done, computed_labels={"done": _("完成")},
    )  # fmt: skip


TIMELINESS_PARTS = ("due", "on_time", "late", "missing", "rate")


def _report_timeliness(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    part = part or "due"
    column = "due" if part == "rate" else part
    by_project = timeliness(projects_in(scope=scope, as_of=as_of), as_of).by_project
    counts = {pk: getattr(item, column) for pk, item in by_project.items()}
    rows = Project.objects.filter(pk__in=[pk for pk, n in counts.items() if n])
    labels = {"due": _("应报"), "on_time": _("按时"), "late": _("逾期"), "missing": _("未报")}

    def computed(projects: list[Any]) -> dict[int, dict[str, Any]]:
        return {project.pk: {column: counts.get(project.pk, 0)} for project in projects}

    if part == "rate":
        basis = _("按时报送率 = 按时报送份数 ÷ 应报份数 × 100%。下列为有应报报告的项目及其应报份数。")
        return Drill("report_timeliness", part, Project, rows, Measure.RATE, basis, column, labels[column],
                     computed=computed, computed_labels={column: labels[column]})  # fmt: skip
    summed = _summed(labels[column])
    return Drill(
        "report_timeliness", part, Project, rows, Measure.SUM, summed, column, labels[column],
        computed=computed, computed_labels={column: labels[column]},
    )  # fmt: skip


def _visits_open_actions(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    part = part or "open"
    rows = actions_of_visits(scope.path, as_of).filter(action_states(as_of)[part])
    return Drill("visits_open_actions", part, VisitAction, rows, Measure.COUNT, COUNTED)


def _evaluation_grades(scope: Region, as_of: dt.date, part: str | None) -> Drill:
    rows = submitted_evaluations(scope.path, as_of)
    if part is not None:
        kind, _dot, grade = part.partition(".")
        rows = rows.filter(kind=kind, **({"grade": grade} if grade else {}))
    return Drill("evaluation_grades", part, ProjectEvaluation, rows, Measure.COUNT, COUNTED)


REGISTRY: dict[str, Builder] = {
    "receiving_counties": _receiving_counties,
    "dispatched_total": _dispatched_total,
    "dispatched_people": _dispatched_people,
    "trained_total": _trained_total,
    "organisations_total": _organisations(_same_day, "organisations_total"),
    "organisations_by_type": _organisations(_same_day, "organisations_by_type"),
    "counties_with_organisations": _counties_with_organisations,
    "organisations_baseline": _organisations_baseline,
    "organisations_added": _organisations_added,
    "certified_total": _certified(_same_day, "certified_total"),
    "certified_baseline": _certified(_baseline, "certified_baseline"),
    "certified_growth_multiple": _certified_growth,
    "incentive_counties": _incentive_counties,
    "beneficiaries_by_group": _beneficiaries_by_group,
    "cases_by_stage": _cases_by_stage,
    "services_by_type": _services_by_type,
    "service_hours": _sum("service_hours", engine.service_records, "duration_hours", _("时长（小时）")),
    "group_sessions": _group_sessions,
    "community_attendance": _sum(
        "community_attendance", engine.community_attendances, "headcount", _("参与人次")
    ),
    "livelihood_households": _sum(
        "livelihood_households", engine.livelihood_projects_started, "households_reached", _("覆盖户数")
    ),
    "dispatch_retention": _dispatch_retention,
    "early_leavers_by_reason": _early_leavers,
    "trainees_vs_quota": _trainees_vs_quota,
    "certified_by_level": _certified_by_level,
    "incentive_claims_paid": _incentive_claims,
    "volunteer_hours": _sum("volunteer_hours", services_in, "hours", _("服务时长（小时）")),
    "projects_total": _projects_total,
    "project_progress": _project_progress,
    "report_timeliness": _report_timeliness,
    "visits_open_actions": _visits_open_actions,
    "evaluation_grades": _evaluation_grades,
}

# Component figures: a part is required in substance; without one the drill shows this one.
DEFAULT_PARTS = {
    "dispatch_retention": "ended",
    "trainees_vs_quota": "recommended",
    "incentive_claims_paid": "count",
    "project_progress": Target.values[0],
    "report_timeliness": "due",
    "visits_open_actions": "open",
}


def parts(key: str) -> list[str]:
    """Every part the figure drills by, in the order the engine gives them (empty: no parts)."""
    if key == "organisations_by_type":
        return list(Organisation.Kind.values)
    if key == "beneficiaries_by_group":
        return list(TargetGroup.objects.order_by("sort_order", "id").values_list("code", flat=True))
    if key == "cases_by_stage":
        return list(Case.Stage.values)
    if key == "services_by_type":
        return list(ServiceType.objects.order_by("sort_order", "id").values_list("code", flat=True))
    if key == "dispatch_retention":
        return list(RETENTION_PARTS)
    if key == "early_leavers_by_reason":
        return list(Dispatch.LeaveReason.values)
    if key == "trainees_vs_quota":
        return ["quota", "recommended", "completed"]
    if key == "certified_by_level":
        return list(Certificate.Level.values)
    if key == "incentive_claims_paid":
        return ["count", "amount"]
    if key == "project_progress":
        return list(Target.values)
    if key == "report_timeliness":
        return list(TIMELINESS_PARTS)
    if key == "visits_open_actions":
        return list(ACTION_STATES)
    if key == "evaluation_grades":
        kinds = list(ProjectEvaluation.Kind.values)
        return kinds + [f"{kind}.{grade}" for kind in kinds for grade in Grade.values]
    return []


COMPONENT_LABELS = {
    "ended": _("已结束"),
    "completed": _("期满"),
    "left_early": _("提前离岗"),
    "rate": _("比率"),
    "quota": _("名额"),
    "recommended": _("推荐"),
    "count": _("笔数"),
    "amount": _("金额（元）"),
    "due": _("应报"),
    "on_time": _("按时"),
    "late": _("逾期"),
    "missing": _("未报"),
    "open": _("未完成"),
    "overdue": _("已超期"),
    "closed_on_time": _("按期完成"),
    "closed_late": _("逾期完成"),
}


def part_labels(key: str) -> dict[str, str]:
    """Every part of the figure as people read it (a type's name, a group's name, a stage…)."""
    choices: dict[str, Any] = {
        "organisations_by_type": Organisation.Kind,
        "cases_by_stage": Case.Stage,
        "early_leavers_by_reason": Dispatch.LeaveReason,
        "certified_by_level": Certificate.Level,
        "project_progress": Target,
    }
    if key in choices:
        return {value: str(label) for value, label in choices[key].choices}
    if key in {"beneficiaries_by_group", "services_by_type"}:
        model = TargetGroup if key == "beneficiaries_by_group" else ServiceType
        return dict(model.objects.order_by("sort_order", "id").values_list("code", "name"))
    if key == "evaluation_grades":
        labels = {}
        for kind, kind_label in ProjectEvaluation.Kind.choices:
            labels[kind] = str(kind_label)
            labels.update({f"{kind}.{grade}": f"{kind_label} · {label}" for grade, label in Grade.choices})
        return labels
    named = {**COMPONENT_LABELS, "completed": _("结业")} if key == "trainees_vs_quota" else COMPONENT_LABELS
    return {part: str(named.get(part, part)) for part in parts(key)}


def part_label(key: str, part: str) -> str:
    return part_labels(key).get(part, part)


def drill(key: str, part: str | None = None, *, scope: Region, as_of: dt.date) -> Drill:
    """The rows behind `key` (and `part`) for the scope and date; FigureError for an unknown key or part."""
    builder = REGISTRY.get(key)
    if builder is None:
        raise FigureError(_("没有名为“%(key)s”的统计指标。") % {"key": key})
    part = part or None
    if part is not None and part not in parts(key):
        raise FigureError(
            _("统计指标“%(label)s”没有“%(part)s”这一项。") % {"label": FIGURE_LABELS[key], "part": part}
        )
    return builder(scope, as_of, part or DEFAULT_PARTS.get(key))


def figure_value(figures: dict[str, Any], key: str, part: str | None) -> Any:
    """The engine's value for the key and part (a number, a dict of a component figure, or None)."""
    value = figures[key]
    part = part or DEFAULT_PARTS.get(key)
    if part is None or not isinstance(value, dict):
        return value
    if key == "evaluation_grades":
        kind, _dot, grade = part.partition(".")
        return value[kind][grade] if grade else sum(value[kind].values())
    return value.get(part)


def records_url(key: str, part: str | None = None, *, scope: Region | str, as_of: dt.date | str) -> str:
    """The drill-down page of the figure: /figures/records/?figure=…&part=…&scope=…&as_of=…"""
    query = {"figure": key}
    if part:
        query["part"] = part
    query["scope"] = scope.code if isinstance(scope, Region) else scope
    query["as_of"] = as_of.isoformat() if isinstance(as_of, dt.date) else as_of
    return reverse("figure_records") + "?" + urlencode(query)


__all__ = ["DEFAULT_PARTS", "REGISTRY", "Drill", "Measure", "drill", "figure_value", "parts", "records_url"]
