"""`sanqu demo`: the whole demo loads once for this module and must give the seed table exactly."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Min, Sum
from django.utils import timezone

from sanqu.accounts.models import Membership, User
from sanqu.accounts.roles import Role
from sanqu.accounts.scoping import scope_of
from sanqu.cases import rollups
from sanqu.cases.models import (
    Assessment,
    Beneficiary,
    Case,
    CasePlan,
    Closure,
    Evaluation,
    Group,
    GroupAttendance,
    GroupSession,
    Referral,
    ServiceRecord,
    TargetGroup,
)
from sanqu.demo import plan
from sanqu.demo.tests.conftest import PASSWORD
from sanqu.figures.engine import compute_figures
from sanqu.lib import creditcode, idnumber
from sanqu.orgs.models import Organisation
from sanqu.projects import served
from sanqu.projects.models import (
    LivelihoodProject,
    Milestone,
    MonitoringVisit,
    PeriodicReport,
    ProgrammeYear,
    Project,
    ProjectBeneficiary,
    ProjectEvaluation,
    ReceivingCounty,
    ReportEvent,
    VisitAction,
)
from sanqu.regions.models import Region, Station
from sanqu.workforce.models import Dispatch, Person, Supervision

AS_OF = dt.date(2018, 7, 10)
SEED_FIGURES = {
    "receiving_counties": 17,
    "dispatched_total": 284,
    "trained_total": 147,
    "organisations_total": 66,
    # The article names 61 agencies and 3 associations; the demo's other two are a foundation
    # and a public institution (丰都's development centre).
    "organisations_by_type": {
        "social_service_agency": 61,
        "association": 3,
        "foundation": 1,
        "public_institution": 1,
        "college": 0,
        "other": 0,
    },
    "counties_with_organisations": 15,
    "organisations_baseline": 2,
    "organisations_added": 64,
    "certified_total": 1077,
    "certified_baseline": 130,
    "certified_growth_multiple": 7.3,
    "incentive_counties": 6,
}


@pytest.fixture
def chongqing(demo: str, db: None) -> Region:
    return Region.objects.get(code="500000")


def figures_json(*args: str) -> dict[str, object]:
    out = io.StringIO()
    call_command("figures", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def seed_figures(figures: dict[str, object]) -> dict[str, object]:
    """The foundation's figures (the seed table) out of all of them."""
    return {key: figures[key] for key in SEED_FIGURES}


def test_it_reproduces_every_figure_of_the_seed_table(chongqing: Region) -> None:
    figures = compute_figures(scope=chongqing, as_of=AS_OF)
    people = figures["dispatched_people"]
    assert seed_figures(figures) == SEED_FIGURES
    assert isinstance(people, int)
    assert 200 < people < 284  # some workers served more than one year
    assert figures_json("--scope", "500000", "--as-of", "2018-07-10") == figures


def test_it_gives_chengkou_its_own_figures(chongqing: Region) -> None:
    chengkou = compute_figures(scope=Region.objects.get(code=plan.CHENGKOU), as_of=AS_OF)
    quotas = ReceivingCounty.objects.filter(county__code=plan.CHENGKOU).aggregate(
        dispatched=Sum("dispatch_quota"), trained=Sum("training_quota")
    )
    assert chengkou["receiving_counties"] == 1
    assert chengkou["dispatched_total"] == quotas["dispatched"]
    assert chengkou["trained_total"] == quotas["trained"]
    assert chengkou["organisations_total"] == 2  # 扬光 (from 2012) and one registered since
    assert chengkou["organisations_baseline"] == 1
    assert chengkou["incentive_counties"] == 0  # not one of the six
    assert figures_json("--scope", "500229", "--as-of", "2018-07-10") == chengkou


def test_it_adds_up_the_county_figures_to_the_municipality(chongqing: Region) -> None:
    total = compute_figures(scope=chongqing, as_of=AS_OF)
    counties = [
        compute_figures(scope=county, as_of=AS_OF)
        for county in Region.objects.filter(code__in=plan.RECEIVING)
    ]
    additive = ("receiving_counties", "dispatched_total", "organisations_total",
                "counties_with_organisations", "organisations_baseline", "incentive_counties")  # fmt: skip
    for key in additive:
        assert sum(figures[key] for figures in counties) == total[key], key  # type: ignore[misc]
    # A former code finds the county: 开县 500234 is 开州区 500154.
    assert (
        figures_json("--scope", "500234", "--as-of", "2018-07-10")
        == counties[
            [county.code for county in Region.objects.filter(code__in=plan.RECEIVING)].index("500154")
        ]
    )


