"""insert_rows: rows written in bulk read back as a model's own save would write them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from sanqu.lib import idnumber
from sanqu.lib.bulk import insert_rows
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
