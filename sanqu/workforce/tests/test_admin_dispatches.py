from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from sanqu.accounts.models import AuditEntry
from sanqu.projects.models import ProgrammeYear
from sanqu.testing import World, make_person
from sanqu.workforce.models import Certificate, Dispatch

LIST = "wagtailsnippets_workforce_dispatch:list"
ADD = "wagtailsnippets_workforce_dispatch:add"
EDIT = "wagtailsnippets_workforce_dispatch:edit"


@pytest.fixture
def year(db: None) -> ProgrammeYear:
    return ProgrammeYear.objects.create(
        year=2017, starts_on=dt.date(2017, 3, 1), ends_on=dt.date(2018, 2, 28)
    )


@pytest.fixture
def dispatches(world: World, year: ProgrammeYear) -> tuple[Dispatch, Dispatch]:
    outsider = make_person("张万州", world.wanzhou, address="500101")
    common = {
        "programme_year": year,
        "started_on": dt.date(2017, 3, 1),
        "planned_end_on": dt.date(2018, 2, 28),
    }
    return (
        Dispatch.objects.create(
            person=world.worker_person, sending_organisation=world.yangguang, county=world.chengkou, **common
        ),
        Dispatch.objects.create(
            person=outsider, sending_organisation=world.wanzhou_org, county=world.wanzhou, **common
        ),
    )


def test_it_lists_scoped_dispatches_and_404s_the_others(world: World, as_user, dispatches) -> None:
    client = as_user("chengkou")
    body = client.get(reverse(LIST)).content.decode()
    assert "李晓梅" in body
    assert "张万州" not in body
    assert client.get(reverse(EDIT, args=[dispatches[1].pk])).status_code == 404


def test_it_creates_a_dispatch_with_a_default_term(world: World, as_user, year: ProgrammeYear) -> None:
    data = {
        "person": world.mentor_person.pk,
        "programme_year": year.pk,
        "sending_organisation": world.yangguang.pk,
        "county": world.chengkou.pk,
        "station": world.station.pk,
        "started_on": "2017-03-01",
        "planned_end_on": "",
        "status": "serving",
    }
    response = as_user("chengkou").post(reverse(ADD), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    dispatch = Dispatch.objects.get(person=world.mentor_person)
    assert dispatch.planned_end_on == dt.date(2018, 2, 28)
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.CREATE, object_type="workforce.dispatch"
    ).exists()


def test_it_requires_a_reason_to_leave_early(world: World, as_user, dispatches) -> None:
    dispatch = dispatches[0]
    data = {
        "person": dispatch.person_id,
        "programme_year": dispatch.programme_year_id,
        "sending_organisation": dispatch.sending_organisation_id,
        "county": dispatch.county_id,
        "started_on": "2017-03-01",
        "planned_end_on": "2018-02-28",
        "ended_on": "2017-09-01",
        "status": "left_early",
        "leave_reason": "",
    }
    response = as_user("chengkou").post(reverse(EDIT, args=[dispatch.pk]), data)
    assert response.status_code == 200
    assert "提前离岗须填写离岗原因" in response.content.decode()
    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.SERVING


def test_it_exports_masked_ids_unless_the_user_may_unmask(world: World, as_user, dispatches) -> None:
    def ids(username: str) -> list[str]:
        response = as_user(username).get(reverse(LIST), {"export": "xlsx"})
        content = b"".join(response.streaming_content) if response.streaming else response.content
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        column = [cell.value for cell in sheet[1]].index("身份证号")
        return [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]

    assert world.worker_person.id_number_masked in ids("leader")
    assert world.worker_person.id_number in ids("city")
    assert (
        AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, actor=world["city"])
        .get()
        .detail["unmasked"]
    )


def test_it_lets_the_county_officer_record_a_certificate(world: World, as_user) -> None:
    data = {
        "person": world.worker_person.pk,
        "level": "assistant",
        "obtained_on": "2018-06-30",
        "number": "1800500001",
        "county": world.chengkou.pk,
    }
    response = as_user("chengkou").post(reverse("wagtailsnippets_workforce_certificate:add"), data)
    assert response.status_code == 302
    assert Certificate.objects.filter(person=world.worker_person).exists()
    response = as_user("wanzhou").post(
        reverse("wagtailsnippets_workforce_certificate:add"),
        {**data, "level": "intermediate", "county": world.wanzhou.pk},
    )
    assert response.status_code == 200  # 李晓梅 is not a person 万州 can pick
    assert Certificate.objects.filter(person=world.worker_person).count() == 1
