"""The rollups of people served and of case stages stay equal to the records, whatever is written."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re
from collections import Counter

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sanqu.cases import rollups
from sanqu.cases.models import (
    Assessment,
    Beneficiary,
    BeneficiaryRollup,
    Case,
    CasePlan,
    CaseStageRollup,
    Closure,
    Evaluation,
    ServiceRecord,
    TargetGroup,
)
from sanqu.cases.services import case_closure
from sanqu.cases.services import cases as case_services
from sanqu.cases.tests import case_factories
from sanqu.figures import dashboard
from sanqu.figures.engine import (
    beneficiaries_by_group,
    beneficiaries_registered,
    cases_as_of,
    cases_by_stage,
    compute_figures,
)
from sanqu.figures.tests.factories import (
    Programme,
    assess,
    beneficiary,
    build_programme,
    case,
    close,
    evaluate,
    person,
    plan,
    village,
)
from sanqu.regions.models import Region
from sanqu.testing import World

D = dt.date(2014, 12, 31)
Status, Reason = CasePlan.Status, Closure.Reason


@pytest.fixture
def made(db: None) -> Programme:
    return build_programme()


def stage_dates() -> list[dt.date]:
    """Every date a stage record or a case names, with the days either side."""
    named: set[dt.date] = set(Case.objects.values_list("opened_on", flat=True))
    for model, field in (
        (Assessment, "assessed_on"),
        (CasePlan, "drafted_on"),
        (Evaluation, "evaluated_on"),
        (Closure, "closed_on"),
    ):
        named.update(model.objects.values_list(field, flat=True))
    named.update(
        timezone.localtime(at).date() for at in CasePlan.objects.exclude(reviewed_at=None).values_list(
            "reviewed_at", flat=True)
    )  # fmt: skip
    return sorted({day + dt.timedelta(days=step) for day in named for step in (-1, 0, 1)})


def by_sql_rule(scope: Region, day: dt.date) -> dict[str, int]:
    """Cases at each stage as of the day by `cases_as_of`, the rule written in SQL."""
    counts = dict.fromkeys(Case.Stage.values, 0)
    counts.update(Counter(cases_as_of(scope=scope, as_of=day).values_list("stage_as_of", flat=True)))
    return counts


def assert_in_step(made: Programme, *days: dt.date) -> None:
    """The tables equal a rebuild, and every figure read through them equals a recount."""
    assert rollups.differences() == []
    for day in days or (D,):
        for scope in (made.chongqing, made.chengkou, made.wanzhou, made.kaizhou):
            assert cases_by_stage(scope=scope, as_of=day) == by_sql_rule(scope, day)
            assert beneficiaries_by_group(scope=scope, as_of=day) == beneficiaries_by_group(
                scope=scope, as_of=day, recompute=True
            )
            assert beneficiaries_registered(scope=scope, as_of=day) == beneficiaries_registered(
                scope=scope, as_of=day, recompute=True
            )


def county_row(made: Programme, code: str, day: dt.date = D) -> dict[str, object]:
    return next(
        row for row in dashboard.county_figures(scope=made.chongqing, as_of=day) if row["code"] == code
    )


# People served ---------------------------------------------------------------------------------


def test_the_programme_as_built_is_in_step_on_every_date_it_names(made: Programme) -> None:
    assert BeneficiaryRollup.objects.exists() and CaseStageRollup.objects.exists()
    assert_in_step(made, *stage_dates())


def test_a_registration_counts_in_its_county_once_and_once_per_group(made: Programme) -> None:
    before = compute_figures(scope=made.wanzhou, as_of=D)["beneficiaries_by_group"]
    total = beneficiaries_registered(scope=made.chongqing, as_of=D)
    beneficiary("新对象", made.wanzhou, dt.date(2014, 7, 1), dt.date(1950, 1, 1),
                "left_behind_elderly", "registered_poor")  # fmt: skip

    after = compute_figures(scope=made.wanzhou, as_of=D)["beneficiaries_by_group"]
    assert after["left_behind_elderly"] == before.get("left_behind_elderly", 0) + 1
    assert after["registered_poor"] == before.get("registered_poor", 0) + 1
    assert beneficiaries_registered(scope=made.chongqing, as_of=D) == total + 1
    assert beneficiaries_registered(scope=made.chongqing, as_of=dt.date(2014, 6, 30)) == total  # not yet
    assert county_row(made, "500101")["beneficiaries"] == 2  # b3 and the new one (b4 registers after D)
    assert_in_step(made, dt.date(2014, 6, 30), dt.date(2014, 7, 1), D)


def test_moving_a_person_or_their_date_moves_their_counts(made: Programme) -> None:
    moved = Beneficiary.objects.get(name="刘某")  # 万州, 2014-06-01, community correction
    chaping = Region.objects.get(code="500229212201")
    moved.region = chaping
    moved.save()
    assert county_row(made, "500101")["beneficiaries"] == 0
    assert county_row(made, "500229")["beneficiaries"] == 3
    assert county_row(made, "500229")["beneficiaries_by_group"]["community_correction"] == 1

    moved.registered_on = dt.date(2015, 3, 1)  # after D: no longer counted at D
    moved.save()
    assert county_row(made, "500229")["beneficiaries"] == 2
    assert county_row(made, "500229", dt.date(2015, 3, 1))["beneficiaries"] == 3
    assert_in_step(made, D, dt.date(2015, 3, 1))

    moved.name = "刘某某"  # a change the rollups do not follow costs no rollup write
    with CaptureQueriesContext(connection) as saved:
        moved.save()
    assert not any("rollup" in query["sql"] for query in saved.captured_queries)


def test_target_groups_added_removed_and_cleared_from_either_side(made: Programme) -> None:
    someone = Beneficiary.objects.get(name="蒋福")  # 开州: disabled, elderly in difficulty
    elderly = TargetGroup.objects.get(code="left_behind_elderly")

    def groups() -> dict[str, int]:
        return beneficiaries_by_group(scope=made.kaizhou, as_of=D)

    someone.target_groups.add(elderly)
    someone.target_groups.add(elderly)  # already there: counts once
    assert groups()["left_behind_elderly"] == 1
    someone.target_groups.remove(TargetGroup.objects.get(code="registered_poor"))  # not in it: no change
    someone.target_groups.remove(TargetGroup.objects.get(code="disabled"))
    assert "disabled" not in groups() or groups()["disabled"] == 0
    assert_in_step(made)

    elderly.beneficiaries.remove(someone)
    elderly.beneficiaries.add(someone, Beneficiary.objects.get(name="刘某"))
    assert groups()["left_behind_elderly"] == 1
    assert beneficiaries_by_group(scope=made.wanzhou, as_of=D)["left_behind_elderly"] == 1
    assert_in_step(made)

    someone.target_groups.clear()
    elderly.beneficiaries.clear()
    assert sum(groups().values()) == 0
    assert beneficiaries_registered(scope=made.kaizhou, as_of=D) == 1  # still registered: counted as a person
    assert_in_step(made)

    someone.target_groups.set(TargetGroup.objects.filter(code__in=["disabled", "left_behind_women"]))
    assert groups()["disabled"] == 1 and groups()["left_behind_women"] == 1
    assert_in_step(made)


def test_merging_a_duplicate_and_deleting_people(made: Programme) -> None:
    kept = Beneficiary.objects.get(name="田大山")  # 城口: left-behind elderly, registered poor
    duplicate = beneficiary("田大山", Region.objects.get(code="500229212201"), dt.date(2014, 1, 5),
                            dt.date(1946, 2, 2), "left_behind_elderly", "disabled")  # fmt: skip
    assert county_row(made, "500229")["beneficiaries"] == 3

    with transaction.atomic():  # the merge: the groups go to the record kept, the duplicate goes
        kept.target_groups.add(*duplicate.target_groups.all())
        duplicate.delete()
    row = county_row(made, "500229")
    assert row["beneficiaries"] == 2
    assert row["beneficiaries_by_group"]["left_behind_elderly"] == 1
    assert row["beneficiaries_by_group"]["disabled"] == 1
    assert_in_step(made)

    later = dt.date(2015, 6, 1)
    before = beneficiaries_registered(scope=made.wanzhou, as_of=later)
    for name in ("甲某", "乙某"):
        beneficiary(name, made.wanzhou, dt.date(2015, 3, 1), dt.date(1950, 1, 1), "disabled")
    assert beneficiaries_registered(scope=made.wanzhou, as_of=later) == before + 2
    Beneficiary.objects.filter(name__in=["甲某", "乙某"]).delete()  # a queryset delete
    assert beneficiaries_registered(scope=made.wanzhou, as_of=later) == before
    assert_in_step(made, later)


def test_a_scope_below_county_counts_its_villages_directly(made: Programme) -> None:
    other = village("500229212202", "另一村", made.jiming)
    beneficiary("李某", other, dt.date(2014, 5, 1), dt.date(1950, 1, 1), "left_behind_elderly")
    chaping = Region.objects.get(code="500229212201")
    assert beneficiaries_registered(scope=chaping, as_of=D) == 2
    assert beneficiaries_registered(scope=made.jiming, as_of=D) == 3
    assert beneficiaries_by_group(scope=other, as_of=D)["left_behind_elderly"] == 1
    trend = dashboard.trend(scope=made.jiming, as_of=D)
    assert [point["beneficiaries"] for point in trend] == [3, 3]  # by 2014-05-31 and by D


def test_the_trend_counts_registrations_by_each_year_end_from_the_rollups(made: Programme) -> None:
    beneficiary("新对象", made.wanzhou, dt.date(2014, 5, 31), dt.date(1950, 1, 1), "left_behind_elderly")
    points = dashboard.trend(scope=made.chongqing, as_of=D)
    for point in points:
        assert point["beneficiaries"] == beneficiaries_registered(
            scope=made.chongqing, as_of=point["as_of"], recompute=True
        )
    assert [point["beneficiaries"] for point in points] == [4, 5]


# Case stages -----------------------------------------------------------------------------------


def test_every_stage_record_written_changed_returned_and_deleted_keeps_them_in_step(made: Programme) -> None:
    asked = (dt.date(2014, 7, 2), dt.date(2014, 7, 8), D, dt.date(2015, 1, 3))
    others = {day: cases_by_stage(scope=made.wanzhou, as_of=day) for day in asked}

    def stage_of_new(day: dt.date = D) -> str:
        """The stage of the new case as of the day: the one count above the other cases'."""
        now = cases_by_stage(scope=made.wanzhou, as_of=day)
        (stage,) = [stage for stage, n in now.items() if n != others[day][stage]]
        assert now[stage] == others[day][stage] + 1
        return stage

    worker = person("武十六", made.wanzhou)
    helped = beneficiary("新对象", made.wanzhou, dt.date(2014, 7, 1), dt.date(1950, 1, 1), "disabled")
    opened = case(helped, worker, dt.date(2014, 7, 2), "N1")
    days = (dt.date(2014, 7, 2), dt.date(2014, 7, 10), dt.date(2014, 8, 31), D)
    assert stage_of_new() == "intake"
    assess(opened, dt.date(2014, 7, 3))
    assert stage_of_new() == "assessment"
    assert stage_of_new(dt.date(2014, 7, 2)) == "intake"

    plan(opened, 1, dt.date(2014, 7, 5), Status.SUBMITTED)
    assert_in_step(made, *days)
    drafted = CasePlan.objects.get(case=opened, version=1)
    drafted.status, drafted.reviewed_at = Status.RETURNED, timezone.make_aware(dt.datetime(2014, 7, 6, 9))
    drafted.save()  # returned: still a plan being drafted, not approved
    assert stage_of_new() == "plan"
    plan(opened, 2, dt.date(2014, 7, 8), Status.APPROVED, dt.date(2014, 7, 9))
    assert stage_of_new() == "intervention"
    assert stage_of_new(dt.date(2014, 7, 8)) == "plan"
    assert_in_step(made, *days)

    # A revision after the approval is still intervention; the evaluation, a returned closure, an
    # approved one.
    approved = CasePlan.objects.get(case=opened, version=2)
    approved.status = Status.SUPERSEDED
    approved.save()
    plan(opened, 3, dt.date(2014, 8, 1), Status.SUBMITTED)
    assert stage_of_new() == "intervention"
    evaluate(opened, dt.date(2014, 9, 1))
    close(opened, dt.date(2014, 9, 5), Reason.GOAL_MET, Closure.Status.RETURNED)
    assert stage_of_new() == "evaluation"
    closure = Closure.objects.get(case=opened)
    closure.status = Closure.Status.APPROVED
    closure.save()
    assert stage_of_new() == "closed"
    assert_in_step(made, *days, dt.date(2014, 9, 5))

    # Dates edited, records deleted.
    evaluation = Evaluation.objects.get(case=opened)
    evaluation.evaluated_on = dt.date(2015, 1, 3)  # after the closure: the case is evaluated again
    evaluation.save()
    assert stage_of_new(dt.date(2015, 1, 3)) == "evaluation"
    assert_in_step(made, D, dt.date(2015, 1, 3))
    closure.delete()
    assert stage_of_new(dt.date(2014, 12, 31)) == "intervention"  # no closure, no evaluation yet
    CasePlan.objects.filter(case=opened).delete()
    Assessment.objects.filter(case=opened).delete()
    assert stage_of_new(dt.date(2014, 7, 8)) == "intake"  # nothing left before the evaluation
    assert_in_step(made, *days, dt.date(2015, 1, 3))