def test_it_plans_six_years_with_quotas_that_add_up(chongqing: Region) -> None:
    years = list(ProgrammeYear.objects.order_by("year"))
    assert [year.year for year in years] == [2013, 2014, 2015, 2016, 2017, 2018]
    assert years[-1].starts_on <= AS_OF
    assert all(year.receiving_counties.count() == 17 for year in years)
    quotas = ReceivingCounty.objects.aggregate(
        dispatched=Sum("dispatch_quota"), trained=Sum("training_quota")
    )
    assert quotas == {"dispatched": 284, "trained": 147}
    for year in years:
        assert year.dispatches.count() == sum(
            year.receiving_counties.values_list("dispatch_quota", flat=True)
        )


def test_it_records_how_dispatches_ended(chongqing: Region) -> None:
    assert not Dispatch.objects.filter(programme_year__year__lt=2018, status=Dispatch.Status.SERVING).exists()
    assert Dispatch.objects.filter(programme_year__year=2018, status=Dispatch.Status.SERVING).count() > 40
    left = Dispatch.objects.filter(status=Dispatch.Status.LEFT_EARLY)
    assert left.exists()
    assert not left.filter(leave_reason="").exists()
    chengkou_share = (
        left.filter(county__code=plan.CHENGKOU).count()
        / Dispatch.objects.filter(county__code=plan.CHENGKOU).count()
    )
    assert chengkou_share < left.count() / 284  # local hires: fewer leave early
    senders = set(Dispatch.objects.values_list("sending_organisation__name", flat=True))
    assert {"重庆扬光社会工作服务中心", "重庆仁爱社会工作服务中心", "重庆城市管理职业学院",
            "重庆市江北区新扬社会工作服务中心"} <= senders  # fmt: skip


def test_it_makes_valid_identifiers_with_period_codes(chongqing: Region) -> None:
    people = list(Person.objects.select_related("county"))
    assert all(idnumber.is_valid(person.id_number) for person in people)
    assert len({person.id_hash for person in people}) == len(people)
    kaizhou = [person.id_number[:6] for person in people if person.county.code == "500154"]
    assert kaizhou and set(kaizhou) == {"500234"}  # everyone born in 开县 before 2016
    organisations = list(Organisation.objects.all())
    assert all(creditcode.is_valid(organisation.credit_code) for organisation in organisations)
    agency = Organisation.objects.get(name="重庆扬光社会工作服务中心")
    assert agency.credit_code[:8] == "52500229"
    xinyang = Organisation.objects.get(name="重庆市江北区新扬社会工作服务中心")
    assert xinyang.home_county.code == "500105"  # 江北 does not receive: not among the 66
    college = Organisation.objects.get(name="重庆城市管理职业学院")
    assert not college.social_work


def test_it_places_stations_in_the_articles_villages(chongqing: Region) -> None:
    for code in (plan.JIMING, plan.XINGHE, plan.YUNAI):
        assert Station.objects.filter(region__code=code).exists(), code
    assert Station.objects.filter(kind=Station.Kind.BASE, region__code__startswith=plan.FENGDU).exists()


def test_it_creates_one_account_per_role(demo: str, db: None) -> None:
    memberships = {m.user.username: m for m in Membership.objects.select_related("user", "region", "person")}
    assert set(memberships) == {"city", "leader", "chengkou", "wanzhou", "yangguang", "worker", "mentor",
                                "editor", "reviewer"}  # fmt: skip
    assert {m.role for m in memberships.values()} == set(Role.values)
    assert all(User.objects.get(username=name).check_password(PASSWORD) for name in memberships)
    worker = memberships["worker"]
    assert worker.region.code == plan.JIMING
    serving = Dispatch.objects.get(person=worker.person, programme_year__year=2018)
    assert serving.status == Dispatch.Status.SERVING
    assert serving.county.code == plan.CHENGKOU
    assert serving.station is not None and serving.station.region.code == plan.JIMING
    mentor = memberships["mentor"]
    assert Supervision.objects.filter(supervisor=mentor.person, supervisee=worker.person).exists()
    assert memberships["yangguang"].organisation is not None
    assert memberships["yangguang"].organisation.name == "重庆扬光社会工作服务中心"
    assert worker.person_id in scope_of(User.objects.get(username="mentor")).person_ids
    assert worker.person is not None
    assert worker.user.display_name == worker.person.name
    assert "密码：Demo-password-2018" in demo
    assert "worker" in demo and "社工" in demo
    assert "生计项目覆盖（户）：" in demo


