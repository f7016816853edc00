"""The programme's headline figures (DESIGN.md §3, the seed table), computed from records.

Every figure is for a scope (a region and its whole subtree, found by `Region.path` prefix) and
an as-of date D. The county-based figures look at the county a record names (the dispatch's
receiving county, the trainee's recommending county, the organisation's home county, the county a
certificate was obtained in), so a scope below county level holds no counties and gives zeros.

The baseline is 31 December of the year before the first programme year. Baseline figures use
the same definitions at that date over *the same counties*: the receiving counties as of D.
(At the baseline date no county is receiving yet, so "the 17 counties before 2013" is the only
reading that gives the seed's "增长 7.3 倍".)

The work-with-people figures (beneficiaries, cases, services, groups, community activities,
livelihood projects) count every record, restricted or not: a figure shows no person. They follow
the place each record names: a beneficiary's village, and the county of everything else, so a
scope below county level counts its beneficiaries only.

A case's stage as of D is read from the dates of its stage records, not from `Case.stage` (which
is today's): the latest of assessment, plan, plan approval, evaluation and approved closure on or
before D decides, and a plan redrafted after an approval is a revision during intervention. A
reopened case counts as closed until its first record after the reopening.

Each figure is one aggregate query: a fixed number of queries whatever the data size. The service,
beneficiary and case-stage figures read the monthly and daily rollups (`sanqu.cases.rollups`), so
their cost follows the number of counties, types, groups, stages and months, not of records (a
scope below county level counts its beneficiaries directly: few rows), and each project's people
served read its tally of them (`sanqu.projects.served`); `recompute=True` reads the records
themselves, and the two must agree (`sanqu figures --recompute`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from sanqu.cases.models import (
    Assessment,
    Beneficiary,
    BeneficiaryRollup,
    Case,
    CasePlan,
    CaseStageRollup,
    CommunityAttendance,
    Evaluation,
    GroupSession,
    ServiceRecord,
    ServiceRollup,
    ServiceType,
    TargetGroup,
)
from sanqu.cases.rollups import NEVER as _NEVER
from sanqu.cases.rollups import STAGE_DATES as _STAGE_DATES
from sanqu.cases.rollups import STAGE_RULES as _STAGE_RULES
from sanqu.cases.rollups import approved_plans, counted_closures, stage_from_dates
from sanqu.incentives.figures import certified_by_level, incentive_claims_paid
from sanqu.incentives.models import IncentivePolicy
from sanqu.orgs.models import Organisation
from sanqu.projects.figures import (
    evaluation_grades,
    progress_totals,
    projects_in,
    report_timeliness,
    visits_open_actions,
)
from sanqu.projects.models import LivelihoodProject, ProgrammeYear, ReceivingCounty
from sanqu.regions.lookup import find_region
from sanqu.regions.models import Region
from sanqu.training.figures import trainees_vs_quota
from sanqu.training.models import Trainee
from sanqu.volunteers.figures import volunteer_hours
from sanqu.workforce.figures import dispatch_retention, early_leavers_by_reason
from sanqu.workforce.models import Certificate, Dispatch

# The keys of compute_figures(), in the order people read them, with their labels.
FIGURE_LABELS = {
    "receiving_counties": _("受援区县"),
    "dispatched_total": _("累计选派社工（人次）"),
    "dispatched_people": _("累计选派社工（人）"),
    "trained_total": _("累计培养本土人才（人）"),
    "organisations_total": _("受援区县社会工作组织"),
    "organisations_by_type": _("社会工作组织（按类型）"),
    "counties_with_organisations": _("有社会工作组织的受援区县"),
    "organisations_baseline": _("基期社会工作组织"),
    "organisations_added": _("较基期新增社会工作组织"),
    "certified_total": _("持证社会工作者（人）"),
    "certified_baseline": _("基期持证社会工作者（人）"),
    "certified_growth_multiple": _("持证社会工作者较基期增长（倍）"),
    "incentive_counties": _("出台人才激励政策的受援区县"),
    "beneficiaries_by_group": _("服务对象（按类别，人）"),
    "cases_by_stage": _("个案（按阶段）"),
    "services_by_type": _("服务记录（按服务类型，次）"),
    "service_hours": _("服务时长（小时）"),
    "group_sessions": _("小组活动（节）"),
    "community_attendance": _("社区活动参与（人次）"),
    "livelihood_households": _("生计项目覆盖（户）"),
    "dispatch_retention": _("选派留任（期满 ÷ 已结束）"),
    "early_leavers_by_reason": _("提前离岗（按原因，人次）"),
    "trainees_vs_quota": _("培养对象与名额"),
    "certified_by_level": _("持证社会工作者（按等级，人）"),
    "incentive_claims_paid": _("已发放人才激励（笔、元）"),
    "volunteer_hours": _("志愿服务时长（小时）"),
    "projects_total": _("项目（个）"),
    "project_progress": _("项目目标完成情况（完成 / 目标）"),
    "report_timeliness": _("定期报告按时报送"),
    "visits_open_actions": _("督查走访整改事项"),
    "evaluation_grades": _("绩效评估等级（个）"),
}


class FigureError(ValueError):
    """Bad input for a figure (an unknown scope, a date that is not a date); the message is for people."""


def resolve_scope(code: str) -> Region:
    """The region a scope code names; former codes work (500234 is 开州区 now)."""
    region = find_region(code)
    if region is None:
        raise FigureError(_("找不到区划代码或名称“%(code)s”。") % {"code": code})
    return region


def parse_as_of(text: str) -> dt.date:
    """A real calendar date written YYYY-MM-DD (2018-02-30 is refused)."""
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise FigureError(
            _("日期“%(value)s”无效：请写成 YYYY-MM-DD 格式的真实日期，例如 2018-07-10。") % {"value": text}
        ) from None


def baseline_date() -> dt.date | None:
    """31 December of the year before the first programme year (None before any year exists)."""
    first = ProgrammeYear.objects.order_by("year").values_list("year", flat=True).first()
    return dt.date(first - 1, 12, 31) if first is not None else None


def receiving_counties(*, scope: Region, as_of: dt.date) -> QuerySet[Region]:
    """Counties in scope that took part in a programme year that had started by the date."""
    return Region.objects.filter(
        level=Region.Level.COUNTY,
        path__startswith=scope.path,
        receiving_years__programme_year__starts_on__lte=as_of,
    ).distinct()


def _active_on(day: dt.date) -> Q:
    return Q(registered_on__lte=day) & (Q(deregistered_on__isnull=True) | Q(deregistered_on__gt=day))


def growth_multiple(*, total: int, baseline: int) -> float | None:
    """(total - baseline) / baseline to one decimal: the strict reading of "增长 N 倍"."""
    if baseline == 0:
        return None
    multiple = (Decimal(total - baseline) / Decimal(baseline)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return float(multiple)


def _latest(queryset: QuerySet, field: str, *, as_of: dt.date) -> Coalesce:
    """The case's latest `field` on or before the date among `queryset`, or _NEVER."""
    latest = (
        queryset.filter(case=OuterRef("pk"), **{f"{field}__lte": as_of})
        .order_by()
        .values("case")
        .annotate(on=Max(field))
        .values("on")
    )
    return Coalesce(Subquery(latest), Value(_NEVER))