def test_a_case_moved_reopened_dated_or_deleted_moves_its_stages(made: Programme) -> None:
    c2 = Case.objects.get(number="C2")  # 城口, intervention at D
    chengkou_before = cases_by_stage(scope=made.chengkou, as_of=D)
    c2.county = made.wanzhou
    c2.save()
    assert cases_by_stage(scope=made.chengkou, as_of=D)["intervention"] == chengkou_before["intervention"] - 1
    assert cases_by_stage(scope=made.wanzhou, as_of=D)["intervention"] >= 1
    assert_in_step(made, *stage_dates())

    c2.opened_on = dt.date(2014, 3, 1)
    c2.approval_required = False  # its plans count as approved on their drafting day
    c2.save()
    assert_in_step(made, *stage_dates())

    everywhere = sum(cases_by_stage(scope=made.chongqing, as_of=D).values())
    ServiceRecord.objects.filter(case__isnull=False).delete()  # they keep a case from deletion
    c2.delete()  # the case and, by cascade, its stage records
    assert sum(cases_by_stage(scope=made.chongqing, as_of=D).values()) == everywhere - 1
    assert_in_step(made, *stage_dates())

    Case.objects.filter(county=made.chengkou).delete()  # a queryset delete of several cases
    assert sum(cases_by_stage(scope=made.chengkou, as_of=D).values()) == 0
    assert not CaseStageRollup.objects.filter(county=made.chengkou).exists()  # no empty rows left
    assert_in_step(made, *stage_dates())