def test_it_refuses_to_load_over_existing_data(demo: str, db: None) -> None:
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo", stdout=io.StringIO())
    people = Person.objects.count()
    out = io.StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert out.getvalue() == ""
    assert Person.objects.count() == people


def supervision_records() -> tuple[object, ...]:
    """Project supervision's demo records, to compare two loads."""
    return (
        list(Project.objects.order_by("pk").values_list("name", "agreement_no", "budget", "target_cases")),
        list(Milestone.objects.order_by("pk").values_list("title", "due_on", "done_on")),
        list(
            PeriodicReport.objects.order_by("pk").values_list("period_start", "status", "figures", "values")
        ),
        list(ReportEvent.objects.order_by("pk").values_list("action", "at", "comment")),
        list(MonitoringVisit.objects.order_by("pk").values_list("visited_on", "visitors", "findings")),
        list(VisitAction.objects.order_by("pk").values_list("action", "due_on", "closed_on")),
        list(ProjectEvaluation.objects.order_by("pk").values_list("kind", "total", "grade")),
    )


def test_it_reloads_the_same_data_on_reset(chongqing: Region, settings: Any, tmp_path: Path) -> None:
    # The reset's files (visit evidence) go elsewhere: the demo the other tests share keeps its own,
    # since its rows come back when this test's transaction is rolled back and the files would not.
    settings.MEDIA_ROOT = str(tmp_path / "media")

    def snapshot() -> tuple[object, ...]:
        return (
            list(Person.objects.order_by("id").values_list("name", "id_hash")),
            list(Beneficiary.objects.order_by("id").values_list("name", "id_hash", "registered_on")),
            list(Case.objects.order_by("id").values_list("number", "stage", "opened_on", "closed_on")),
            list(
                ServiceRecord.objects.order_by("id").values_list(
                    "served_on", "service_type__code", "duration_hours"
                )
            ),
            list(GroupSession.objects.order_by("id").values_list("group__name", "held_on")),
            *supervision_records(),
        )

    before = snapshot()
    with mock.patch.dict(os.environ, {"SANQU_DEMO_PASSWORD": PASSWORD}):
        call_command("demo", "--reset", stdout=io.StringIO())
    assert snapshot() == before
    assert User.objects.filter(username="worker").count() == 1
    figures = compute_figures(scope=Region.objects.get(code="500000"), as_of=AS_OF)
    assert seed_figures(figures) == SEED_FIGURES


# Work with people ------------------------------------------------------------------------------


def test_it_adds_the_work_figures_to_the_seed_table(chongqing: Region) -> None:
    figures = compute_figures(scope=chongqing, as_of=AS_OF)
    assert seed_figures(figures) == SEED_FIGURES
    people = Beneficiary.objects.count()
    assert 3000 < people < 6000  # "some thousands"
    by_group = figures["beneficiaries_by_group"]
    assert isinstance(by_group, dict)
    assert all(by_group[code] > 0 for code in TargetGroup.objects.values_list("code", flat=True))
    assert people < sum(by_group.values()) < 3 * people  # several groups each, not all
    # At the demo's today, the stage as of the date is the stage each case records.
    stages = Counter(Case.objects.values_list("stage", flat=True))
    assert figures["cases_by_stage"] == {stage: stages[stage] for stage in Case.Stage.values}
    assert all(stages[stage] > 0 for stage in Case.Stage.values)
    services = ServiceRecord.objects.count()
    assert services >= 20000  # "tens of thousands"
    assert isinstance(figures["services_by_type"], dict)
    assert sum(figures["services_by_type"].values()) == services
    total_hours = ServiceRecord.objects.aggregate(total=Sum("duration_hours"))["total"]
    assert figures["service_hours"] == float(total_hours)
    assert 0.5 * services < float(total_hours) < 3 * services
    assert rollups.differences() == []  # the loader's bulk writes were tallied once at the end
    assert served.differences() == [] and ProjectBeneficiary.objects.exists()  # and the projects' people
    assert figures["group_sessions"] == GroupSession.objects.count() > 300
    assert isinstance(figures["community_attendance"], int) and figures["community_attendance"] > 5000
    assert (
        figures["livelihood_households"]
        == LivelihoodProject.objects.aggregate(n=Sum("households_reached"))["n"]
    )
    # Counties add up to the municipality.
    counties = [compute_figures(scope=c, as_of=AS_OF) for c in Region.objects.filter(code__in=plan.RECEIVING)]
    for key in ("group_sessions", "community_attendance", "livelihood_households"):
        assert sum(county[key] for county in counties) == figures[key], key  # type: ignore[misc]


