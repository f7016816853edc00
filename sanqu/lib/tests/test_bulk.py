"""insert_rows: rows written in bulk read back as a model's own save would write them."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from sanqu.lib import idnumber
from sanqu.lib.bulk import insert_rows, insert_rows_beside
from sanqu.testing import World
from sanqu.workforce.models import Person, id_number_hash

pytestmark = pytest.mark.django_db


def test_encrypted_fields_are_encrypted_each_under_its_own_nonce(world: World) -> None:
    numbers = [idnumber.make("500229", dt.date(1990, 1, day), 101) for day in (1, 2)]
    rows = [
        (f"批量{index}", number, id_number_hash(number), "13800001234", world.chengkou.pk)
        for index, number in enumerate(numbers)
    ]
    assert insert_rows(Person, ["name", "id_number", "id_hash", "phone", "county_id"], rows) == 2

    people = Person.objects.filter(name__startswith="批量").order_by("name")
    assert [person.id_number for person in people] == numbers
    assert {person.phone for person in people} == {"13800001234"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM workforce_person WHERE name LIKE %s", ["批量%"])
        stored = cursor.fetchall()
    assert all(
        number not in row[0] and "13800001234" not in row[1]
        for row, number in zip(stored, numbers, strict=True)
    )
    # The same phone twice is two different ciphertexts.
    assert stored[0][1] != stored[1][1]


def _rows(world: World, *days: int) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for day in days:
        number = idnumber.make("500229", dt.date(1991, 2, day), 101)
        rows.append((f"并行{day}", number, id_number_hash(number), world.chengkou.pk))
    return rows


COLUMNS = ["name", "id_number", "id_hash", "county_id"]


def test_the_work_beside_the_insert_gives_its_result_and_the_rows_are_in(world: World) -> None:
    threads: list[threading.Thread] = []

    def work() -> str:
        threads.append(threading.current_thread())
        return "summed"

    count, result = insert_rows_beside(work, Person, COLUMNS, _rows(world, 1, 2, 3))

    assert (count, result) == (3, "summed")
    assert Person.objects.filter(name__startswith="并行").count() == 3
    # On PostgreSQL it ran beside the COPY; on SQLite after the insert, on the caller's thread.
    assert (threads[0] is threading.current_thread()) == (connection.vendor != "postgresql")


def test_a_failure_of_the_work_beside_the_insert_reaches_the_caller(world: World) -> None:
    def work() -> None:
        raise ValueError("the tallies could not be summed")

    with pytest.raises(ValueError, match="summed"):
        insert_rows_beside(work, Person, COLUMNS, _rows(world, 4))