def _cases_with_stage_dates(*, scope: Region, as_of: dt.date) -> QuerySet[Any]:
    """Cases opened on or before the date, annotated with the dates of `_STAGE_DATES`."""
    return Case.objects.filter(county__path__startswith=scope.path, opened_on__lte=as_of).annotate(
        assessed=_latest(Assessment.objects.all(), "assessed_on", as_of=as_of),
        planned=_latest(CasePlan.objects.all(), "drafted_on", as_of=as_of),
        approved=_latest(approved_plans(), "approved_on", as_of=as_of),
        evaluated=_latest(Evaluation.objects.all(), "evaluated_on", as_of=as_of),
        closed=_latest(counted_closures(), "closed_on", as_of=as_of),
    )


def cases_as_of(*, scope: Region, as_of: dt.date) -> QuerySet[Any]:
    """Cases opened on or before the date, annotated with `stage_as_of` (see the module docstring)."""

    def after(name: str, others: tuple[str, ...]) -> Q:
        return ~Q(**{name: _NEVER}) & Q(*(Q(**{f"{name}__gte": F(other)}) for other in others))

    return _cases_with_stage_dates(scope=scope, as_of=as_of).annotate(
        stage_as_of=models.Case(
            *(When(after(name, others), then=Value(stage)) for stage, name, others in _STAGE_RULES),
            default=Value(Case.Stage.INTAKE),
        )
    )


