"""Each project's people served, kept as a tally on every write: the progress a supervisor reads must
move the moment a record, a case, a worker or the project itself changes, and agree with the records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from sanqu.cases import rollups
from sanqu.cases.models import ServiceRecord, ServiceType
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.projects import served
from sanqu.projects.models import Project, ProjectBeneficiary, ProjectPeopleServed, Target
from sanqu.projects.progress import progress_of
from sanqu.projects.tests.factories import make_project
from sanqu.projects.tests.test_progress import _case, _service
from sanqu.testing import World, make_person

pytestmark = pytest.mark.django_db


def people(project: Project, as_of: dt.date, *, recompute: bool = False) -> int:
    """The people served the project's page shows as of the date (`recompute`: found in the records)."""
    rows = progress_of([project], as_of, recompute=recompute)[project.pk]
    return int(next(row.done for row in rows if row.target == Target.BENEFICIARIES))


def test_a_record_counts_its_person_from_its_day_and_an_edit_or_delete_moves_them(world: World) -> None:
    project = make_project(world)  # 2017, 阳光 in 城口
    case = _case(world, dt.date(2017, 3, 1))
    march = _service(world, case, dt.date(2017, 3, 6))
    may = _service(world, case, dt.date(2017, 5, 2))
    assert (people(project, dt.date(2017, 3, 5)), people(project, dt.date(2017, 3, 6))) == (0, 1)
    assert people(project, dt.date(2017, 12, 31)) == 1  # two records, one person

    march.served_on = dt.date(2016, 12, 30)  # before the project: May is the first service now
    march.save()
    assert (people(project, dt.date(2017, 5, 1)), people(project, dt.date(2017, 5, 2))) == (0, 1)

    other = make_beneficiary("孙小花", world.jiming, worker=world.worker_person)
    may.beneficiary = other  # the record named the wrong person
    may.save()
    assert ProjectBeneficiary.objects.get(project=project).beneficiary == other
    may.delete()
    assert people(project, dt.date(2017, 12, 31)) == 0
    assert served.differences() == []


def test_a_case_or_a_worker_moving_to_another_organisation_takes_their_people_along(world: World) -> None:
    ours = make_project(world)
    theirs = make_project(world, organisation=world.wanzhou_org)  # the same county and year
    case = _case(world, dt.date(2017, 3, 1))
    _service(world, case, dt.date(2017, 3, 6))
    end = dt.date(2017, 12, 31)
    assert (people(ours, end), people(theirs, end)) == (1, 0)

    case.organisation = world.wanzhou_org
    case.save()
    assert (people(ours, end), people(theirs, end)) == (0, 1)

    # A record without a case is the worker's organisation's.
    worker = make_person("周建华", world.chengkou, organisation=world.yangguang)
    visit = ServiceRecord.objects.create(
        served_on=dt.date(2017, 4, 1),
        worker=worker,
        method=ServiceRecord.Method.CASE,
        service_type=ServiceType.objects.first(),
        duration_hours=1,
        beneficiary=make_beneficiary("吴桂兰", world.jiming),
        county=world.chengkou,
    )
    assert (people(ours, end), people(theirs, end)) == (1, 1)
    worker.organisation = world.wanzhou_org
    worker.save()
    assert (people(ours, end), people(theirs, end)) == (0, 2)
    assert ProjectBeneficiary.objects.filter(project=theirs, beneficiary=visit.beneficiary).exists()
    assert served.differences() == []


def test_a_project_counts_the_records_already_there_and_follows_its_dates_and_county(world: World) -> None:
    case = _case(world, dt.date(2017, 3, 1))
    _service(world, case, dt.date(2017, 9, 6))
    project = make_project(world)  # signed after the work was recorded
    end = dt.date(2017, 12, 31)
    assert people(project, end) == 1

    project.ends_on = dt.date(2017, 8, 31)
    project.save()
    assert people(project, end) == 0
    project.ends_on = end
    project.county = world.wanzhou
    project.save()
    assert people(project, end) == 0
    project.county = world.chengkou
    project.save()
    assert people(project, end) == 1
    assert served.differences() == []


def test_bulk_writes_inside_deferred_are_counted_once_at_the_end(world: World) -> None:
    project = make_project(world)
    with transaction.atomic(), rollups.deferred():
        _service(world, _case(world, dt.date(2017, 3, 1)), dt.date(2017, 3, 6))
        assert not ProjectBeneficiary.objects.exists()  # no upkeep per write inside
    assert people(project, dt.date(2017, 12, 31)) == 1
    assert served.differences() == []


def test_recompute_names_a_drifted_tally_and_rebuild_mends_it(world: World, capsys) -> None:  # type: ignore[no-untyped-def]
    project = make_project(world)
    case = _case(world, dt.date(2017, 3, 1))
    _service(world, case, dt.date(2017, 3, 6))
    # A bulk write that bypassed the upkeep moved the person's first day, in both tables.
    ProjectBeneficiary.objects.update(first_served_on=dt.date(2017, 8, 1))
    ProjectPeopleServed.objects.update(first_served_on=dt.date(2017, 8, 1))
    june = dt.date(2017, 6, 30)
    assert (people(project, june), people(project, june, recompute=True)) == (0, 1)

    with pytest.raises(CommandError, match="汇总与原始记录不一致：1 项指标、1 行汇总"):
        call_command("figures", "--recompute", "--as-of", "2017-06-30")
    out = capsys.readouterr().out
    person = case.beneficiary.pk
    assert (
        f"✗ 项目服务对象（项目 {project.pk}，服务对象 {person}）：记录首次服务 2017-03-06，汇总 2017-08-01"
        in out
    )

    call_command("figures", "--rebuild-rollups", "--recompute", "--as-of", "2017-06-30")
    assert "与汇总一致" in capsys.readouterr().out
    assert people(project, june) == 1

    ProjectPeopleServed.objects.update(people=5)  # the day counts alone drifted
    with pytest.raises(CommandError, match="1 行汇总"):
        call_command("figures", "--recompute", "--as-of", "2017-06-30")
    assert (
        f"✗ 项目服务对象日汇总（项目 {project.pk}，2017-03-06）：首次服务 1 人，汇总 5 人"
        in capsys.readouterr().out
    )


def test_the_day_counts_follow_two_people_and_their_first_days(world: World) -> None:
    project = make_project(world)
    first, second = _case(world, dt.date(2017, 3, 1)), _case(world, dt.date(2017, 3, 1))
    _service(world, first, dt.date(2017, 3, 6))
    later = _service(world, second, dt.date(2017, 3, 9))
    _service(world, second, dt.date(2017, 3, 6))  # an earlier service recorded afterwards
    days = ProjectPeopleServed.objects.filter(project=project)
    assert list(days.values_list("first_served_on", "people")) == [(dt.date(2017, 3, 6), 2)]
    later.delete()
    mistake = _service(world, first, dt.date(2017, 2, 1))  # the first person's day moves earlier …
    assert list(days.order_by("first_served_on").values_list("first_served_on", "people")) == [
        (dt.date(2017, 2, 1), 1),
        (dt.date(2017, 3, 6), 1),
    ]
    mistake.delete()  # … and back, when the record was a mistake
    assert list(days.values_list("first_served_on", "people")) == [(dt.date(2017, 3, 6), 2)]
    assert people(project, dt.date(2017, 3, 5)) == 0 and people(project, dt.date(2017, 3, 6)) == 2
    assert served.differences() == []
