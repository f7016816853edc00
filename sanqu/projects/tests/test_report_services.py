"""Filing and reviewing periodic reports: pre-filled figures, the review cycle and its refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from sanqu.accounts.models import AuditEntry
from sanqu.projects.models import PeriodicReport, ReportEvent
from sanqu.projects.report_services import (
    report_accept,
    report_return,
    report_save,
    report_start,
    report_submit,
)
from sanqu.projects.tests.factories import make_project, make_template
from sanqu.projects.tests.report_support import case_on, filed_report, group_with_sessions, service_on
from sanqu.testing import World

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def working_day(settings) -> None:
    settings.SANQU_TODAY = D(2017, 5, 20)


def test_it_prefills_the_figures_of_the_period_from_the_records(world: World) -> None:
    project = make_project(world)
    template = make_template(project.programme_year)
    inside = case_on(world, D(2017, 3, 2))
    service_on(inside, D(2017, 3, 3))
    service_on(inside, D(2017, 3, 31))
    service_on(inside, D(2017, 4, 1))  # next period
    case_on(world, D(2017, 2, 28))  # previous period
    other = case_on(world, D(2017, 3, 5), organisation=world.wanzhou_org)  # another organisation
    service_on(other, D(2017, 3, 6))
    group_with_sessions(world, D(2017, 3, 1), D(2017, 3, 15), D(2017, 4, 2))
    group_with_sessions(world, D(2017, 3, 8), organisation=world.wanzhou_org)

    report = report_start(
        actor=world["yangguang"], project=project, template=template, period_start=D(2017, 3, 1)
    )

    assert report.figures == {"services": 2, "cases_opened": 1, "group_sessions": 2}
    assert (report.period_end, report.due_on, report.status) == (D(2017, 3, 31), D(2017, 4, 10), "draft")
    assert list(report.events.values_list("action", flat=True)) == ["created"]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATE, object_id=str(report.pk)).exists()


def test_figures_follow_the_records_until_submitted_then_stay(world: World) -> None:
    project = make_project(world)
    template = make_template(project.programme_year)
    report = filed_report(world, project, template, D(2017, 3, 1), submit=False)
    case_on(world, D(2017, 3, 20))
    report = report_save(
        actor=world["worker"], report=report, narrative="补录个案。", values={"home_visits": 3}
    )
    assert report.figures["cases_opened"] == 1

    report = report_submit(actor=world["worker"], report=report)
    case_on(world, D(2017, 3, 21))
    report.refresh_from_db()

    assert report.figures["cases_opened"] == 1
    assert report.submitted_by == world["worker"]


def test_the_review_cycle_keeps_every_step(world: World) -> None:
    project = make_project(world)
    template = make_template(project.programme_year)
    report = filed_report(world, project, template, D(2017, 3, 1))
    assert (report.status, report.first_submitted_on, report.submissions) == ("submitted", D(2017, 5, 20), 1)

    report = report_return(actor=world["chengkou"], report=report, comment="请补充入户走访的具体情况。")
    assert (report.status, report.review_comment) == ("returned", "请补充入户走访的具体情况。")

    report = report_save(
        actor=world["yangguang"],
        report=report,
        narrative="本月入户走访 12 户，重点关注 3 户留守老人。",
        values={"home_visits": "12"},
    )
    report = report_submit(actor=world["yangguang"], report=report)
    report = report_accept(actor=world["chengkou"], report=report, comment="同意。")

    report.refresh_from_db()
    assert (report.status, report.submissions, report.first_submitted_on) == ("accepted", 2, D(2017, 5, 20))
    events = list(report.events.order_by("at", "pk"))
    assert [e.action for e in events] == ["created", "submitted", "returned", "submitted", "accepted"]
    assert events[2].comment == "请补充入户走访的具体情况。"
    assert events[2].by == world["chengkou"]
    assert events[1].content["narrative"] == "本月开展入户走访和小组活动。"
    assert events[3].content["narrative"] == "本月入户走访 12 户，重点关注 3 户留守老人。"
    assert events[3].content["values"] == {"home_visits": 12}
    assert events[3].content["figures"] == report.figures


def test_it_refuses_a_period_that_has_not_ended(world: World) -> None:
    project = make_project(world)
    template = make_template(project.programme_year)

    with pytest.raises(ValidationError) as refused:
        report_start(actor=world["yangguang"], project=project, template=template, period_start=D(2017, 5, 1))

    assert "报告期尚未结束（至 2017-05-31）" in refused.value.messages[0]
    assert not PeriodicReport.objects.exists()


def test_it_refuses_a_second_report_for_the_period(world: World) -> None:
    project = make_project(world)
    template = make_template(project.programme_year)
    filed_report(world, project, template, D(2017, 3, 1), submit=False)

    with pytest.raises(ValidationError) as refused:
        report_start(actor=world["worker"], project=project, template=template, period_start=D(2017, 3, 1))

    assert refused.value.messages == ["这一期的报告已经存在。"]
    assert PeriodicReport.objects.count() == 1
    assert ReportEvent.objects.count() == 1


def test_it_refuses_a_day_that_does_not_start_a_period(world: World) -> None:
    project = make_project(world)
    template = make_template(project.programme_year)

    with pytest.raises(ValidationError) as refused:
        report_start(actor=world["yangguang"], project=project, template=template, period_start=D(2017, 3, 2))

    assert "不是本项目的报告期起始日" in refused.value.messages[0]


def test_the_wanzhou_officer_cannot_accept_and_nothing_changes(world: World) -> None:
    project = make_project(world)
    report = filed_report(world, project, make_template(project.programme_year), D(2017, 3, 1))

    with pytest.raises(Http404):
        report_accept(actor=world["wanzhou"], report=report)
    with pytest.raises(Http404):
        report_return(actor=world["wanzhou"], report=report, comment="退回")

    report.refresh_from_db()
    assert (report.status, report.reviewed_by) == ("submitted", None)
    assert report.events.count() == 2


def test_only_the_county_section_reviews_and_only_the_organisation_files(world: World) -> None:
    project = make_project(world)
    template = make_template(project.programme_year)
    report = filed_report(world, project, template, D(2017, 3, 1))

    with pytest.raises(PermissionDenied):
        report_accept(actor=world["yangguang"], report=report)
    with pytest.raises(PermissionDenied):
        report_start(actor=world["chengkou"], project=project, template=template, period_start=D(2017, 4, 1))
    with pytest.raises(Http404):
        report_start(actor=world["wanzhou"], project=project, template=template, period_start=D(2017, 4, 1))
    assert report_accept(actor=world["city"], report=report).status == "accepted"


def test_a_return_needs_a_comment(world: World) -> None:
    project = make_project(world)
    report = filed_report(world, project, make_template(project.programme_year), D(2017, 3, 1))

    with pytest.raises(ValidationError) as refused:
        report_return(actor=world["chengkou"], report=report, comment="  ")

    assert "审核意见" in refused.value.message_dict["comment"][0]
    report.refresh_from_db()
    assert report.status == "submitted"


def test_submission_names_the_missing_required_field(world: World) -> None:
    project = make_project(world)
    template = make_template(project.programme_year)
    report = report_start(
        actor=world["yangguang"], project=project, template=template, period_start=D(2017, 3, 1)
    )
    report = report_save(actor=world["yangguang"], report=report, narrative="本月工作。")

    with pytest.raises(ValidationError) as refused:
        report_submit(actor=world["yangguang"], report=report)

    assert "入户走访(户)" in refused.value.messages[0]
    report.refresh_from_db()
    assert (report.status, report.submissions) == ("draft", 0)


def test_a_submitted_report_cannot_be_edited_or_submitted_again(world: World) -> None:
    project = make_project(world)
    report = filed_report(world, project, make_template(project.programme_year), D(2017, 3, 1))

    with pytest.raises(ValidationError):
        report_save(actor=world["yangguang"], report=report, narrative="改一下")
    with pytest.raises(ValidationError):
        report_submit(actor=world["yangguang"], report=report)


def test_a_number_field_must_be_a_number(world: World) -> None:
    project = make_project(world)
    template = make_template(project.programme_year)
    report = report_start(
        actor=world["yangguang"], project=project, template=template, period_start=D(2017, 3, 1)
    )

    with pytest.raises(ValidationError) as refused:
        report_save(actor=world["yangguang"], report=report, values={"home_visits": "十二"})

    assert refused.value.message_dict["home_visits"] == ["“入户走访(户)”须填写数字。"]
