from __future__ import annotations

from typing import Any

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


def test_permissions_come_from_the_roles_alone(world: World) -> None:
    from django.contrib.auth.models import Group, Permission

    from sanqu.accounts.models import User

    # A model permission given the Django way (to the user, or to one of her groups) grants nothing:
    # Sanqu gives rights by role, and nobody may reach the screens where these could be given.
    organisations = Permission.objects.get(content_type__app_label="orgs", codename="view_organisation")
    worker = world["worker"]
    worker.user_permissions.add(organisations)
    group = Group.objects.create(name="外来组")
    group.permissions.add(organisations)
    worker.groups.add(group)
    worker = User.objects.get(pk=worker.pk)
    assert not worker.has_perm("orgs.view_organisation")
    assert worker.has_perm("cases.add_servicerecord")  # a social worker's own right
    assert User.objects.get(pk=world["chengkou"].pk).has_perm("orgs.view_organisation")  # a county officer's


def test_a_request_reads_the_users_memberships_once(world: World, client: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world["worker"])
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/cases/").status_code == 200
    read = [q["sql"] for q in captured.captured_queries if 'FROM "accounts_membership"' in q["sql"]]
    assert len(read) == 1, read
    assert not [q["sql"] for q in captured.captured_queries if "auth_permission" in q["sql"]]