def _terms() -> dict[tuple[int, str], list[tuple[dt.date, dt.date]]]:
    terms: dict[tuple[int, str], list[tuple[dt.date, dt.date]]] = {}
    for person, county, started, ended in Dispatch.objects.values_list(
        "person_id", "county__code", "started_on", "ended_on"
    ):
        terms.setdefault((person, county), []).append((started, ended or AS_OF))
    return terms


def _served(terms: dict[tuple[int, str], list[tuple[dt.date, dt.date]]], person: int, county: str,
            day: dt.date) -> bool:  # fmt: skip
    return any(start <= day <= end for start, end in terms.get((person, county), []))


def test_it_registers_people_where_and_as_they_are(chongqing: Region) -> None:
    terms = _terms()
    ages = {"left_behind_children": (6, 16), "left_behind_elderly": (60, 90), "youth_at_risk": (13, 17)}
    groups: dict[int, set[str]] = {}
    for beneficiary_id, code in Beneficiary.target_groups.through.objects.values_list(
        "beneficiary_id", "targetgroup__code"
    ):
        groups.setdefault(beneficiary_id, set()).add(code)
    for beneficiary in Beneficiary.objects.select_related("region", "station__region"):
        assert idnumber.is_valid(beneficiary.id_number)
        assert idnumber.birth_date(beneficiary.id_number) == beneficiary.birth_date
        assert beneficiary.region.level == Region.Level.VILLAGE
        county = beneficiary.region.code[:6]
        assert county in plan.RECEIVING
        assert beneficiary.responsible_worker_id is not None
        assert _served(terms, beneficiary.responsible_worker_id, county, beneficiary.registered_on)
        if beneficiary.station is not None:
            assert beneficiary.region.code.startswith(beneficiary.station.region.code)
        age = beneficiary.age_on(beneficiary.registered_on)
        assert age is not None
        for group, (low, high) in ages.items():
            if group in groups[beneficiary.pk]:
                assert low <= age <= high, (group, age)
        if age < 14:
            assert beneficiary.consent_by == Beneficiary.ConsentBy.GUARDIAN and beneficiary.guardian_name
        else:
            assert beneficiary.consent_by == Beneficiary.ConsentBy.SELF
    kaizhou = [b.id_number[:6] for b in Beneficiary.objects.filter(region__code__startswith="500154")
               if b.birth_date and b.birth_date.year < 2016]  # fmt: skip
    assert kaizhou and set(kaizhou) == {"500234"}
    assert Beneficiary.objects.exclude(household=None).count() == Beneficiary.objects.count()


def test_it_keeps_every_case_to_the_stage_rules(chongqing: Region) -> None:
    terms = _terms()
    first_assessed = dict(
        Assessment.objects.values("case").annotate(on=Min("assessed_on")).values_list("case", "on")
    )
    first_drafted = dict(
        CasePlan.objects.values("case").annotate(on=Min("drafted_on")).values_list("case", "on")
    )
    approved = {}
    for plan_ in CasePlan.objects.filter(status__in=["approved", "superseded"]).order_by("reviewed_at"):
        assert plan_.reviewed_at is not None
        approved.setdefault(plan_.case_id, timezone.localdate(plan_.reviewed_at))
    evaluated = dict(
        Evaluation.objects.values("case").annotate(on=Min("evaluated_on")).values_list("case", "on")
    )
    for case_id, drafted in first_drafted.items():
        assert first_assessed[case_id] <= drafted  # no plan before an assessment
    cases = {case.pk: case for case in Case.objects.all()}
    for case in cases.values():
        assert case.opened_on <= AS_OF
        assert (case.status == Case.Status.CLOSED) == (case.stage == Case.Stage.CLOSED)
    for closure in Closure.objects.all():
        assert cases[closure.case_id].opened_on <= closure.closed_on <= AS_OF
        if closure.reason not in {"withdrew", "moved_away", "died"}:
            assert evaluated[closure.case_id] <= closure.closed_on
    for record in ServiceRecord.objects.select_related("county"):
        assert record.served_on <= AS_OF and record.served_on.weekday() < 5
        assert Decimal("0.5") <= record.duration_hours <= 3
        assert _served(terms, record.worker_id, record.county.code, record.served_on)
        if record.case_id is not None:  # no case service before an approved plan
            assert approved[record.case_id] <= record.served_on
    referrals = Referral.objects.all()
    assert referrals.filter(status=Referral.Status.PENDING, answer_due_on__lt=AS_OF).exists()
    assert referrals.filter(status=Referral.Status.ACCEPTED).exists()
    assert Case.objects.filter(reopened_times__gt=0).exists()
    assert set(Closure.objects.values_list("reason", flat=True)) >= {
        "goal_met", "withdrew", "moved_away", "referred"
    }  # fmt: skip
    # Open cases are held by someone serving in their county today.
    for case in Case.objects.filter(status=Case.Status.OPEN).select_related("county"):
        assert _served(terms, case.worker_id, case.county.code, AS_OF)


