from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.http import Http404

from sanqu.cases.selectors.beneficiaries import beneficiaries_for, get_beneficiary_for_user
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.cases.views.beneficiaries import search_beneficiaries
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


def test_a_search_finds_only_the_people_the_user_may_see(world: World, settings) -> None:
    settings.SANQU_TODAY = TODAY
    grandmother = make_beneficiary("张秀英", world.jiming)
    child = make_beneficiary(
        "张小花", world.jiming, born=dt.date(2009, 4, 1), groups=("left_behind_children",)
    )
    make_beneficiary("张秀兰", world.wanzhou)
    number = grandmother.id_number

    def found(name: str, text: str) -> set[str]:
        return set(search_beneficiaries(world[name], query=text).values_list("name", flat=True))

    assert found("chengkou", "张") == {"张秀英", "张小花"}
    assert found("worker", "张") == {"张秀英"}  # a child not theirs stays out of the worker's list
    assert found("wanzhou", "张") == {"张秀兰"}
    assert found("city", "秀") == {"张秀英", "张秀兰"}
    assert found("chengkou", number) == {"张秀英"}
    assert found("wanzhou", number) == set()
    assert found("chengkou", child.name) == {"张小花"}
    assert found("yangguang", "张") == set()
    in_order = list(search_beneficiaries(world["chengkou"], query="张").values_list("name", flat=True))
    assert in_order == ["张小花", "张秀英"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL plan")
def test_a_county_officers_name_search_reads_the_countys_villages_through_the_index(world: World) -> None:
    make_beneficiary("张秀英", world.jiming)
    found = search_beneficiaries(world["chengkou"], query="秀英").order_by("name", "id")[:25]
    sql, params = found.query.sql_with_params()

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny test table would be read whole
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]

    nodes = list(_nodes(plan[0]["Plan"]))
    scans = [node for node in nodes if node.get("Index Name") == "beneficiary_region_name_idx"]
    assert scans, nodes
    assert "region_id" in scans[0].get("Index Cond", "")
    assert "name" in scans[0].get("Filter", "") + scans[0].get("Index Cond", "")


def test_a_name_search_finds_chinese_as_written_and_latin_letters_in_any_case(world: World) -> None:
    wang = make_beneficiary("王秀英", world.jiming)
    ayi = make_beneficiary("阿依古丽·Maimaiti", world.jiming)

    def found(query: str) -> set[int]:
        return set(search_beneficiaries(world["city"], query=query).values_list("pk", flat=True))

    assert found("秀英") == {wang.pk}
    assert found("古丽·") == {ayi.pk}
    assert found("maimaiti") == found("MAIMAITI") == {ayi.pk}
    assert found("李") == set()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's LIKE ignores the case of Latin letters"
)
def test_a_chinese_name_search_leaves_the_names_as_written() -> None:
    # A city office's search reads every name; upper-casing each one for a text that has no case
    # is work for nothing.
    from sanqu.cases.models import Beneficiary
    from sanqu.cases.views.beneficiaries import name_q

    chinese = str(Beneficiary.objects.filter(name_q("王秀")).query)
    latin = str(Beneficiary.objects.filter(name_q("Li")).query)

    assert "UPPER(" not in chinese
    assert "UPPER(" in latin


def _plan(found) -> list[dict]:
    sql, params = found.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        return list(_nodes(cursor.fetchone()[0][0]["Plan"]))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL plan")
def test_a_name_search_sorts_its_matches_rather_than_walking_the_name_index(world: World) -> None:
    # The matches of a surname sit together in the name index; walking it for a first page reads
    # every name before them. With a full sort priced out, a walk (needing only an incremental sort
    # by id) would win if the search's order let an index provide it.
    make_beneficiary("王秀英", world.jiming)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        nodes = _plan(search_beneficiaries(world["chengkou"], query="王")[:20])

    walks = [
        node for node in nodes if "name" in node.get("Index Name", "") and "region" not in node["Index Name"]
    ]
    assert not walks, walks
    assert any(node["Node Type"] == "Sort" for node in nodes), nodes


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL plan")
def test_the_citys_search_leaves_out_restricted_people_by_an_anti_join(world: World) -> None:
    # As a subquery run per row, the restriction was priced for every row of the table, and the
    # planner sorted the whole table rather than read the matches first.
    make_beneficiary("王秀英", world.jiming)
    nodes = _plan(search_beneficiaries(world["city"], query="王")[:25])

    assert any(node.get("Join Type") == "Anti" for node in nodes), nodes
    assert not any(node.get("Subplan Name") for node in nodes), nodes


def _nodes(node: dict):
    yield node
    for child in node.get("Plans", ()):
        yield from _nodes(child)
