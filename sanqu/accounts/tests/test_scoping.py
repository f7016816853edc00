from __future__ import annotations

from sanqu.accounts.scoping import scope_of
from sanqu.testing import World
from sanqu.workforce.models import Person


def visible_people(world: World, username: str) -> set[str]:
    scope = scope_of(world[username])
    people = scope.filter(Person.objects.all(), region="county", organisation="organisation", person="id")
    return set(people.values_list("name", flat=True))


def test_it_gives_a_county_officer_the_county_subtree(world: World) -> None:
    assert visible_people(world, "chengkou") == {"李晓梅", "王建国"}
    assert visible_people(world, "wanzhou") == set()


def test_it_gives_a_worker_only_herself_and_a_supervisor_his_supervisees(world: World) -> None:
    assert visible_people(world, "worker") == {"李晓梅"}
    assert visible_people(world, "mentor") == {"李晓梅", "王建国"}


def test_it_gives_the_city_everything_and_publicity_staff_nothing(world: World) -> None:
    assert visible_people(world, "city") == {"李晓梅", "王建国"}
    assert visible_people(world, "editor") == set()
