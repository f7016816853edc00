"""Supervision services: what a session may record, and who marks its follow-ups done."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from sanqu.accounts.models import AuditEntry
from sanqu.cases.models import Intake
from sanqu.cases.services import cases as case_services
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.testing import World, make_person
from sanqu.workforce import team_services as services
from sanqu.workforce.models import Supervision, SupervisionFollowUp, SupervisionSession
from sanqu.workforce.tests.team_factories import TODAY, second_supervisee, session, worker_case


@pytest.fixture(autouse=True)
def today(settings) -> None:
    settings.SANQU_TODAY = TODAY


def _record(world: World, **overrides: Any) -> SupervisionSession:
    values: dict[str, Any] = {
        "actor": world["mentor"],
        "supervisees": [world.worker_person],
        "held_on": dt.date(2018, 6, 20),
        "format": SupervisionSession.Format.INDIVIDUAL,
        "duration_hours": Decimal("1.5"),
        "topics": "个案预估的方法",
    }
    values.update(overrides)
    return services.supervision_session_record(**values)


def test_it_records_a_session_with_a_case_and_follow_ups(world: World) -> None:
    case = worker_case(world)
    recorded = session(world, cases=[case])
    assert recorded.supervisor == world.mentor_person
    assert recorded.county == world.chengkou
    assert recorded.recorded_by == world["mentor"]
    assert list(recorded.supervisees.all()) == [world.worker_person]
    assert list(recorded.cases.all()) == [case]
    assert recorded.follow_ups.count() == 2
    assert AuditEntry.objects.filter(
        object_type="workforce.supervisionsession", actor=world["mentor"]
    ).exists()
    assert AuditEntry.objects.filter(object_type="workforce.supervisionfollowup").count() == 2


def test_it_refuses_a_session_dated_in_the_future(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        _record(world, held_on=dt.date(2018, 7, 11))
    assert error.value.message_dict["held_on"] == ["督导日期不能晚于今天（2018-07-10）。"]
    assert not SupervisionSession.objects.exists()


def test_it_refuses_a_worker_the_supervisor_does_not_supervise(world: World) -> None:
    stranger = make_person("孙外人", world.chengkou)
    with pytest.raises(ValidationError) as error:
        _record(world, supervisees=[stranger])
    assert error.value.message_dict["supervisees"] == ["孙外人 在 2018-06-20 不是您督导的社工。"]
    # Nor one supervised only from a later day.
    late = make_person("周后来", world.chengkou)
    Supervision.objects.create(
        supervisor=world.mentor_person, supervisee=late, started_on=dt.date(2018, 7, 1)
    )
    with pytest.raises(ValidationError) as error:
        _record(world, supervisees=[late])
    assert error.value.message_dict["supervisees"] == ["周后来 在 2018-06-20 不是您督导的社工。"]
    with pytest.raises(ValidationError) as error:
        _record(world, supervisees=[])
    assert error.value.message_dict["supervisees"] == ["请至少选择一名被督导社工。"]


def test_it_refuses_a_case_the_supervisees_do_not_hold(world: World) -> None:
    other = second_supervisee(world)
    case = worker_case(world)
    with pytest.raises(ValidationError) as error:
        _record(world, supervisees=[other], cases=[case])
    assert error.value.message_dict["cases"] == [
        f"个案 {case.number} 不由本次被督导的社工负责，不能列为讨论的个案。"
    ]
    with pytest.raises(ValidationError) as error:
        _record(world, held_on=dt.date(2018, 4, 1), cases=[case])
    assert error.value.message_dict["cases"] == [f"个案 {case.number} 于 2018-05-02 才接案，晚于督导日期。"]
    assert not SupervisionSession.objects.exists()


def test_it_refuses_a_follow_up_due_before_the_session_or_owned_by_someone_else(world: World) -> None:
    early = services.FollowUpInput(
        action="提交预估报告", owner=world.worker_person, due_on=dt.date(2018, 6, 19)
    )
    with pytest.raises(ValidationError) as error:
        _record(world, follow_ups=[early])
    assert error.value.message_dict["follow_ups"] == [
        "跟进事项“提交预估报告”的完成期限不能早于督导日期（2018-06-20）。"
    ]
    stranger = make_person("孙外人", world.chengkou)
    elsewhere = services.FollowUpInput(action="联系村委", owner=stranger, due_on=dt.date(2018, 6, 30))
    with pytest.raises(ValidationError) as error:
        _record(world, follow_ups=[elsewhere])
    assert error.value.message_dict["follow_ups"] == [
        "跟进事项“联系村委”的负责人须是本次督导的督导或被督导社工。"
    ]
    assert not SupervisionSession.objects.exists()
    assert not SupervisionFollowUp.objects.exists()


def test_the_format_matches_the_number_of_workers(world: World) -> None:
    other = second_supervisee(world)
    with pytest.raises(ValidationError) as error:
        _record(world, supervisees=[world.worker_person, other])
    assert error.value.message_dict["format"] == ["个别督导只能有一名被督导社工；多人请选择“团体督导”。"]
    with pytest.raises(ValidationError) as error:
        _record(world, format=SupervisionSession.Format.GROUP)
    assert error.value.message_dict["format"] == ["团体督导须有两名及以上被督导社工。"]
    group = _record(world, supervisees=[world.worker_person, other], format=SupervisionSession.Format.GROUP)
    assert group.supervisees.count() == 2


@pytest.mark.parametrize("username", ["worker", "chengkou", "city", "yangguang"])
def test_only_a_supervisor_records_a_session(world: World, username: str) -> None:
    with pytest.raises(PermissionDenied):
        _record(world, actor=world[username])


def test_the_owner_marks_a_follow_up_done_with_its_outcome(world: World) -> None:
    recorded = session(world)
    mine = recorded.follow_ups.get(owner=world.worker_person)
    theirs = recorded.follow_ups.get(owner=world.mentor_person)
    with pytest.raises(ValidationError) as error:
        services.follow_up_done(
            actor=world["worker"], follow_up=mine, done_on=dt.date(2018, 6, 28), outcome=" "
        )
    assert error.value.message_dict["outcome"] == ["请填写完成情况。"]
    with pytest.raises(ValidationError) as error:
        services.follow_up_done(
            actor=world["worker"], follow_up=mine, done_on=dt.date(2018, 6, 19), outcome="完成"
        )
    assert error.value.message_dict["done_on"] == ["完成日期不能早于督导日期（2018-06-20）。"]
    done = services.follow_up_done(
        actor=world["worker"], follow_up=mine, done_on=dt.date(2018, 6, 28), outcome="已补充家庭支持评估"
    )
    assert (done.done_on, done.outcome) == (dt.date(2018, 6, 28), "已补充家庭支持评估")
    with pytest.raises(ValidationError) as error:
        services.follow_up_done(actor=world["mentor"], follow_up=mine, done_on=TODAY, outcome="再次")
    assert error.value.messages == ["该事项已于 2018-06-28 完成。"]
    # The worker does not close the supervisor's own follow-up; the supervisor does.
    with pytest.raises(PermissionDenied):
        services.follow_up_done(actor=world["worker"], follow_up=theirs, done_on=TODAY, outcome="完成")
    services.follow_up_done(actor=world["mentor"], follow_up=theirs, done_on=TODAY, outcome="量表已发给社工")


def test_outsiders_cannot_reach_a_follow_up(world: World) -> None:
    follow_up = session(world).follow_ups.first()
    assert follow_up is not None
    with pytest.raises(Http404):
        services.follow_up_done(actor=world["wanzhou"], follow_up=follow_up, done_on=TODAY, outcome="完成")
    with pytest.raises(PermissionDenied):
        services.follow_up_done(actor=world["chengkou"], follow_up=follow_up, done_on=TODAY, outcome="完成")


def test_the_supervisor_adds_a_follow_up_later(world: World) -> None:
    recorded = session(world)
    services.follow_up_add(
        actor=world["mentor"], session=recorded, action="下次督导带上过程记录", owner=world.worker_person,
        due_on=dt.date(2018, 7, 20),
    )  # fmt: skip
    assert recorded.follow_ups.count() == 3
    with pytest.raises(PermissionDenied):
        services.follow_up_add(
            actor=world["worker"], session=recorded, action="甲", owner=world.worker_person, due_on=TODAY
        )
    with pytest.raises(Http404):
        services.follow_up_add(
            actor=world["wanzhou"], session=recorded, action="甲", owner=world.worker_person, due_on=TODAY
        )


def test_a_case_opened_by_another_worker_is_not_the_supervisees(world: World) -> None:
    """A case held by someone the supervisor also supervises, but who was not in this session."""
    other = second_supervisee(world)
    worker_case(world)
    beneficiary = make_beneficiary("刘大爷", world.jiming)
    from sanqu.accounts.models import Membership
    from sanqu.accounts.roles import Role
    from sanqu.testing import make_user

    colleague = make_user("colleague", (Role.SOCIAL_WORKER, world.jiming, {"person": other}))
    assert Membership.objects.filter(user=colleague).exists()
    case = case_services.case_open(
        actor=colleague, beneficiary=beneficiary, opened_on=dt.date(2018, 5, 3),
        source=Intake.Source.OUTREACH, presenting_problem="行动不便",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        _record(world, cases=[case])
    recorded = _record(world, supervisees=[other], cases=[case])
    assert list(recorded.cases.all()) == [case]
