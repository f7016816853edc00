"""The rules of a dispatch term: overlap, dates, ending, assessment, renewal; each refusal named."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from sanqu.accounts.models import AuditEntry
from sanqu.lib import clock
from sanqu.testing import World, make_person
from sanqu.workforce.experience import dispatch_experience
from sanqu.workforce.models import Dispatch
from sanqu.workforce.services import (
    dispatch_assess,
    dispatch_create,
    dispatch_end,
    dispatch_renew,
    dispatch_update,
)
from sanqu.workforce.tests.factories import make_dispatch, make_year


def messages(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


def create(world: World, **overrides: object) -> Dispatch:
    started_on = overrides.pop("started_on", dt.date(2017, 3, 1))
    assert isinstance(started_on, dt.date)
    values: dict[str, object] = {
        "actor": world["chengkou"],
        "person": world.worker_person,
        "programme_year": make_year(year=started_on.year, counties=[world.chengkou]),
        "sending_organisation": world.yangguang,
        "county": world.chengkou,
        "started_on": started_on,
        **overrides,
    }
    return dispatch_create(**values)  # type: ignore[arg-type]


def completed(world: World, *, started_on: dt.date = dt.date(2017, 3, 1)) -> Dispatch:
    dispatch = create(world, started_on=started_on)
    return dispatch_end(
        actor=world["chengkou"],
        dispatch=dispatch,
        outcome=Dispatch.Status.COMPLETED,
        ended_on=dispatch.planned_end_on,
    )


# Overlap and dates.


def test_it_refuses_a_term_overlapping_another_and_names_it(world: World) -> None:
    create(world, started_on=dt.date(2017, 3, 1))  # until 2018-02-28

    with pytest.raises(ValidationError) as refused:
        create(world, started_on=dt.date(2018, 1, 15))

    assert "与该社工的另一期选派时间重叠：2017年度 城口县 2017-03-01 至 2018-02-28。" in messages(refused)
    assert refused.value.error_dict.keys() == {"started_on"}
    assert Dispatch.objects.count() == 1


def test_it_reads_an_ended_term_to_its_real_end_not_the_planned_one(world: World) -> None:
    first = create(world, started_on=dt.date(2017, 3, 1))
    dispatch_end(
        actor=world["chengkou"],
        dispatch=first,
        outcome=Dispatch.Status.LEFT_EARLY,
        ended_on=dt.date(2017, 9, 30),
        leave_reason=Dispatch.LeaveReason.FAMILY,
    )

    later = create(world, started_on=dt.date(2018, 1, 15))

    assert later.started_on == dt.date(2018, 1, 15)


def test_it_refuses_a_second_term_in_the_same_year_naming_the_first(world: World) -> None:
    create(world, started_on=dt.date(2017, 3, 1))
    year = make_year(year=2017, counties=[world.chengkou])

    with pytest.raises(ValidationError) as refused:
        create(world, started_on=dt.date(2019, 3, 1), programme_year=year)

    assert "该社工在本年度已有选派：2017年度 城口县" in messages(refused)


def test_it_refuses_a_planned_end_before_the_start(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        create(world, planned_end_on=dt.date(2017, 2, 1))

    assert refused.value.error_dict.keys() == {"planned_end_on"}
    assert "计划结束日期须晚于派驻开始日期。" in messages(refused)
    assert not Dispatch.objects.exists()


def test_it_refuses_an_end_before_the_start(world: World) -> None:
    dispatch = create(world)

    with pytest.raises(ValidationError) as refused:
        dispatch_end(
            actor=world["chengkou"],
            dispatch=dispatch,
            outcome=Dispatch.Status.COMPLETED,
            ended_on=dt.date(2017, 2, 1),
        )

    assert "实际结束日期不能早于派驻开始日期。" in messages(refused)
    dispatch.refresh_from_db()
    assert (dispatch.status, dispatch.ended_on) == (Dispatch.Status.SERVING, None)


def test_it_refuses_an_end_in_the_future(world: World) -> None:
    dispatch = create(world)

    with pytest.raises(ValidationError) as refused:
        dispatch_end(
            actor=world["chengkou"],
            dispatch=dispatch,
            outcome=Dispatch.Status.COMPLETED,
            ended_on=clock.today() + dt.timedelta(days=1),
        )

    assert "实际结束日期不能晚于今天。" in messages(refused)


def test_it_needs_an_end_date_for_a_finished_status_and_none_while_serving(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        create(world, status=Dispatch.Status.COMPLETED)
    assert "期满或提前离岗须填写实际结束日期。" in messages(refused)

    with pytest.raises(ValidationError) as refused:
        create(world, ended_on=dt.date(2017, 9, 1))
    assert "在岗的选派不能填写实际结束日期" in messages(refused)
    assert not Dispatch.objects.exists()


# Ending a term.


def test_it_ends_a_term_as_completed_and_audits_it(world: World) -> None:
    dispatch = completed(world)

    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.COMPLETED
    assert dispatch.ended_on == dt.date(2018, 2, 28)
    assert dispatch.leave_reason == ""
    entry = AuditEntry.objects.filter(action="update", object_id=str(dispatch.pk)).get()
    assert entry.detail["changed"] == ["ended_on", "status"]


def test_it_ends_a_term_early_with_a_reason_from_the_list(world: World) -> None:
    dispatch = create(world)

    dispatch_end(
        actor=world["chengkou"],
        dispatch=dispatch,
        outcome=Dispatch.Status.LEFT_EARLY,
        ended_on=dt.date(2017, 8, 31),
        leave_reason=Dispatch.LeaveReason.CIVIL_SERVICE,
        leave_note="考取城口县民政局公务员",
    )

    dispatch.refresh_from_db()
    assert dispatch.get_leave_reason_display() == "考取公务员或事业单位"
    assert dispatch.leave_note == "考取城口县民政局公务员"


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "提前离岗须填写离岗原因。"), ("工资太低", "离岗原因须从列表中选择。")],
)
def test_it_refuses_leaving_early_without_a_listed_reason(world: World, reason: str, message: str) -> None:
    dispatch = create(world)

    with pytest.raises(ValidationError) as refused:
        dispatch_end(
            actor=world["chengkou"],
            dispatch=dispatch,
            outcome=Dispatch.Status.LEFT_EARLY,
            ended_on=dt.date(2017, 8, 31),
            leave_reason=reason,
        )

    assert refused.value.error_dict.keys() == {"leave_reason"}
    assert message in messages(refused)
    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.SERVING
    assert not AuditEntry.objects.filter(action="update").exists()


def test_it_refuses_to_end_a_term_twice(world: World) -> None:
    dispatch = completed(world)

    with pytest.raises(ValidationError) as refused:
        dispatch_end(
            actor=world["chengkou"],
            dispatch=dispatch,
            outcome=Dispatch.Status.LEFT_EARLY,
            ended_on=dt.date(2017, 9, 1),
            leave_reason=Dispatch.LeaveReason.HEALTH,
        )

    assert "该选派已于 2018-02-28 结束（期满），不能再次结束。" in messages(refused)


def test_it_refuses_a_reason_on_a_term_that_did_not_end_early(world: World) -> None:
    dispatch = completed(world)

    with pytest.raises(ValidationError) as refused:
        dispatch_update(
            actor=world["chengkou"], dispatch=dispatch, data={"leave_reason": Dispatch.LeaveReason.PAY}
        )

    assert "只有提前离岗才填写离岗原因。" in messages(refused)


# Assessment.


def test_it_refuses_an_assessment_before_the_term_has_ended(world: World) -> None:
    dispatch = create(world)

    with pytest.raises(ValidationError) as refused:
        dispatch_assess(
            actor=world["chengkou"],
            dispatch=dispatch,
            assessment=Dispatch.Assessment.GOOD,
            assessed_on=dt.date(2017, 12, 1),
        )

    assert refused.value.error_dict.keys() == {"assessment"}
    assert "选派结束后才能记录考核结果。" in messages(refused)
    dispatch.refresh_from_db()
    assert dispatch.assessment == ""


def test_it_records_an_assessment_after_the_end(world: World) -> None:
    dispatch = completed(world)

    dispatch_assess(
        actor=world["chengkou"],
        dispatch=dispatch,
        assessment=Dispatch.Assessment.GOOD,
        assessed_on=dt.date(2018, 3, 12),
    )

    dispatch.refresh_from_db()
    assert (dispatch.get_assessment_display(), dispatch.assessed_on) == ("良好", dt.date(2018, 3, 12))
    assert dispatch.assessment_passed is True


def test_it_refuses_an_assessment_dated_before_the_end(world: World) -> None:
    dispatch = completed(world)

    with pytest.raises(ValidationError) as refused:
        dispatch_assess(
            actor=world["chengkou"],
            dispatch=dispatch,
            assessment=Dispatch.Assessment.PASS,
            assessed_on=dt.date(2018, 1, 31),
        )

    assert "考核日期不能早于实际结束日期。" in messages(refused)


# Renewal.


def test_it_renews_a_completed_term_into_the_next_year_from_the_day_after_its_end(world: World) -> None:
    old = completed(world)
    make_year(year=2018, counties=[world.chengkou])

    new = dispatch_renew(actor=world["chengkou"], dispatch=old)

    assert new.renewal_of == old
    assert new.programme_year.year == 2018
    assert new.started_on == dt.date(2018, 3, 1)
    assert new.planned_end_on == dt.date(2019, 2, 28)
    assert (new.county, new.sending_organisation, new.status) == (
        world.chengkou,
        world.yangguang,
        Dispatch.Status.SERVING,
    )
    assert AuditEntry.objects.filter(action="create", object_id=str(new.pk)).exists()


def test_it_renews_only_a_completed_term(world: World) -> None:
    dispatch = create(world)
    make_year(year=2018, counties=[world.chengkou])

    with pytest.raises(ValidationError) as refused:
        dispatch_renew(actor=world["chengkou"], dispatch=dispatch)

    assert "只有期满的选派可以续派。" in messages(refused)
    assert Dispatch.objects.count() == 1


def test_it_renews_a_term_once(world: World) -> None:
    old = completed(world)
    make_year(year=2018, counties=[world.chengkou])
    dispatch_renew(actor=world["chengkou"], dispatch=old)

    with pytest.raises(ValidationError) as refused:
        dispatch_renew(actor=world["chengkou"], dispatch=old)

    assert "该选派已续派：2018年度 城口县 2018-03-01 至 2019-02-28。" in messages(refused)
    assert Dispatch.objects.count() == 2


def test_it_needs_the_following_programme_year(world: World) -> None:
    old = completed(world)

    with pytest.raises(ValidationError) as refused:
        dispatch_renew(actor=world["chengkou"], dispatch=old)

    assert "还没有2018年度，请先在后台建立该年度。" in messages(refused)


def test_it_refuses_a_renewal_that_starts_inside_the_old_term(world: World) -> None:
    old = completed(world)
    make_year(year=2018, counties=[world.chengkou])

    with pytest.raises(ValidationError) as refused:
        dispatch_renew(actor=world["chengkou"], dispatch=old, started_on=dt.date(2018, 2, 1))

    assert "与该社工的另一期选派时间重叠：2017年度 城口县 2017-03-01 至 2018-02-28。" in messages(refused)
    assert Dispatch.objects.count() == 1


# Who may change a term.


def test_it_hides_another_countys_term_and_refuses_read_only_roles(world: World) -> None:
    dispatch = create(world)

    with pytest.raises(Http404):
        dispatch_end(
            actor=world["wanzhou"],
            dispatch=dispatch,
            outcome=Dispatch.Status.COMPLETED,
            ended_on=dt.date(2018, 2, 28),
        )
    for reader in ("leader", "yangguang", "worker"):
        with pytest.raises(PermissionDenied):
            dispatch_assess(
                actor=world[reader],
                dispatch=dispatch,
                assessment=Dispatch.Assessment.PASS,
                assessed_on=dt.date(2018, 3, 1),
            )
    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.SERVING


def test_the_city_admin_may_end_a_term_in_any_county(world: World) -> None:
    outsider = make_person("张万州", world.wanzhou, address="500101")
    dispatch = make_dispatch(
        person=outsider, county=world.wanzhou, organisation=world.wanzhou_org, started_on=dt.date(2017, 4, 1)
    )

    dispatch_end(
        actor=world["city"],
        dispatch=dispatch,
        outcome=Dispatch.Status.COMPLETED,
        ended_on=dt.date(2018, 3, 31),
    )

    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.COMPLETED


# Experience for the exam.


def test_it_counts_the_days_of_passed_terms_as_experience(world: World) -> None:
    first = completed(world)  # 2017-03-01 .. 2018-02-28: 365 days
    dispatch_assess(
        actor=world["chengkou"],
        dispatch=first,
        assessment=Dispatch.Assessment.PASS,
        assessed_on=dt.date(2018, 3, 5),
    )
    make_year(year=2018, counties=[world.chengkou])
    second = dispatch_renew(actor=world["chengkou"], dispatch=first)
    dispatch_end(
        actor=world["chengkou"],
        dispatch=second,
        outcome=Dispatch.Status.LEFT_EARLY,
        ended_on=dt.date(2018, 8, 31),  # 184 days
        leave_reason=Dispatch.LeaveReason.STUDY,
    )
    unassessed = dispatch_experience(world.worker_person, as_of=dt.date(2019, 1, 1))
    dispatch_assess(
        actor=world["chengkou"],
        dispatch=second,
        assessment=Dispatch.Assessment.EXCELLENT,
        assessed_on=dt.date(2018, 9, 5),
    )

    experience = dispatch_experience(world.worker_person, as_of=dt.date(2019, 1, 1))

    assert (unassessed.days, unassessed.terms) == (365, 1)
    assert (experience.days, experience.terms) == (549, 2)
    assert str(experience.years) == "1.5"
    assert experience.has_years(1) and not experience.has_years(2)
    assert dispatch_experience(world.worker_person, as_of=dt.date(2018, 8, 30)).days == 365


def test_a_failed_term_gives_no_experience(world: World) -> None:
    dispatch = completed(world)
    dispatch_assess(
        actor=world["chengkou"],
        dispatch=dispatch,
        assessment=Dispatch.Assessment.FAIL,
        assessed_on=dt.date(2018, 3, 5),
    )

    experience = dispatch_experience(world.worker_person, as_of=dt.date(2019, 1, 1))

    assert (experience.days, experience.terms, str(experience.years)) == (0, 0, "0.0")
