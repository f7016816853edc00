"""The people list: scoped, searchable by name or exact ID number, paginated, IDs masked."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from sanqu.testing import World, make_person


def _names(client: Client, **params: str) -> str:
    response = client.get("/people/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_it_sends_an_anonymous_visitor_to_the_login_page(db: None) -> None:
    response = Client().get("/people/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/people/"


def test_it_refuses_a_post(world: World, as_user) -> None:
    assert as_user("chengkou").post("/people/").status_code == 405


def test_it_lists_only_the_people_in_scope(world: World, as_user) -> None:
    make_person("赵万州", world.wanzhou, address="500101")
    chengkou = _names(as_user("chengkou"))
    assert "李晓梅" in chengkou and "王建国" in chengkou and "赵万州" not in chengkou
    wanzhou = _names(as_user("wanzhou"))
    assert "赵万州" in wanzhou and "李晓梅" not in wanzhou
    worker = _names(as_user("worker"))
    assert "李晓梅" in worker and "王建国" not in worker
    assert as_user("editor").get("/people/").status_code == 403  # the publicity staff read no registry


def test_it_shows_id_numbers_masked(world: World, as_user) -> None:
    content = _names(as_user("city"))
    assert world.worker_person.id_number_masked in content
    assert world.worker_person.id_number not in content


def test_it_finds_people_by_part_of_the_name(world: World, as_user) -> None:
    content = _names(as_user("chengkou"), q="晓梅")
    assert "李晓梅" in content and "王建国" not in content


def test_it_finds_a_person_by_the_exact_id_number(world: World, as_user) -> None:
    number = world.mentor_person.id_number
    content = _names(as_user("chengkou"), q=f" {number.lower()} ")
    assert "王建国" in content and "李晓梅" not in content
    # Part of a number finds nobody: the lookup is an exact, keyed hash.
    assert "没有找到匹配的人员" in _names(as_user("chengkou"), q=number[:10])


def test_it_does_not_find_an_out_of_scope_person_by_id_number(world: World, as_user) -> None:
    number = world.worker_person.id_number
    assert "没有找到匹配的人员" in _names(as_user("wanzhou"), q=number)


def test_it_paginates(world: World, as_user) -> None:
    for index in range(30):
        make_person(f"社工{index:02d}", world.chengkou, born=dt.date(1990, 1, 1) + dt.timedelta(days=index))
    client = as_user("chengkou")
    first = _names(client)
    assert "第 1 / 2 页" in first
    second = _names(client, page="2")
    assert "第 2 / 2 页" in second and "社工29" in second


def test_it_answers_an_htmx_search_with_the_results_only(world: World, as_user) -> None:
    response = as_user("chengkou").get("/people/", {"q": "晓梅"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert content.lstrip().startswith('<section class="panel" id="people-results"')
    assert "李晓梅" in content and "<html" not in content
    assert "HX-Request" in response["Vary"]