def as_of_rows(span_field: str, as_of: dt.date) -> Q:
    """A rollup's rows for the figure as of the date: the months before the date's month, then the
    days of that month up to the date."""
    month = as_of.replace(day=1)
    return Q(span=ServiceRollup.Span.MONTH, **{f"{span_field}__lt": month}) | Q(
        span=ServiceRollup.Span.DAY, **{f"{span_field}__gte": month, f"{span_field}__lte": as_of}
    )


def case_stage_rollups(*, scope: Region, as_of: dt.date) -> QuerySet[CaseStageRollup]:
    """The changes that add up to the cases at each stage as of the date (cases are in counties)."""
    return CaseStageRollup.objects.filter(as_of_rows("changed_on", as_of), scope.subtree_q("county"))


def cases_by_stage(*, scope: Region, as_of: dt.date, recompute: bool = False) -> dict[str, int]:
    """Cases opened on or before the date, by their stage as of the date (see the module docstring),
    from the case-stage rollups.

    With `recompute` the same from the cases' stage records: each case's five dates, the stage
    decided here rather than by the CASE of `cases_as_of` (that CASE repeats each date's subquery in
    every condition, which PostgreSQL runs once per mention).
    """
    counts = dict.fromkeys(Case.Stage.values, 0)
    if not recompute:
        sums = (
            case_stage_rollups(scope=scope, as_of=as_of).order_by().values("stage").annotate(n=Sum("cases"))
        )
        counts.update({row["stage"]: row["n"] for row in sums})
        return counts
    rows = _cases_with_stage_dates(scope=scope, as_of=as_of).order_by().values_list(*_STAGE_DATES)
    for row in rows:
        counts[stage_from_dates(dict(zip(_STAGE_DATES, row, strict=True)))] += 1
    return counts


# The records each figure counts, shared with the drill-down (sanqu.figures.drilldown): the
# aggregates below run over exactly these querysets.


def receiving_county_rows(*, scope: Region, as_of: dt.date) -> QuerySet[ReceivingCounty]:
    """A county's participation in each programme year started by the date, counties in scope."""
    return ReceivingCounty.objects.filter(
        programme_year__starts_on__lte=as_of,
        county__level=Region.Level.COUNTY,
        county__path__startswith=scope.path,
    )


def dispatches_started(*, scope: Region, as_of: dt.date) -> QuerySet[Dispatch]:
    return Dispatch.objects.filter(county__path__startswith=scope.path, started_on__lte=as_of)


def trainees_completed(*, scope: Region, as_of: dt.date) -> QuerySet[Trainee]:
    return Trainee.objects.filter(county__path__startswith=scope.path, completed_on__lte=as_of)


def social_work_organisations(*, scope: Region, as_of: dt.date) -> QuerySet[Organisation]:
    """Social-work organisations at home in a receiving county (as of the date) of the scope."""
    county_ids = receiving_counties(scope=scope, as_of=as_of).values("pk")
    return Organisation.objects.filter(social_work=True, home_county__in=county_ids)


