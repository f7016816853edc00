"""Quick service entry from a beneficiary's page, and the worker's own list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from sanqu.cases.models import Beneficiary, ServiceRecord, ServiceType
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.testing import World
from sanqu.workforce.tests.factories import make_dispatch

TODAY = dt.date(2018, 7, 10)


@pytest.fixture(autouse=True)
def pinned(settings) -> None:
    settings.SANQU_TODAY = TODAY


@pytest.fixture
def grandmother(world: World) -> Beneficiary:
    return make_beneficiary("张秀英", world.jiming, worker=world.worker_person)


def entry(grandmother: Beneficiary, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "service_type": ServiceType.objects.get(code="emotional_comfort").pk,
        "served_on": "2018-07-10",
        "duration": "1.5",
        "method": "case",
        "place": "鸡鸣乡社会工作站",
        "notes": "入户探访，老人情绪平稳。",
        "next_step": "下周三再来",
        "client_token": "token-0001",
    }
    data.update(overrides)
    return data


def test_it_prefills_the_form_for_a_few_taps(as_user, world: World, grandmother) -> None:
    make_dispatch(
        person=world.worker_person,
        county=world.chengkou,
        organisation=world.yangguang,
        started_on=dt.date(2017, 9, 1),
        station=world.station,
    )
    response = as_user("worker").get(reverse("service_create", args=[grandmother.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["served_on"] == TODAY
    assert form.initial["place"] == "鸡鸣乡社会工作站"
    assert form.initial["duration"] == "1"
    assert len(form.initial["client_token"]) >= 20
    page = response.content.decode()
    assert 'name="client_token"' in page
    # The elderly's typical types come before the rest.
    assert page.index("精神慰藉") < page.index("生活救助")


def test_it_records_and_returns_to_the_timeline_with_a_message(as_user, grandmother) -> None:
    client = as_user("worker")
    response = client.post(reverse("service_create", args=[grandmother.pk]), entry(grandmother))
    assert response.status_code == 302
    assert response["Location"] == reverse("beneficiary_detail", args=[grandmother.pk]) + "#timeline"
    page = client.get(response["Location"]).content.decode()
    assert "已记录 张秀英 的服务：精神慰藉，1.5 小时。" in page
    assert "下周三再来" in page
    assert "累计 <strong>1.5</strong> 小时" in page
    service = ServiceRecord.objects.get()
    assert service.duration_hours == 1.5


def test_it_takes_a_typed_duration_over_a_preset(as_user, grandmother) -> None:
    as_user("worker").post(
        reverse("service_create", args=[grandmother.pk]), entry(grandmother, duration_other="3")
    )
    assert ServiceRecord.objects.get().duration_hours == 3


def test_it_records_a_double_submit_once(as_user, grandmother) -> None:
    client = as_user("worker")
    url = reverse("service_create", args=[grandmother.pk])
    assert client.post(url, entry(grandmother)).status_code == 302
    assert client.post(url, entry(grandmother)).status_code == 302
    assert ServiceRecord.objects.count() == 1


def test_it_says_which_field_is_wrong_and_keeps_the_input(as_user, grandmother) -> None:
    response = as_user("worker").post(
        reverse("service_create", args=[grandmother.pk]),
        entry(grandmother, served_on="2018-07-11", duration=""),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["duration"] == ["请选择或填写服务时长。"]
    assert "入户探访，老人情绪平稳。" in response.content.decode()

    response = as_user("worker").post(
        reverse("service_create", args=[grandmother.pk]), entry(grandmother, served_on="2018-07-11")
    )
    assert response.context["form"].errors["served_on"] == ["服务日期不能晚于今天。"]
    assert not ServiceRecord.objects.exists()


def test_it_refuses_a_type_not_offered_and_keeps_the_input(as_user, grandmother) -> None:
    retired = ServiceType.objects.get(code="counselling")
    retired.active = False
    retired.save()
    for chosen in (retired.pk, 999_999, "心理疏导"):
        response = as_user("worker").post(
            reverse("service_create", args=[grandmother.pk]), entry(grandmother, service_type=chosen)
        )
        assert response.status_code == 200
        refused = ["选择一个有效的选项： 该选择不在可用的选项中。"]  # Django's own message
        assert response.context["form"].errors["service_type"] == refused
        assert "入户探访，老人情绪平稳。" in response.content.decode()
    assert not ServiceRecord.objects.exists()


def test_it_refuses_anonymous_and_the_wrong_method(client, as_user, grandmother) -> None:
    url = reverse("service_create", args=[grandmother.pk])
    assert client.get(url).status_code == 302
    assert client.post(url, entry(grandmother)).status_code == 302
    assert as_user("worker").put(url).status_code == 405
    assert not ServiceRecord.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("leader", 403), ("city", 403), ("chengkou", 403), ("wanzhou", 404)]
)
def test_it_refuses_writers_without_the_right_or_the_scope(as_user, grandmother, persona, status) -> None:
    url = reverse("service_create", args=[grandmother.pk])
    assert as_user(persona).post(url, entry(grandmother)).status_code == status
    assert not ServiceRecord.objects.exists()


def test_it_answers_404_on_a_child_outside_the_first_circle(as_user, world: World) -> None:
    child = make_beneficiary(
        "李小花", world.jiming, born=dt.date(2009, 4, 1), groups=("left_behind_children",)
    )
    # Not hers: a village worker sees no child she is not responsible for.
    url = reverse("service_create", args=[child.pk])
    assert as_user("worker").get(url).status_code == 404
    assert as_user("city").get(url).status_code == 404


def test_it_lists_the_workers_own_records(as_user, world: World, grandmother) -> None:
    as_user("worker").post(reverse("service_create", args=[grandmother.pk]), entry(grandmother))
    response = as_user("worker").get(reverse("service_mine"))
    assert response.status_code == 200
    assert [r.beneficiary for r in response.context["page"].object_list] == [grandmother]
    assert response.context["month_count"] == 1
    # This month's services and their hours, said together: the hours are the month's, not all time.
    as_user("worker").post(
        reverse("service_create", args=[grandmother.pk]),
        entry(grandmother, served_on="2018-06-30", duration="2", client_token="token-0002"),
    )
    page = as_user("worker").get(reverse("service_mine")).content.decode()
    assert "本月 <strong>1</strong> 次，共 <strong>1.5</strong> 小时" in page

    assert as_user("mentor").get(reverse("service_mine")).context["page"].paginator.count == 0
    assert as_user("worker").post(reverse("service_mine")).status_code == 405
    assert as_user("leader").get(reverse("service_mine")).status_code == 403


def test_it_shows_the_nav_entries_to_whom_they_serve(as_user) -> None:
    page = as_user("worker").get(reverse("home")).content.decode()
    assert reverse("beneficiaries") in page
    assert reverse("service_mine") in page
    page = as_user("leader").get(reverse("home")).content.decode()
    assert reverse("beneficiaries") in page
    assert reverse("service_mine") not in page
    page = as_user("editor").get(reverse("home")).content.decode()
    assert reverse("beneficiaries") not in page


def test_it_preselects_the_case_a_worker_came_from_and_records_in_it(
    as_user, world: World, grandmother
) -> None:
    from sanqu.cases.tests.case_factories import in_intervention, make_year

    make_year()
    case = in_intervention(world, grandmother)
    client = as_user("worker")
    url = reverse("service_create", args=[grandmother.pk])
    assert client.get(url, {"case": case.pk}).context["form"].initial["case"] == case.pk
    client.post(url, entry(grandmother, case=case.pk, served_on="2018-07-02"))
    assert ServiceRecord.objects.get().case == case
    case.refresh_from_db()
    assert case.last_service_on == dt.date(2018, 7, 2)


def test_it_offers_to_open_a_case_only_to_a_worker(as_user, grandmother) -> None:
    url = reverse("beneficiary_detail", args=[grandmother.pk])
    opening = reverse("case_open") + f"?beneficiary={grandmother.pk}"
    assert opening in as_user("worker").get(url).content.decode()
    assert opening not in as_user("chengkou").get(url).content.decode()