def test_the_case_services_keep_them_in_step(world: World) -> None:
    case_factories.make_year()
    county = world.chengkou
    closed = case_factories.closed(world)
    assert cases_by_stage(scope=county, as_of=dt.date(2018, 7, 10))["closed"] == 1
    returned = case_services.plan_submit(
        actor=world["worker"], case=case_factories.assess(world, case_factories.open_case(world)),
        drafted_on=dt.date(2018, 5, 16),
        goals=[case_services.GoalInput(goal="减轻孤独感", objective="每周1次")],
    )  # fmt: skip
    case_services.plan_review(actor=world["mentor"], plan=returned, approve=False, comment="目标不具体")
    revised = case_factories.in_intervention(world)
    case_factories.submit_plan(world, revised, on=dt.date(2018, 6, 1))  # a revision awaiting review
    closure = case_closure.closure_submit(
        actor=world["worker"], case=case_factories.evaluate(world, case_factories.in_intervention(world)),
        closed_on=dt.date(2018, 7, 5), reason=Closure.Reason.GOAL_MET, summary="目标达成",
    )  # fmt: skip
    case_closure.closure_review(actor=world["mentor"], closure=closure, approve=False, comment="补充小结")
    case_closure.case_reopen(actor=world["worker"], case=closed, reason="情况反复")
    assert rollups.differences() == []
    for day in (dt.date(2018, 5, 2), dt.date(2018, 5, 16), dt.date(2018, 6, 1), dt.date(2018, 7, 10)):
        assert cases_by_stage(scope=county, as_of=day) == by_sql_rule(county, day)
    at_end = cases_by_stage(scope=county, as_of=dt.date(2018, 7, 10))
    assert sum(at_end.values()) == 4 and at_end["closed"] == 1  # reopened: closed until its next record


