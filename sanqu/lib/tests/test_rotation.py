"""`sanqu rotate-key`: every sensitive value re-encrypted under a new key, nothing lost, lookups intact."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import TextField
from django.db.models.functions import Cast

from sanqu.accounts.models import AuditEntry
from sanqu.cases.models import Beneficiary, Household
from sanqu.cases.models.beneficiaries import beneficiary_id_hash
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.lib import rotation
from sanqu.lib.crypto import new_key
from sanqu.lib.keys import forget_keyring, keyring, read_key_file
from sanqu.testing import World, make_person
from sanqu.workforce.models import Person, id_number_hash


@pytest.fixture
def key_file(settings: Any, tmp_path: Path) -> Path:
    """Keys from a key file holding one field key, k1 (the environment's test keys set aside)."""
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"field_keys": f"k1:{new_key()}", "lookup_key": new_key()}))
    settings.SANQU_FIELD_KEYS = ""
    settings.SANQU_LOOKUP_KEY = ""
    settings.SANQU_KEY_FILE = path
    return path


@pytest.fixture
def records(key_file: Path, world: World) -> dict[str, dict[str, str]]:
    """People and beneficiaries with every kind of encrypted value, all under k1; what they read as."""
    for number in range(7):
        person = make_person(f"测试{number}", world.chengkou)
        person.phone = f"1380000{number:04d}"
        person.save()
    household = Household.objects.create(head_name="张", region=world.jiming, address="鸡鸣乡红岩村3组")
    for number in range(4):
        beneficiary = make_beneficiary(f"对象{number}", world.jiming)
        beneficiary.household = household
        beneficiary.phone = f"1390000{number:04d}"
        beneficiary.health_notes = "高血压" if number % 2 else ""
        beneficiary.save()
    assert set(rotation.key_ids_in_use()) == {"k1"}
    return plain_values()


def plain_values() -> dict[str, dict[str, str]]:
    values: dict[str, dict[str, str]] = {}
    for table in rotation.encrypted_tables():
        for row in table.model._base_manager.values_list("pk", *table.fields):
            values[f"{table.label}#{row[0]}"] = dict(zip(table.fields, row[1:], strict=True))
    return values


def tokens(model: Any, field: str) -> list[str]:
    return [
        value
        for value in model._base_manager.annotate(raw=Cast(field, TextField())).values_list("raw", flat=True)
        if value
    ]


def key_ids(path: Path) -> list[str]:
    return [item.split(":")[0] for item in read_key_file(path)["field_keys"].split(",")]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate-key", *args, "--grace", "0", stdout=out)
    return out.getvalue()


def test_the_encrypted_columns_are_found_by_field_class() -> None:
    found = {table.label: set(table.fields) for table in rotation.encrypted_tables()}
    assert found["workforce.Person"] == {"id_number", "phone"}
    assert found["cases.Beneficiary"] == {"id_number", "phone", "address", "health_notes", "correction_notes"}
    assert found["cases.Household"] == {"address"}
    assert found["volunteers.VolunteerCertificate"] == {"holder_id_number"}


def test_it_rotates_every_value_to_a_new_key_and_retires_the_old(
    key_file: Path, records: dict[str, dict[str, str]], world: World
) -> None:
    output = run("--batch-size", "3")

    assert key_ids(key_file) == ["k2", "k1"]
    assert plain_values() == records
    assert set(rotation.key_ids_in_use()) == {"k2"}
    for model, field in [(Person, "id_number"), (Person, "phone"), (Beneficiary, "health_notes")]:
        assert all(token.startswith("g1:k2:") for token in tokens(model, field))
    assert "workforce.Person: 3/9" in output and "workforce.Person: 9/9" in output

    run("--retire-old")

    assert key_ids(key_file) == ["k2"]
    assert list(keyring().keys) == ["k2"]
    assert plain_values() == records
    person = Person.objects.get(pk=world.worker_person.pk)
    assert Person.objects.get(id_hash=id_number_hash(person.id_number)) == person
    operations = [entry.detail["operation"] for entry in AuditEntry.objects.order_by("id")]
    assert operations[-2:] == ["rotate-key", "retire-keys"]