def active_on(day: dt.date) -> Q:
    """An organisation registered on or before the day and not deregistered by it."""
    return _active_on(day)


def certificates_in(*, scope: Region, as_of: dt.date) -> QuerySet[Certificate]:
    """Certificates obtained in a receiving county (as of the date) of the scope, whenever obtained."""
    county_ids = receiving_counties(scope=scope, as_of=as_of).values("pk")
    return Certificate.objects.filter(county__in=county_ids)


def policies_in_force(*, scope: Region, as_of: dt.date) -> QuerySet[IncentivePolicy]:
    county_ids = receiving_counties(scope=scope, as_of=as_of).values("pk")
    return IncentivePolicy.objects.filter(county__in=county_ids, effective_from__lte=as_of).filter(
        Q(effective_until__isnull=True) | Q(effective_until__gte=as_of)
    )


def beneficiaries_q(*, scope: Region, as_of: dt.date, via: str = "") -> Q:
    """Beneficiaries registered by the date in the scope (`via` is the lookup prefix to them)."""
    return Q(**{f"{via}registered_on__lte": as_of, f"{via}region__path__startswith": scope.path})


def service_records_q(*, scope: Region, as_of: dt.date, via: str = "") -> Q:
    return Q(**{f"{via}served_on__lte": as_of}) & scope.subtree_q(f"{via}county")


def service_records(*, scope: Region, as_of: dt.date) -> QuerySet[ServiceRecord]:
    return ServiceRecord.objects.filter(service_records_q(scope=scope, as_of=as_of))


def service_rollups(*, scope: Region, as_of: dt.date) -> QuerySet[ServiceRollup]:
    """The tallies of exactly the records `service_records` gives: the months before the date's
    month, then the days of that month up to the date."""
    return ServiceRollup.objects.filter(as_of_rows("served_on", as_of), scope.subtree_q("county"))


def counts_beneficiaries_directly(scope: Region) -> bool:
    """Below county level the rollups (per county) cannot tell villages apart: count the people."""
    return scope.level > Region.Level.COUNTY


def beneficiary_rollups(*, scope: Region, as_of: dt.date) -> QuerySet[BeneficiaryRollup]:
    """The tallies of the people `beneficiaries_q` gives, for a scope at county level or above: the
    rows without a group count everyone, the others the people of each group."""
    return BeneficiaryRollup.objects.filter(as_of_rows("registered_on", as_of), scope.subtree_q("county"))


def beneficiaries_registered(*, scope: Region, as_of: dt.date, recompute: bool = False) -> int:
    """The people registered in the scope by the date, whatever their groups."""
    if recompute or counts_beneficiaries_directly(scope):
        return Beneficiary.objects.filter(beneficiaries_q(scope=scope, as_of=as_of)).count()
    tallies = beneficiary_rollups(scope=scope, as_of=as_of).filter(target_group__isnull=True)
    return tallies.aggregate(n=Sum("people"))["n"] or 0


def beneficiaries_by_group(*, scope: Region, as_of: dt.date, recompute: bool = False) -> dict[str, int]:
    """The people registered in the scope by the date in each target group (code → people, in the
    managed list's order; retired groups only when they count)."""
    groups = TargetGroup.objects.order_by("sort_order", "id").values("id", "code", "active")
    if recompute or counts_beneficiaries_directly(scope):
        through: QuerySet[Any] = TargetGroup.beneficiaries.through.objects.filter(
            beneficiaries_q(scope=scope, as_of=as_of, via="beneficiary__")
        )
        counts = dict(
            through.order_by().values("targetgroup").annotate(n=Count("pk")).values_list("targetgroup", "n")
        )
    else:
        counts = dict(
            beneficiary_rollups(scope=scope, as_of=as_of)
            .filter(target_group__isnull=False)
            .order_by()
            .values("target_group")
            .annotate(n=Sum("people"))
            .values_list("target_group", "n")
        )
    return _by_code(
        {"code": row["code"], "active": row["active"], "n": counts.get(row["id"], 0)} for row in groups
    )