# Bulk writes, the rebuild, the migrations and the recompute command ------------------------------


def test_bulk_inserts_are_counted_by_their_ids(made: Programme) -> None:
    chaping = Region.objects.get(code="500229212201")
    elderly = TargetGroup.objects.get(code="left_behind_elderly")
    worker = person("武十六", made.chengkou)
    with transaction.atomic():
        people = Beneficiary.objects.bulk_create(
            Beneficiary(name=f"批量{n}", region=chaping, registered_on=dt.date(2014, 8, n + 1))
            for n in range(3)
        )
        Beneficiary.target_groups.through.objects.bulk_create(
            Beneficiary.target_groups.through(beneficiary=someone, targetgroup=elderly) for someone in people
        )
        cases = Case.objects.bulk_create(
            Case(number=f"B{n}", beneficiary=someone, worker=worker, county=made.chengkou,
                 opened_on=dt.date(2014, 8, 10))
            for n, someone in enumerate(people)
        )  # fmt: skip
        Assessment.objects.bulk_create(
            Assessment(case=one, assessed_on=dt.date(2014, 9, 1)) for one in cases[:2]
        )
        assert rollups.differences() != []  # no signals: not counted yet
        rollups.count_created_beneficiaries(someone.pk for someone in people)
        rollups.count_created_cases(one.pk for one in cases)
    assert_in_step(made, dt.date(2014, 8, 31), D)


