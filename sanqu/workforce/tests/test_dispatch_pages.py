"""The dispatch pages as each persona sees them: the list, one term, the actions and a new term."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from sanqu.accounts.models import AuditEntry
from sanqu.testing import World, make_person
from sanqu.workforce.models import Dispatch
from sanqu.workforce.tests.factories import make_dispatch, make_year


@dataclass
class Terms:
    worker: Dispatch  # 李晓梅 in 城口, sent by 扬光, serving
    chengkou_done: Dispatch  # 周小川 in 城口, sent by 扬光, completed
    wanzhou: Dispatch  # 张万州 in 万州, sent by 万州区社会工作协会


@pytest.fixture
def terms(world: World) -> Terms:
    zhou = make_person("周小川", world.chengkou, organisation=world.yangguang)
    done = make_dispatch(
        person=zhou, county=world.chengkou, organisation=world.yangguang, started_on=dt.date(2017, 3, 1)
    )
    done.status, done.ended_on = Dispatch.Status.COMPLETED, dt.date(2018, 2, 28)
    done.save()
    outsider = make_person("张万州", world.wanzhou, address="500101")
    return Terms(
        worker=make_dispatch(
            person=world.worker_person,
            county=world.chengkou,
            organisation=world.yangguang,
            station=world.station,
            started_on=dt.date(2018, 3, 15),
        ),
        chengkou_done=done,
        wanzhou=make_dispatch(
            person=outsider,
            county=world.wanzhou,
            organisation=world.wanzhou_org,
            started_on=dt.date(2018, 4, 1),
        ),
    )


def body(client: Client, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


LIST = reverse("dispatch_list")


# The list.


@pytest.mark.parametrize(
    ("username", "seen", "unseen"),
    [
        ("city", {"李晓梅", "周小川", "张万州"}, set()),
        ("leader", {"李晓梅", "周小川", "张万州"}, set()),
        ("chengkou", {"李晓梅", "周小川"}, {"张万州"}),
        ("wanzhou", {"张万州"}, {"李晓梅", "周小川"}),
        ("yangguang", {"李晓梅", "周小川"}, {"张万州"}),
        ("worker", {"李晓梅"}, {"周小川", "张万州"}),
    ],
)
def test_it_lists_only_the_dispatches_in_scope(
    as_user, terms: Terms, username: str, seen: set[str], unseen: set[str]
) -> None:
    page = body(as_user(username), LIST)

    assert all(name in page for name in seen)
    assert not any(name in page for name in unseen)


def test_it_refuses_the_list_to_roles_without_dispatches(as_user, terms: Terms) -> None:
    assert as_user("editor").get(LIST).status_code == 403
    assert Client().get(LIST).status_code == 302
    assert as_user("city").post(LIST).status_code == 405


def test_it_filters_by_status_year_county_and_reason(world: World, as_user, terms: Terms) -> None:
    client = as_user("city")

    assert "周小川" not in body(client, LIST, status="serving")
    completed = body(client, LIST, status="completed")
    assert "周小川" in completed and "李晓梅" not in completed
    assert "周小川" in body(client, LIST, status="ended")
    by_year = body(client, LIST, year="2017")
    assert "周小川" in by_year and "李晓梅" not in by_year
    by_county = body(client, LIST, county=str(world.wanzhou.pk))
    assert "张万州" in by_county and "李晓梅" not in by_county
    by_org = body(client, LIST, organisation=str(world.wanzhou_org.pk))
    assert "张万州" in by_org and "周小川" not in by_org
    assert "没有符合筛选条件的选派。" in body(client, LIST, reason="health")
    as_of = body(client, LIST, status="serving", as_of="2018-01-31")
    assert "周小川" in as_of and "李晓梅" not in as_of  # 周小川 was still serving then


def test_it_offers_only_the_counties_of_the_scope_as_filters(world: World, as_user, terms: Terms) -> None:
    page = body(as_user("chengkou"), LIST)

    assert "城口县" in page
    assert "万州区" not in page
    assert "万州区社会工作协会" not in page


def test_it_pages_a_long_list(world: World, as_user) -> None:
    for number in range(27):
        person = make_person(f"社工{number:02d}", world.chengkou)
        make_dispatch(
            person=person, county=world.chengkou, organisation=world.yangguang, started_on=dt.date(2017, 3, 1)
        )
    client = as_user("chengkou")

    first = body(client, LIST, status="serving")
    second = body(client, LIST, status="serving", page="2")

    assert "第 1 / 2 页" in first
    assert "status=serving&amp;page=2" in first
    assert second.count('class="record"') == 2


# One term.


def test_it_404s_a_dispatch_out_of_scope(as_user, terms: Terms) -> None:
    url = reverse("dispatch_detail", args=[terms.worker.pk])

    assert as_user("wanzhou").get(url).status_code == 404
    assert as_user("worker").get(reverse("dispatch_detail", args=[terms.chengkou_done.pk])).status_code == 404
    assert as_user("yangguang").get(reverse("dispatch_detail", args=[terms.wanzhou.pk])).status_code == 404
    for action in ("dispatch_end", "dispatch_assess", "dispatch_renew"):
        assert as_user("wanzhou").get(reverse(action, args=[terms.worker.pk])).status_code == 404


def test_it_shows_the_officer_the_actions_and_readers_none(as_user, terms: Terms) -> None:
    url = reverse("dispatch_detail", args=[terms.worker.pk])

    officer = body(as_user("chengkou"), url)
    assert "结束本期" in officer
    assert "鸡鸣乡社会工作站" in officer
    for reader in ("leader", "yangguang", "worker"):
        page = body(as_user(reader), url)
        assert "李晓梅" in page
        assert "结束本期" not in page
        assert as_user(reader).get(reverse("dispatch_end", args=[terms.worker.pk])).status_code == 403
        assert as_user(reader).post(reverse("dispatch_end", args=[terms.worker.pk]), {}).status_code == 403


def test_the_officer_ends_a_term_early_with_a_reason(as_user, terms: Terms) -> None:
    client = as_user("chengkou")
    url = reverse("dispatch_end", args=[terms.worker.pk])
    form = body(client, url)
    assert "考取公务员或事业单位" in form

    response = client.post(
        url,
        {
            "outcome": "left_early",
            "ended_on": "2018-06-30",
            "leave_reason": "family",
            "leave_note": "照顾父母",
        },
    )

    assert response.status_code == 302
    page = body(client, response["Location"])
    assert "已结束本期选派。" in page
    assert "家庭原因：照顾父母" in page
    assert "记录考核结果" in page


def test_it_keeps_the_form_and_says_why_when_ending_is_refused(as_user, terms: Terms) -> None:
    client = as_user("chengkou")
    url = reverse("dispatch_end", args=[terms.worker.pk])

    no_reason = client.post(url, {"outcome": "left_early", "ended_on": "2018-06-30"})
    before_start = client.post(url, {"outcome": "completed", "ended_on": "2018-01-01"})

    assert no_reason.status_code == 200
    assert "离岗原因：提前离岗须填写离岗原因。" in no_reason.content.decode()
    assert "实际结束日期不能早于派驻开始日期。" in before_start.content.decode()
    assert 'value="2018-01-01"' in before_start.content.decode()
    terms.worker.refresh_from_db()
    assert terms.worker.status == Dispatch.Status.SERVING


def test_the_officer_records_an_assessment_then_renews(world: World, as_user, terms: Terms) -> None:
    client = as_user("chengkou")
    make_year(year=2018, counties=[world.chengkou])
    done = terms.chengkou_done

    assessed = client.post(
        reverse("dispatch_assess", args=[done.pk]), {"assessment": "good", "assessed_on": "2018-03-10"}
    )
    assert assessed.status_code == 302
    renewed = client.post(reverse("dispatch_renew", args=[done.pk]), {"started_on": "", "planned_end_on": ""})

    assert renewed.status_code == 302
    new = Dispatch.objects.get(renewal_of=done)
    assert renewed["Location"] == reverse("dispatch_detail", args=[new.pk])
    page = body(client, renewed["Location"])
    assert "已续派至2018年度。" in page
    assert "2017年度" in page and "2018-03-01" in page  # the chain, oldest first
    old_page = body(client, reverse("dispatch_detail", args=[done.pk]))
    assert "良好" in old_page
    assert "考核合格的 1 期选派共计 365 天（约 1.0 年）" in old_page
    assert f'href="/dispatches/{done.pk}/renew/"' not in old_page  # renewed once


def test_the_assessment_form_refuses_a_serving_term(as_user, terms: Terms) -> None:
    response = as_user("chengkou").post(
        reverse("dispatch_assess", args=[terms.worker.pk]),
        {"assessment": "pass", "assessed_on": "2018-06-01"},
    )

    assert response.status_code == 200
    assert "选派结束后才能记录考核结果。" in response.content.decode()
    terms.worker.refresh_from_db()
    assert terms.worker.assessment == ""


# A new term.


def test_the_officer_registers_a_term_by_id_number(world: World, as_user) -> None:
    year = make_year(year=2018, counties=[world.chengkou])
    client = as_user("chengkou")
    assert "登记选派" in body(client, LIST)

    response = client.post(
        reverse("dispatch_create"),
        {
            "id_number": world.mentor_person.id_number.lower(),
            "programme_year": year.pk,
            "sending_organisation": world.yangguang.pk,
            "county": world.chengkou.pk,
            "station": world.station.pk,
            "started_on": "2018-04-01",
        },
    )

    assert response.status_code == 302
    dispatch = Dispatch.objects.get(person=world.mentor_person)
    assert dispatch.planned_end_on == dt.date(2019, 3, 31)
    assert AuditEntry.objects.filter(action="create", object_id=str(dispatch.pk)).exists()


def test_a_new_term_names_the_overlapping_one(world: World, as_user, terms: Terms) -> None:
    year = make_year(year=2019, counties=[world.chengkou])

    response = as_user("chengkou").post(
        reverse("dispatch_create"),
        {
            "person": world.worker_person.pk,
            "programme_year": year.pk,
            "sending_organisation": world.yangguang.pk,
            "county": world.chengkou.pk,
            "started_on": "2019-01-01",
        },
    )

    assert response.status_code == 200
    assert (
        "与该社工的另一期选派时间重叠：2018年度 城口县 2018-03-15 至 2019-03-14。"
        in response.content.decode()
    )
    assert Dispatch.objects.filter(person=world.worker_person).count() == 1


def test_an_id_number_out_of_scope_reads_like_an_unknown_one(world: World, as_user) -> None:
    year = make_year(year=2018, counties=[world.wanzhou])

    response = as_user("wanzhou").post(
        reverse("dispatch_create"),
        {
            "id_number": world.worker_person.id_number,
            "programme_year": year.pk,
            "sending_organisation": world.wanzhou_org.pk,
            "county": world.wanzhou.pk,
            "started_on": "2018-04-01",
        },
    )

    assert response.status_code == 200
    assert "在您的权限范围内没有找到该身份证号的人员。" in response.content.decode()
    assert "李晓梅" not in response.content.decode()
    assert not Dispatch.objects.exists()


def test_only_officers_and_the_city_office_register_terms(as_user, terms: Terms) -> None:
    url = reverse("dispatch_create")
    for reader in ("leader", "yangguang", "worker", "mentor"):
        assert as_user(reader).get(url).status_code == 403
        assert "登记选派" not in as_user(reader).get(LIST).content.decode()
    assert as_user("city").get(url).status_code == 200