def test_an_interrupted_rotation_completes_on_the_next_run_with_nothing_lost(
    key_file: Path, records: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = rotation._reencrypt_table
    calls = {"batches": 0}

    def one_batch_then_crash(table: rotation.EncryptedTable, **options: Any) -> int:
        def progress(*args: Any) -> None:
            calls["batches"] += 1
            raise RuntimeError("power cut")

        return real(table, batch_size=options["batch_size"], progress=progress)

    monkeypatch.setattr(rotation, "_reencrypt_table", one_batch_then_crash)
    with pytest.raises(RuntimeError):
        run("--batch-size", "2")
    monkeypatch.undo()

    assert calls["batches"] == 1
    in_use = rotation.key_ids_in_use()
    assert in_use["k2"] > 0 and in_use["k1"] > 0
    beneficiaries = Beneficiary.objects.count()
    assert rotation.pending_rows()["cases.Beneficiary"] == beneficiaries - 2  # one batch of two committed
    assert plain_values() == records  # readers decrypt with either key meanwhile

    with pytest.raises(CommandError, match="仍有"):
        run("--retire-old")
    output = run("--batch-size", "2")

    assert "尚未完成" in output
    assert key_ids(key_file) == ["k2", "k1"]  # resumed: no third key
    assert set(rotation.key_ids_in_use()) == {"k2"}
    assert plain_values() == records
    run("--retire-old")
    assert list(keyring().keys) == ["k2"]


def test_a_value_written_meanwhile_under_the_old_key_blocks_retirement(
    key_file: Path, records: dict[str, dict[str, str]], world: World
) -> None:
    run()
    old = read_key_file(key_file)
    # A process that still had only k1 wrote a value after the run passed its row.
    key_file.write_text(json.dumps({**old, "field_keys": old["field_keys"].split(",")[1]}))
    forget_keyring()
    Person.objects.filter(pk=world.worker_person.pk).update(phone="13800009999")
    key_file.write_text(json.dumps(old))
    forget_keyring()

    with pytest.raises(CommandError, match="k1"):
        run("--retire-old")
    run("--reencrypt")
    run("--retire-old")
    assert Person.objects.get(pk=world.worker_person.pk).phone == "13800009999"


def test_it_rotates_the_lookup_key_and_lookups_still_find_people(
    key_file: Path, records: dict[str, dict[str, str]], world: World
) -> None:
    before = dict(Person.objects.values_list("pk", "id_hash"))
    old_lookup = read_key_file(key_file)["lookup_key"]

    run("--lookup", "--yes", "--batch-size", "2")

    content = read_key_file(key_file)
    assert content["lookup_key"] != old_lookup and "previous_lookup_key" not in content
    after = dict(Person.objects.values_list("pk", "id_hash"))
    assert after.keys() == before.keys() and not set(after.values()) & set(before.values())
    for person in Person.objects.all():
        assert Person.objects.get(id_hash=id_number_hash(person.id_number)) == person
    for beneficiary in Beneficiary.objects.all():
        assert Beneficiary.objects.get(id_hash=beneficiary_id_hash(beneficiary.id_number)) == beneficiary
    assert plain_values() == records


def test_an_interrupted_lookup_rotation_resumes_with_the_same_key(
    key_file: Path, records: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = rotation._rehash_column

    def crash_after_one_batch(column: rotation.HashColumn, *args: Any, **options: Any) -> int:
        def progress(*args: Any) -> None:
            raise RuntimeError("power cut")

        return real(column, *args, batch_size=options["batch_size"], progress=progress)

    monkeypatch.setattr(rotation, "_rehash_column", crash_after_one_batch)
    with pytest.raises(RuntimeError):
        run("--lookup", "--yes", "--batch-size", "3")
    monkeypatch.undo()
    halfway = read_key_file(key_file)
    assert "previous_lookup_key" in halfway

    run("--lookup", "--yes")

    assert read_key_file(key_file)["lookup_key"] == halfway["lookup_key"]
    for person in Person.objects.all():
        assert Person.objects.get(id_hash=id_number_hash(person.id_number)) == person


def test_a_hash_made_under_neither_key_stops_the_lookup_rotation(
    key_file: Path, records: dict[str, dict[str, str]], world: World
) -> None:
    Person.objects.filter(pk=world.mentor_person.pk).update(id_hash="0" * 64)
    with pytest.raises(CommandError, match=f"workforce.Person #{world.mentor_person.pk}"):
        run("--lookup", "--yes")


def test_with_environment_keys_it_prints_the_keys_to_set(world: World, settings: Any) -> None:
    output = run()

    line = next(line for line in output.splitlines() if line.startswith("SANQU_FIELD_KEYS="))
    ids = [item.split(":")[0] for item in line.removeprefix("SANQU_FIELD_KEYS=").split(",")]
    assert ids == ["k2", "t1"]
    assert set(rotation.key_ids_in_use()) == {"t1"}  # nothing changed yet

    settings.SANQU_FIELD_KEYS = line.removeprefix("SANQU_FIELD_KEYS=")
    before = Person.objects.get(pk=world.worker_person.pk).id_number
    run("--reencrypt")
    assert set(rotation.key_ids_in_use()) == {"k2"}
    assert Person.objects.get(pk=world.worker_person.pk).id_number == before
    retired = run("--retire-old")
    assert "SANQU_FIELD_KEYS=k2:" in retired and "t1:" not in retired


def test_it_refuses_a_lookup_key_shorter_than_32_bytes(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANQU_NEW_LOOKUP_KEY", base64.b64encode(b"short").decode())
    with pytest.raises(CommandError, match="32"):
        run("--lookup", "--yes")
