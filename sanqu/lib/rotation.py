"""Key rotation: re-encrypt every encrypted field under the current key, re-hash the lookup columns.

The encrypted columns are found by field class (`EncryptedTextField`) across every installed model, so
a new sensitive field is rotated without being listed here. Work goes in batches of rows, each batch
in its own transaction with its rows locked, so the site keeps running and a concurrent edit is never
overwritten; a batch only touches values not yet under the current key, which makes an interrupted
run safe to run again.

The lookup hashes (``id_hash`` beside an encrypted ``id_number``, purpose ``<model>.id_number``) have
no key id: during their re-hash a lookup by ID number finds only the rows already done, so that
rotation is for a maintenance window (the site stopped). Every row is checked against the old key
before it is rewritten: a hash made some other way stops the run instead of being lost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from sanqu.lib import idnumber
from sanqu.lib.crypto import PREFIX, keyed_hash
from sanqu.lib.fields import EncryptedTextField
from sanqu.lib.keys import keyring

BATCH_SIZE = 500

Progress = Callable[[str, int, int], None]  # (table label, done so far, total pending)


class RotationError(Exception):
    pass


@dataclass(frozen=True)
class EncryptedTable:
    model: type[models.Model]
    fields: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label

    def raw(self, name: str) -> str:
        return f"_raw_{name}"

    def annotated(self) -> models.QuerySet[models.Model]:
        """Every row with each encrypted column as stored (the token, not the plain text)."""
        return self.model._base_manager.annotate(
            **{self.raw(name): Cast(name, output_field=TextField()) for name in self.fields}
        )

    def not_under(self, key_id: str) -> Q:
        """Rows with at least one non-empty value encrypted under another key than ``key_id``."""
        condition = Q()
        for name in self.fields:
            raw = self.raw(name)
            condition |= (
                Q(**{f"{raw}__isnull": False})
                & ~Q(**{raw: ""})
                & ~Q(**{f"{raw}__startswith": f"{PREFIX}:{key_id}:"})
            )
        return condition


def encrypted_tables() -> list[EncryptedTable]:
    tables = []
    for model in apps.get_models():
        names = tuple(
            field.name for field in model._meta.local_concrete_fields if isinstance(field, EncryptedTextField)
        )
        if names:
            tables.append(EncryptedTable(model, names))
    return sorted(tables, key=lambda table: table.label)


def key_ids_in_use() -> Counter[str]:
    """How many stored values each key id encrypts, across every encrypted column."""
    counts: Counter[str] = Counter()
    for table in encrypted_tables():
        rows = table.annotated().values_list(*(table.raw(name) for name in table.fields))
        for values in rows.iterator(chunk_size=2000):
            for token in values:
                if token:
                    counts[str(token).split(":", 2)[1]] += 1
    return counts


def pending_rows(current: str | None = None) -> dict[str, int]:
    """Rows per table still holding a value under another key than the current one."""
    current = current or keyring().current
    counts = {}
    for table in encrypted_tables():
        count = table.annotated().filter(table.not_under(current)).count()
        if count:
            counts[table.label] = count
    return counts


def reencrypt(*, batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> int:
    """Re-encrypt every value not under the current key; returns how many values were rewritten."""
    rewritten = 0
    for table in encrypted_tables():
        rewritten += _reencrypt_table(table, batch_size=batch_size, progress=progress)
    return rewritten


def _reencrypt_table(table: EncryptedTable, *, batch_size: int, progress: Progress | None) -> int:
    current = keyring().current
    prefix = f"{PREFIX}:{current}:"
    total = table.annotated().filter(table.not_under(current)).count()
    if not total:
        return 0
    done = rewritten = 0
    last_pk = None
    while True:
        with transaction.atomic():
            batch = table.annotated().filter(table.not_under(current)).order_by("pk")
            if last_pk is not None:
                batch = batch.filter(pk__gt=last_pk)
            rows = list(
                batch.select_for_update(of=("self",)).values_list(
                    "pk", *table.fields, *(table.raw(name) for name in table.fields)
                )[:batch_size]
            )
            if not rows:
                break
            count = len(table.fields)
            for row in rows:
                pk, plain, raw = row[0], row[1 : 1 + count], row[1 + count :]
                changes = {
                    name: value
                    for name, value, token in zip(table.fields, plain, raw, strict=True)
                    if token and not str(token).startswith(prefix)
                }
                if changes:
                    # The field encrypts the plain text under the current key as it writes it.
                    table.model._base_manager.filter(pk=pk).update(**changes)
                    rewritten += len(changes)
            last_pk = rows[-1][0]
        done += len(rows)
        if progress is not None:
            progress(table.label, min(done, total), total)
    return rewritten


@dataclass(frozen=True)
class HashColumn:
    model: type[models.Model]
    source: str = "id_number"
    target: str = "id_hash"

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def purpose(self) -> str:
        return f"{self.model._meta.model_name}.{self.source}"


def hash_columns() -> list[HashColumn]:
    """Lookup-hash columns: ``id_hash`` beside an encrypted ``id_number`` on the same model."""
    columns = []
    for table in encrypted_tables():
        names = {field.name for field in table.model._meta.local_concrete_fields}
        if "id_number" in table.fields and "id_hash" in names:
            columns.append(HashColumn(table.model))
    return columns


def rehash(
    *, old_key: bytes, new_key: bytes, batch_size: int = BATCH_SIZE, progress: Progress | None = None
) -> int:
    """Recompute every lookup hash from the old lookup key to the new one; returns how many changed.

    A row already under the new key is left alone (a re-run after an interruption); a row whose hash
    matches neither key stops the run with its table and id, before anything of its batch is written.
    """
    changed = 0
    for column in hash_columns():
        changed += _rehash_column(column, old_key, new_key, batch_size=batch_size, progress=progress)
    return changed


def _rehash_column(
    column: HashColumn, old_key: bytes, new_key: bytes, *, batch_size: int, progress: Progress | None
) -> int:
    rows_with_hash = column.model._base_manager.filter(**{f"{column.target}__isnull": False}).exclude(
        **{column.target: ""}
    )
    total = rows_with_hash.count()
    done = changed = 0
    for chunk in _pk_chunks(rows_with_hash, batch_size):
        with transaction.atomic():
            rows = (
                rows_with_hash.filter(pk__in=chunk)
                .select_for_update(of=("self",))
                .values_list("pk", column.source, column.target)
            )
            updates = []
            for pk, value, stored in rows:
                number = idnumber.normalise(value or "")
                fresh = keyed_hash(new_key, number, purpose=column.purpose)
                if stored == fresh:
                    continue
                if stored != keyed_hash(old_key, number, purpose=column.purpose):
                    raise RotationError(f"{column.label} #{pk}: {column.target} matches neither lookup key")
                updates.append((pk, fresh))
            for pk, fresh in updates:
                column.model._base_manager.filter(pk=pk).update(**{column.target: fresh})
            changed += len(updates)
        done += len(chunk)
        if progress is not None:
            progress(column.label, done, total)
    return changed


def _pk_chunks(queryset: models.QuerySet[models.Model], size: int) -> Iterator[list[object]]:
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        chunk = list(page.values_list("pk", flat=True)[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1]