def test_it_names_the_articles_groups_and_livelihood_projects(chongqing: Region) -> None:
    for name in (plan.YUNAI_RECITATION, plan.YUNAI_CHOIR):
        group = Group.objects.get(name=name)
        assert group.region.code == plan.YUNAI
        phases = set(group.sessions.values_list("phase", flat=True))
        assert {Group.Phase.FORMING, Group.Phase.TRANSITION, Group.Phase.MATURE} <= phases
        assert GroupAttendance.objects.filter(session__group=group, present=True).count() > 50
    assert Group.objects.get(name=plan.YUNAI_RECITATION).phase == Group.Phase.ENDING
    workshop = LivelihoodProject.objects.get(name=plan.XINYUE)
    assert workshop.region.code == plan.JIMING
    assert "手工布鞋" in workshop.products and "丝网花" in workshop.products
    assert "线上" in workshop.sales_channels and "线下" in workshop.sales_channels
    cooperative = LivelihoodProject.objects.get(name=plan.XINGHE_COOPERATIVE)
    assert cooperative.region.code == plan.XINGHE and "蜂蜜" in cooperative.products
    assert all(cost in cooperative.description for cost in ("运输", "邮寄", "收集", "包装", "宣传"))
    planting = LivelihoodProject.objects.get(name=plan.YUNAI_PLANTING)
    assert planting.region.code == plan.YUNAI

    def latest(indicator: str, label: str = "") -> Decimal:
        measures = planting.measures.filter(indicator=indicator, label=label).order_by("-measured_on")
        return measures.values_list("value", flat=True)[0]

    assert latest("visits", "走访村民小组") == 11
    assert latest("area_mu", "核桃") == 500
    assert latest("area_mu", "雪莲果") == 300
    assert latest("income_per_household") == 6000
    assert planting.measures.filter(indicator="area_mu", label="核桃").count() > 1  # measured over time


def test_it_gives_the_worker_a_caseload_and_the_mentor_a_plan_to_approve(chongqing: Region) -> None:
    worker = Membership.objects.get(user__username="worker").person
    mentor = Membership.objects.get(user__username="mentor").person
    open_cases = Case.objects.filter(worker=worker, status=Case.Status.OPEN)
    assert {Case.Stage.INTAKE, Case.Stage.ASSESSMENT, Case.Stage.PLAN, Case.Stage.INTERVENTION,
            Case.Stage.EVALUATION} <= set(open_cases.values_list("stage", flat=True))  # fmt: skip
    quiet = open_cases.filter(
        stage=Case.Stage.INTERVENTION, last_service_on__lt=AS_OF - dt.timedelta(days=30)
    )
    late = Referral.objects.filter(case__worker=worker, status="pending", answer_due_on__lt=AS_OF)
    assert quiet.exists() and late.exists()
    assert ServiceRecord.objects.filter(worker=worker, served_on__gte=AS_OF - dt.timedelta(days=7)).exists()
    supervisees = Supervision.objects.filter(supervisor=mentor).values("supervisee")
    waiting = CasePlan.objects.filter(status=CasePlan.Status.SUBMITTED, case__worker__in=supervisees)
    assert waiting.exists()
    assert CasePlan.objects.filter(reviewed_by__username="mentor", status="approved").exists()
