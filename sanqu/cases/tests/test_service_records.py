"""Recording a service: the worker and county it belongs to, the date rules, one record per submit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sanqu.accounts.models import AuditEntry
from sanqu.cases.models import Beneficiary, Case, ServiceRecord, ServiceType
from sanqu.cases.selectors.services import service_types_for_entry
from sanqu.cases.services.service_records import service_record_create
from sanqu.cases.tests.case_factories import in_intervention, make_year, open_case
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.regions.models import Region
from sanqu.testing import World

TODAY = dt.date(2018, 7, 10)


@pytest.fixture(autouse=True)
def pinned(settings) -> None:
    settings.SANQU_TODAY = TODAY


@pytest.fixture
def village(world: World) -> Region:
    return Region.objects.create(
        code="500229212201", name="祝乐村", level=Region.Level.VILLAGE, parent=world.jiming
    )


@pytest.fixture
def grandmother(world: World, village: Region) -> Beneficiary:
    return make_beneficiary("张秀英", village, worker=world.worker_person)


def record(world: World, actor: str = "worker", **overrides: object) -> ServiceRecord:
    data: dict[str, object] = {
        "served_on": TODAY,
        "service_type": ServiceType.objects.get(code="emotional_comfort"),
        "method": ServiceRecord.Method.CASE,
        "duration_hours": Decimal("1.5"),
        "place": "鸡鸣乡社会工作站",
        "notes": "入户探访，老人独自在家，情绪平稳。",
        "next_step": "下周三再次探访",
    }
    data.update(overrides)
    return service_record_create(actor=world[actor], **data)  # type: ignore[arg-type]


def test_it_records_a_service_by_the_actors_worker_in_the_persons_county(world, grandmother) -> None:
    service = record(world, beneficiary=grandmother)

    assert service.worker == world.worker_person
    assert service.county == world.chengkou
    assert service.created_by == world["worker"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATE, object_type="cases.servicerecord")
    assert entry.object_id == str(service.pk)
    assert entry.detail["beneficiary"] == grandmother.pk


def test_it_refuses_a_date_in_the_future(world, grandmother) -> None:
    with pytest.raises(ValidationError) as raised:
        record(world, beneficiary=grandmother, served_on=TODAY + dt.timedelta(days=1))
    assert raised.value.message_dict["served_on"] == ["服务日期不能晚于今天。"]
    assert not ServiceRecord.objects.exists()


@pytest.mark.parametrize("hours", ["0", "-1", "24.5"])
def test_it_refuses_a_duration_out_of_range(world, grandmother, hours: str) -> None:
    with pytest.raises(ValidationError) as raised:
        record(world, beneficiary=grandmother, duration_hours=Decimal(hours))
    assert "duration_hours" in raised.value.message_dict


def test_it_records_a_double_submit_once(world, grandmother) -> None:
    first = record(world, beneficiary=grandmother, client_token="tok-1")
    again = record(world, beneficiary=grandmother, client_token="tok-1")

    assert again.pk == first.pk
    assert ServiceRecord.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="cases.servicerecord").count() == 1


def test_it_refuses_another_users_token(world, grandmother) -> None:
    record(world, beneficiary=grandmother, client_token="tok-1")
    with pytest.raises(ValidationError):
        record(world, actor="mentor", beneficiary=grandmother, client_token="tok-1")


def test_it_records_in_a_case_and_moves_its_last_service_date(world, grandmother) -> None:
    make_year()
    case = in_intervention(world, grandmother)

    service = record(world, case=case, served_on=dt.date(2018, 7, 2))
    record(world, case=case, served_on=dt.date(2018, 6, 20))

    assert service.beneficiary == grandmother
    assert Case.objects.get(pk=case.pk).last_service_on == dt.date(2018, 7, 2)


def test_it_refuses_a_case_service_before_the_case_opened(world, grandmother) -> None:
    make_year()
    case = in_intervention(world, grandmother)
    with pytest.raises(ValidationError) as raised:
        record(world, case=case, served_on=case.opened_on - dt.timedelta(days=1))
    assert "served_on" in raised.value.message_dict
    assert not ServiceRecord.objects.exists()


def test_it_refuses_a_case_service_before_the_plan_is_approved(world, grandmother) -> None:
    make_year()
    case = open_case(world, grandmother)
    with pytest.raises(ValidationError) as raised:
        record(world, case=case)
    assert "先计划，后介入" in raised.value.messages[0]


def test_it_refuses_a_case_of_another_person(world, grandmother, village) -> None:
    make_year()
    case = in_intervention(world, grandmother)
    other = make_beneficiary("王德明", village, worker=world.worker_person)
    with pytest.raises(ValidationError) as raised:
        record(world, case=case, beneficiary=other)
    assert "case" in raised.value.message_dict


@pytest.mark.parametrize("actor", ["leader", "city", "chengkou", "yangguang", "editor"])
def test_it_refuses_roles_that_do_not_record_services(world, grandmother, actor: str) -> None:
    with pytest.raises(PermissionDenied):
        record(world, actor=actor, beneficiary=grandmother)


def test_it_refuses_a_beneficiary_out_of_the_workers_view(world) -> None:
    wanzhou_village = Region.objects.create(
        code="500101001001", name="某村", level=Region.Level.VILLAGE, parent=world.wanzhou
    )
    stranger = make_beneficiary("赵某", wanzhou_village)
    with pytest.raises(PermissionDenied):
        record(world, beneficiary=stranger)


def test_it_offers_recent_types_first_then_the_persons_groups_then_the_rest(world, grandmother) -> None:
    first_visit = record(
        world, beneficiary=grandmother, service_type=ServiceType.objects.get(code="counselling")
    )
    record(
        world,
        beneficiary=grandmother,
        service_type=ServiceType.objects.get(code="policy_publicity"),
        served_on=first_visit.served_on - dt.timedelta(days=3),
    )
    child = make_beneficiary(
        "李小花", grandmother.region, born=dt.date(2009, 4, 1), groups=("left_behind_children",)
    )

    names = [
        choice.service_type.name
        for choice in service_types_for_entry(person=world.worker_person, beneficiary=child)
    ]

    assert names[:2] == ["心理疏导", "政策宣传"]
    typical = {"家庭教育", "成长支持", "法制宣教", "临界预防", "行为矫正", "社交指导", "精神关爱", "社会保护"}
    assert set(names[2:10]) == typical
    assert names[10] == "生活救助"
    assert len(names) == ServiceType.objects.filter(active=True).count()


def test_it_leaves_a_retired_type_out_of_the_choices(world, grandmother) -> None:
    ServiceType.objects.filter(code="counselling").update(active=False)
    names = [
        c.service_type.name
        for c in service_types_for_entry(person=world.worker_person, beneficiary=grandmother)
    ]
    assert "心理疏导" not in names
