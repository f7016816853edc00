from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from sanqu.cases.selectors.beneficiaries import beneficiaries_for, get_beneficiary_for_user
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.testing import World

TODAY = dt.date(2018, 7, 10)
EVERYONE = ["city", "leader", "chengkou", "wanzhou", "yangguang", "worker", "mentor", "editor", "reviewer"]


def who_sees(world: World, beneficiary) -> set[str]:
    return {
        name
        for name in EVERYONE
        if beneficiaries_for(world[name], today=TODAY).filter(pk=beneficiary.pk).exists()
    }


def test_it_lists_an_adult_in_the_village_to_the_village_worker_county_and_city(world: World) -> None:
    grandmother = make_beneficiary("张秀英", world.jiming)

    assert who_sees(world, grandmother) == {"city", "leader", "chengkou", "worker"}


def test_it_shows_a_child_only_to_her_worker_the_supervisor_and_the_county_officer(world: World) -> None:
    child = make_beneficiary(
        "李小花",
        world.jiming,
        born=dt.date(2009, 4, 1),
        groups=("left_behind_children",),
        worker=world.worker_person,
    )

    assert who_sees(world, child) == {"chengkou", "worker", "mentor"}


def test_it_hides_a_community_correction_subject_from_the_city_and_other_workers(world: World) -> None:
    subject = make_beneficiary(
        "陈某", world.jiming, born=dt.date(1985, 1, 1), groups=("community_correction",)
    )

    assert who_sees(world, subject) == {"chengkou"}


def test_it_answers_404_for_another_countys_beneficiary(world: World) -> None:
    grandmother = make_beneficiary("张秀英", world.jiming)

    with pytest.raises(Http404):
        get_beneficiary_for_user(world["wanzhou"], grandmother.pk)