def _tenths_to_hours(tenths: int | None) -> Decimal:
    return Decimal(tenths or 0) / 10


def group_sessions_held(*, scope: Region, as_of: dt.date) -> QuerySet[GroupSession]:
    return GroupSession.objects.filter(group__county__path__startswith=scope.path, held_on__lte=as_of)


def community_attendances(*, scope: Region, as_of: dt.date) -> QuerySet[CommunityAttendance]:
    return CommunityAttendance.objects.filter(
        activity__county__path__startswith=scope.path, activity__held_on__lte=as_of
    )


def livelihood_projects_started(*, scope: Region, as_of: dt.date) -> QuerySet[LivelihoodProject]:
    return LivelihoodProject.objects.filter(county__path__startswith=scope.path, started_on__lte=as_of)


def compute_figures(
    *, scope: Region, as_of: dt.date, recompute: bool = False, with_progress: bool = True
) -> dict[str, object]:
    """The seed table's figures for the scope at the date (keys as in FIGURE_LABELS).

    `recompute` counts services, beneficiaries, case stages and each project's people served from
    the records instead of their rollups and tallies (see the docstring).
    Without `with_progress` the result has no "project_progress": it counts each project's own
    services and people served over the records, so its cost grows with them; a page that does not
    show it (the dashboard) leaves it out.
    """
    if not isinstance(scope, Region) or not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise FigureError(_("统计范围须为行政区划，统计日期须为日期。"))
    # Without any programme year no county is receiving, so every figure is 0 whatever the baseline.
    baseline = baseline_date() or as_of

    receiving = receiving_county_rows(scope=scope, as_of=as_of).aggregate(n=Count("county", distinct=True))[
        "n"
    ]

    dispatched = dispatches_started(scope=scope, as_of=as_of).aggregate(
        total=Count("pk"), people=Count("person", distinct=True)
    )

    trained = trainees_completed(scope=scope, as_of=as_of).aggregate(n=Count("person", distinct=True))["n"]

    kinds = list(Organisation.Kind.values)
    active = _active_on(as_of)
    organisations = social_work_organisations(scope=scope, as_of=as_of).aggregate(
        total=Count("pk", filter=active),
        counties=Count("home_county", distinct=True, filter=active),
        baseline=Count("pk", filter=_active_on(baseline)),
        **{f"kind_{kind}": Count("pk", filter=active & Q(kind=kind)) for kind in kinds},
    )

    certified = certificates_in(scope=scope, as_of=as_of).aggregate(
        total=Count("person", distinct=True, filter=Q(obtained_on__lte=as_of)),
        baseline=Count("person", distinct=True, filter=Q(obtained_on__lte=baseline)),
    )

    incentive = policies_in_force(scope=scope, as_of=as_of).aggregate(n=Count("county", distinct=True))["n"]

    return {
        "receiving_counties": receiving,
        "dispatched_total": dispatched["total"],
        "dispatched_people": dispatched["people"],
        "trained_total": trained,
        "organisations_total": organisations["total"],
        "organisations_by_type": {kind: organisations[f"kind_{kind}"] for kind in kinds},
        "counties_with_organisations": organisations["counties"],
        "organisations_baseline": organisations["baseline"],
        "organisations_added": organisations["total"] - organisations["baseline"],
        "certified_total": certified["total"],
        "certified_baseline": certified["baseline"],
        "certified_growth_multiple": growth_multiple(
            total=certified["total"], baseline=certified["baseline"]
        ),
        "incentive_counties": incentive,
        **work_figures(scope=scope, as_of=as_of, recompute=recompute),
        **workforce_figures(scope=scope, as_of=as_of),
        **project_figures(scope=scope, as_of=as_of, with_progress=with_progress, recompute=recompute),
    }


