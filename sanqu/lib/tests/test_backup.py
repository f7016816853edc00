"""`sanqu backup` and `sanqu restore`: an encrypted round trip that loses nothing; changed files refused."""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sanqu.accounts.models import AuditEntry
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.lib import backup
from sanqu.lib.crypto import new_key
from sanqu.orgs.models import Organisation
from sanqu.testing import World, build_world, make_person
from sanqu.workforce.models import Person

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup path")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backup path")


@pytest.fixture
def uploads(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Upload folders of this test with a file in each, and a backup key in the environment."""
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    monkeypatch.setenv("SANQU_BACKUP_KEY", new_key())
    roots = backup.upload_roots()
    (roots["media"] / "images").mkdir(parents=True)
    (roots["media"] / "images" / "station.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    (roots["private"] / "claims").mkdir(parents=True)
    (roots["private"] / "claims" / "evidence.pdf").write_bytes(b"%PDF-1.7 evidence")
    return roots


def files_of(roots: dict[str, Path]) -> dict[str, bytes]:
    return {
        f"{name}/{path.relative_to(root)}": path.read_bytes()
        for name, root in roots.items()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def every_row() -> dict[str, list[str]]:
    """Every row of every table, as text, in a stable order."""
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a table name
            tables[table] = sorted(repr(row) for row in cursor.fetchall())
    return tables


def command(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def change_everything(world: World, roots: dict[str, Path]) -> None:
    Person.objects.filter(pk=world.worker_person.pk).update(name="改过的名字")
    Person.objects.filter(name="赵社工").delete()
    Organisation.objects.create(
        name="备份之后登记的机构", kind="other", home_county=world.chengkou, registered_on=dt.date(2018, 7, 1)
    )
    (roots["media"] / "images" / "station.png").unlink()
    (roots["media"] / "new.txt").write_text("after the backup")


def round_trip(world: World, roots: dict[str, Path], tmp_path: Path) -> None:
    make_beneficiary("张奶奶", world.jiming, worker=world.worker_person)
    make_person("赵社工", world.chengkou)
    before_rows, before_files = every_row(), files_of(roots)
    target = tmp_path / "out" / "sanqu.backup"

    said = command("backup", "--output", str(target))

    assert str(target) in said
    assert target.stat().st_mode & 0o777 == 0o600
    content = target.read_bytes()
    assert b"SQLite format 3" not in content and "重庆扬光社会工作服务中心".encode() not in content
    change_everything(world, roots)
    assert every_row() != before_rows

    command("restore", str(target), "--yes")

    after = every_row()
    audit = "accounts_auditentry"
    restored_audit = after.pop(audit)
    expected_audit = before_rows.pop(audit)
    # The restore's own audit entry is written after it, and queues Wagtail's reference-index task.
    tasks = "django_tasks_database_dbtaskresult"
    restored_tasks, expected_tasks = set(after.pop(tasks, [])), set(before_rows.pop(tasks, []))
    assert after == before_rows
    assert len(restored_audit) == len(expected_audit) + 1
    assert expected_tasks <= restored_tasks and len(restored_tasks - expected_tasks) <= 1
    assert AuditEntry.objects.filter(detail__operation="restore").count() == 1
    assert files_of(roots) == before_files
    assert Person.objects.get(pk=world.worker_person.pk).name == "李晓梅"
    assert Person.objects.filter(name="赵社工").exists()


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_it_restores_a_sqlite_backup_with_no_difference(uploads: dict[str, Path], tmp_path: Path) -> None:
    round_trip(build_world(), uploads, tmp_path)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_it_restores_a_postgresql_backup_with_no_difference(uploads: dict[str, Path], tmp_path: Path) -> None:
    round_trip(build_world(), uploads, tmp_path)


# A SQLite database file of its own (as on a county server): the restore renames a file into place.


@pytest.fixture
def database_file(tmp_path: Path) -> backup.Database:
    path = tmp_path / "var" / "site.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT, id_number TEXT)")
        db.executemany(
            "INSERT INTO person (name, id_number) VALUES (?, ?)",
            [(f"人员{n}", f"g1:k1:{'x' * 800}{n}") for n in range(3000)],  # backup chunks: 3
        )
    return backup.Database("sqlite", {"NAME": str(path)})


def rows_of(database: backup.Database) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database.settings["NAME"]) as db:
        return db.execute("SELECT * FROM person ORDER BY id").fetchall()


def test_a_database_file_is_restored_by_renaming_a_copy_into_place(
    uploads: dict[str, Path], database_file: backup.Database, tmp_path: Path
) -> None:
    target, secret = tmp_path / "site.backup", new_key_bytes()
    before, before_files = rows_of(database_file), files_of(uploads)
    live = sqlite3.connect(database_file.settings["NAME"])  # a reader open while the backup runs
    live.execute("SELECT count(*) FROM person").fetchone()

    header = backup.create_backup(target, key=secret, database=database_file)
    live.close()
    with sqlite3.connect(database_file.settings["NAME"]) as db:
        db.execute("DELETE FROM person WHERE id > 10")
        db.execute("UPDATE person SET name = '改' WHERE id = 1")
    (uploads["private"] / "claims" / "evidence.pdf").write_bytes(b"%PDF- replaced")
    inode = Path(database_file.settings["NAME"]).stat().st_ino

    backup.restore_backup(target, key=secret, database=database_file)

    assert header.database == "sqlite" and header.format == backup.FORMAT
    assert rows_of(database_file) == before
    assert files_of(uploads) == before_files
    assert Path(database_file.settings["NAME"]).stat().st_ino != inode  # a new file renamed in
    assert not list((tmp_path / "var").glob(".sanqu-restore-*"))  # the staging folder is gone


def new_key_bytes() -> bytes:
    return base64.b64decode(new_key())


@pytest.mark.parametrize(
    "damage",
    ["a byte of the data", "a byte of the header", "cut short", "a chunk dropped", "bytes appended"],
)
def test_a_changed_backup_is_refused_and_nothing_changes(
    damage: str, uploads: dict[str, Path], database_file: backup.Database, tmp_path: Path
) -> None:
    target, secret = tmp_path / "site.backup", new_key_bytes()
    backup.create_backup(target, key=secret, database=database_file)
    data = bytearray(target.read_bytes())
    start = len(backup.MAGIC) + 4
    header_end = start + int.from_bytes(data[len(backup.MAGIC) : start], "big")
    first_chunk = header_end + 4 + int.from_bytes(data[header_end : header_end + 4], "big")
    assert first_chunk < len(data) - backup.CHUNK_SIZE  # a file of several chunks
    if damage == "a byte of the data":
        data[len(data) // 2] ^= 0x01
    elif damage == "a byte of the header":
        data[start:header_end] = data[start:header_end].replace(b"20", b"19", 1)
    elif damage == "cut short":
        del data[first_chunk:]
    elif damage == "a chunk dropped":
        del data[header_end:first_chunk]
    else:
        data += b"\x00\x00\x00\x10" + bytes(16)
    target.write_bytes(bytes(data))
    with sqlite3.connect(database_file.settings["NAME"]) as db:
        db.execute("DELETE FROM person WHERE id > 5")
    before, before_files = rows_of(database_file), files_of(uploads)

    with pytest.raises(backup.AuthenticationFailed):
        backup.restore_backup(target, key=secret, database=database_file)

    assert rows_of(database_file) == before
    assert files_of(uploads) == before_files


@pytest.mark.django_db(transaction=True)
def test_the_restore_command_refuses_a_wrong_key_or_a_changed_file_in_chinese(
    uploads: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "sanqu.backup"
    command("backup", "--output", str(target))
    right_key = os.environ["SANQU_BACKUP_KEY"]
    monkeypatch.setenv("SANQU_BACKUP_KEY", new_key())

    with pytest.raises(CommandError, match="备份密钥不对"):
        command("restore", str(target), "--yes")

    monkeypatch.setenv("SANQU_BACKUP_KEY", right_key)
    data = bytearray(target.read_bytes())
    data[-20] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="拒绝恢复，未做任何修改：备份文件已损坏或被改动"):
        command("restore", str(target), "--yes")
