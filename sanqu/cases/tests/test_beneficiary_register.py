"""Registering a beneficiary: one record per person, a warning on a close match, consent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sanqu.accounts.models import AuditEntry
from sanqu.cases.models import Beneficiary, Household, TargetGroup
from sanqu.cases.services.beneficiaries import (
    AlreadyRegistered,
    PossibleDuplicates,
    beneficiary_register,
    beneficiary_update,
)
from sanqu.lib import idnumber
from sanqu.testing import World

TODAY = dt.date(2018, 7, 10)


@pytest.fixture(autouse=True)
def pinned(settings) -> None:
    settings.SANQU_TODAY = TODAY


def register(world: World, actor: str = "worker", **overrides):
    data = {
        "name": "张秀英",
        "region": world.jiming,
        "target_groups": TargetGroup.objects.filter(code="left_behind_elderly"),
        "consent_on": TODAY,
        "consent_by": Beneficiary.ConsentBy.SELF,
        "id_number": idnumber.make("500229", dt.date(1950, 3, 8), 12),
    }
    data.update(overrides)
    return beneficiary_register(actor=world[actor], **data)


def test_it_registers_a_person_with_the_worker_responsible_and_an_audit_entry(world: World) -> None:
    beneficiary = register(world, phone="13800001234")

    assert beneficiary.responsible_worker == world.worker_person
    assert beneficiary.birth_date == dt.date(1950, 3, 8)
    assert beneficiary.registered_on == TODAY
    assert list(beneficiary.target_groups.values_list("name", flat=True)) == ["留守老人"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATE, object_id=str(beneficiary.pk))
    assert "id_number" in entry.detail["changed"]
    assert "13800001234" not in str(entry.detail)


def test_it_finds_the_existing_person_by_id_number_instead_of_a_duplicate(world: World) -> None:
    first = register(world)
    number = idnumber.make("500229", dt.date(1950, 3, 8), 12)

    with pytest.raises(AlreadyRegistered) as raised:
        register(world, actor="chengkou", name="张秀英（重复）", id_number=number.lower())

    assert raised.value.existing == first
    assert "该身份证号已登记" in raised.value.message_dict["id_number"][0]
    assert Beneficiary.objects.count() == 1


def test_it_warns_on_a_close_match_and_creates_only_when_confirmed(world: World) -> None:
    first = register(world, id_number="", birth_date=dt.date(1950, 3, 8))

    with pytest.raises(PossibleDuplicates) as raised:
        register(world, id_number=idnumber.make("500229", dt.date(1950, 3, 8), 14))
    assert raised.value.matches == [first]
    assert Beneficiary.objects.count() == 1

    second = register(world, id_number=idnumber.make("500229", dt.date(1950, 3, 8), 14), confirm_similar=True)
    assert second.pk != first.pk
    assert Beneficiary.objects.count() == 2


def test_it_needs_a_guardians_consent_for_a_child_under_14(world: World) -> None:
    child = {
        "name": "李小花",
        "id_number": idnumber.make("500229", dt.date(2009, 4, 1), 22),
        "target_groups": TargetGroup.objects.filter(code="left_behind_children"),
    }
    with pytest.raises(ValidationError) as raised:
        register(world, **child)
    assert raised.value.message_dict["consent_by"] == ["未满14周岁的服务对象须由监护人同意。"]

    with pytest.raises(ValidationError) as raised:
        register(world, consent_by=Beneficiary.ConsentBy.GUARDIAN, **child)
    assert set(raised.value.message_dict) == {"guardian_name", "guardian_relation"}

    beneficiary = register(
        world,
        consent_by=Beneficiary.ConsentBy.GUARDIAN,
        guardian_name="李桂兰",
        guardian_relation="祖母",
        **child,
    )
    assert beneficiary.guardian_relation == "祖母"


def test_it_refuses_a_consent_date_in_the_future_and_no_target_group(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        register(world, consent_on=TODAY + dt.timedelta(days=1))
    assert "consent_on" in raised.value.message_dict

    with pytest.raises(ValidationError) as raised:
        register(world, target_groups=[])
    assert "target_groups" in raised.value.message_dict


def test_it_creates_a_household_and_lets_a_family_member_join_it(world: World) -> None:
    head = register(world, create_household=True, poverty_registered=True)
    assert head.household is not None
    assert head.household.poverty_registered
    assert head.relation_to_head == "户主"

    grandson = register(
        world,
        name="张明",
        id_number=idnumber.make("500229", dt.date(2003, 9, 1), 31),
        household=head.household,
        relation_to_head="孙子",
    )
    assert grandson.household == head.household
    assert Household.objects.count() == 1


def test_it_refuses_a_village_outside_the_actors_scope(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        register(world, actor="wanzhou")
    assert "region" in raised.value.message_dict


@pytest.mark.parametrize("actor", ["leader", "city", "yangguang", "mentor", "editor"])
def test_it_refuses_roles_that_do_not_register(world: World, actor: str) -> None:
    with pytest.raises(PermissionDenied):
        register(world, actor=actor)


def test_it_updates_a_record_and_keeps_one_per_id_number(world: World) -> None:
    beneficiary = register(world)
    other = register(world, name="王某", id_number=idnumber.make("500229", dt.date(1960, 1, 1), 41))

    updated = beneficiary_update(
        actor=world["chengkou"],
        beneficiary=beneficiary,
        data={"address": "鸡鸣乡祝乐村3组"},
        phone="13900001111",
    )
    assert updated.phone == "13900001111"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE, object_id=str(beneficiary.pk)).exists()

    with pytest.raises(AlreadyRegistered):
        beneficiary_update(
            actor=world["chengkou"], beneficiary=other, data={}, id_number=beneficiary.id_number
        )
    with pytest.raises(PermissionDenied):
        beneficiary_update(actor=world["wanzhou"], beneficiary=beneficiary, data={"address": "x"})