def test_deferred_writes_skip_the_upkeep_and_rebuild_at_the_end(made: Programme) -> None:
    with transaction.atomic(), rollups.deferred():
        moved = Beneficiary.objects.get(name="刘某")
        moved.registered_on = dt.date(2014, 1, 2)
        moved.save()
        assess(Case.objects.get(number="C1"), dt.date(2014, 12, 1))
    assert_in_step(made, *stage_dates())


@pytest.mark.parametrize(
    ("module", "function", "model"),
    [
        ("0006_beneficiary_rollups", "tally_existing_beneficiaries", BeneficiaryRollup),
        ("0007_case_stage_rollups", "tally_existing_cases", CaseStageRollup),
    ],
)
def test_the_migrations_fill_the_tables_as_the_rebuild_does(
    made: Programme, module: str, function: str, model: type
) -> None:
    model.objects.all().delete()
    migration = importlib.import_module(f"sanqu.cases.migrations.{module}")
    getattr(migration, function)(apps, None)
    assert rollups.differences() == []


def test_the_recompute_command_finds_drifted_people_and_stage_rows(made: Programme) -> None:
    call_command("figures", "--recompute", "--as-of", "2014-12-31", stdout=(out := io.StringIO()))
    assert "一致" in out.getvalue()

    BeneficiaryRollup.objects.filter(county=made.kaizhou, target_group=None, span="day").update(people=7)
    CaseStageRollup.objects.filter(county=made.chengkou, stage="closed", span="month").update(cases=5)
    with pytest.raises(CommandError, match="汇总与原始记录不一致"):
        call_command("figures", "--recompute", "--as-of", "2014-12-31", stdout=(out := io.StringIO()))
    assert (
        f"✗ 服务对象汇总（区县 {made.kaizhou.pk}，类别 全部，2014-05-01）：记录 1 人，汇总 7 人"
        in out.getvalue()
    )
    assert re.search(
        rf"✗ 个案阶段汇总（区县 {made.chengkou.pk}，阶段 closed，2014-04）：记录增减 1 个，汇总 5 个",
        out.getvalue(),
    )
    assert (
        "个案（按阶段） · closed：汇总 5，原始记录 1" in out.getvalue()
    )  # the figure read through the rollup

    call_command(
        "figures", "--rebuild-rollups", "--recompute", "--as-of", "2014-12-31", stdout=(out := io.StringIO())
    )
    assert rollups.differences() == []


def test_the_stage_and_people_figures_read_the_rollups_alone(made: Programme) -> None:
    with CaptureQueriesContext(connection) as read:
        cases_by_stage(scope=made.chongqing, as_of=D)
        beneficiaries_by_group(scope=made.chongqing, as_of=D)
        beneficiaries_registered(scope=made.chongqing, as_of=D)
    tables = " ".join(query["sql"] for query in read.captured_queries)
    assert len(read.captured_queries) == 4  # one each, and the managed list of groups
    for table in ("cases_case", "cases_assessment", "cases_caseplan", "cases_beneficiary"):
        assert connection.ops.quote_name(table) not in tables