def workforce_figures(*, scope: Region, as_of: dt.date) -> dict[str, object]:
    """The people side: retention, early leavers, training against quota, certificates, incentives."""
    return {
        "dispatch_retention": dispatch_retention(scope=scope, as_of=as_of),
        "early_leavers_by_reason": early_leavers_by_reason(scope=scope, as_of=as_of),
        "trainees_vs_quota": trainees_vs_quota(scope=scope, as_of=as_of),
        "certified_by_level": certified_by_level(scope=scope, as_of=as_of),
        "incentive_claims_paid": incentive_claims_paid(scope=scope, as_of=as_of),
        "volunteer_hours": volunteer_hours(scope=scope, as_of=as_of),
    }


def project_figures(
    *, scope: Region, as_of: dt.date, with_progress: bool = True, recompute: bool = False
) -> dict[str, object]:
    """Project supervision: projects, progress against targets, report timeliness, visits, grades."""
    projects = projects_in(scope=scope, as_of=as_of)
    figures: dict[str, object] = {"projects_total": len(projects)}
    if with_progress:
        figures["project_progress"] = progress_totals(projects, as_of, recompute=recompute)
    return {
        **figures,
        "report_timeliness": report_timeliness(scope=scope, as_of=as_of, projects=projects),
        "visits_open_actions": visits_open_actions(scope=scope, as_of=as_of),
        "evaluation_grades": evaluation_grades(scope=scope, as_of=as_of),
    }


def _by_code(rows: Iterable[Mapping[str, Any]], *, active: str = "active") -> dict[str, int]:
    """code → n from rows of a managed list, in its order; retired entries only when they count."""
    return {row["code"]: row["n"] for row in rows if row[active] or row["n"]}


def service_figures(
    *, scope: Region, as_of: dt.date, recompute: bool = False
) -> tuple[dict[str, int], Decimal]:
    """Services by type (code → records, managed-list order) and total hours, from the rollups.

    With `recompute` the same from the records themselves.
    """
    types = ServiceType.objects.order_by("sort_order", "id").values("id", "code", "active")
    if recompute:
        records = service_records(scope=scope, as_of=as_of)
        counts = dict(
            records.order_by().values("service_type").annotate(n=Count("pk")).values_list("service_type", "n")
        )
        hours = records.aggregate(total=Sum("duration_hours"))["total"] or Decimal(0)
    else:
        counts = {}
        tenths = 0
        for kind, n, hour_tenths in (
            service_rollups(scope=scope, as_of=as_of)
            .order_by()
            .values("service_type")
            .annotate(n=Sum("records"), t=Sum("hour_tenths"))
            .values_list("service_type", "n", "t")
        ):
            counts[kind] = n
            tenths += hour_tenths or 0
        hours = _tenths_to_hours(tenths)
    by_type = [{"code": row["code"], "active": row["active"], "n": counts.get(row["id"], 0)} for row in types]
    return _by_code(by_type), hours


def work_figures(*, scope: Region, as_of: dt.date, recompute: bool = False) -> dict[str, object]:
    """The work-with-people figures: beneficiaries, cases, services, groups, community, livelihood.

    `recompute` counts the beneficiaries, the cases' stages and the services from the records
    instead of their rollups."""
    services, hours = service_figures(scope=scope, as_of=as_of, recompute=recompute)
    sessions = group_sessions_held(scope=scope, as_of=as_of).count()
    attendance = community_attendances(scope=scope, as_of=as_of).aggregate(n=Sum("headcount"))["n"]
    households = livelihood_projects_started(scope=scope, as_of=as_of).aggregate(n=Sum("households_reached"))[
        "n"
    ]
    return {
        "beneficiaries_by_group": beneficiaries_by_group(scope=scope, as_of=as_of, recompute=recompute),
        "cases_by_stage": cases_by_stage(scope=scope, as_of=as_of, recompute=recompute),
        "services_by_type": services,
        "service_hours": float(hours.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)),
        "group_sessions": sessions,
        "community_attendance": attendance or 0,
        "livelihood_households": households or 0,
    }
