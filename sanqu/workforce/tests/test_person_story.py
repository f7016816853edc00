"""The person page tells a person's programme story: here, the caseload they hold."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from sanqu.cases.tests.case_factories import assess, make_year, open_case
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.testing import World


def test_the_caseload_shows_open_cases_by_stage_as_counts_only(
    world: World, as_user: Callable[[str], Client]
) -> None:
    make_year()
    open_case(world)
    assess(world, open_case(world, make_beneficiary("李桂兰", world.jiming, worker=world.worker_person)))

    page = as_user("chengkou").get(f"/people/{world.worker_person.pk}/").content.decode()

    assert "进行中的个案" in page
    assert "其中 接案" in page and "其中 预估" in page
    assert "其中 计划" not in page  # only the stages that hold a case
    assert "李桂兰" not in page and "张秀英" not in page  # a caseload is counts, never names


def test_a_person_without_cases_says_so(world: World, as_user: Callable[[str], Client]) -> None:
    page = as_user("chengkou").get(f"/people/{world.mentor_person.pk}/").content.decode()

    assert "此人没有负责的个案，近一年也没有服务记录。" in page
