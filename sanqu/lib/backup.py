"""Encrypted backups of the database and the uploaded files, and their restore.

A backup file is a header and a tar stream encrypted in chunks (AES-256-GCM), so neither writing nor
reading it holds the database in memory:

    SANQU-BACKUP\\n  | header length (4 bytes) | header (JSON) | chunk* ; chunk = length (4) | sealed

The header says the format version, the database kind, when and by which version of Sanqu it was
made, and carries the salt that derives this file's key from the backup key (HKDF) and a check value
that tells a wrong key from a damaged file. Every chunk is sealed with its number, a last-chunk flag
and a digest of the header as associated data: a changed header, a changed, reordered or missing
chunk, or a file cut short all fail authentication.

The tar stream holds ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the
site runs) or ``database.pgdump`` (``pg_dump -Fc``), then ``media/`` and ``private/`` (the uploads).

A restore decrypts and unpacks the whole file into a staging directory first; only when every chunk
has passed authentication does it replace the database (SQLite: a temporary file renamed over the
database file; PostgreSQL: ``pg_restore --clean --single-transaction``) and then the upload folders.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import importlib.metadata
import io
import json
import os
import shutil
import sqlite3
import stat
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

from sanqu.lib.files import private_storage

MAGIC = b"SANQU-BACKUP\n"
FORMAT = 1
CHUNK_SIZE = 1024 * 1024
_LENGTH = struct.Struct(">I")
_TAG_SIZE = 16


class BackupError(Exception):
    """A backup that cannot be made or restored; the message is for the operator, in Chinese."""


class AuthenticationFailed(BackupError):
    pass


@dataclass(frozen=True)
class Header:
    format: int
    database: str  # "sqlite" or "postgresql"
    created: str  # ISO 8601, UTC
    app_version: str
    key_check: str
    salt: str
    nonce_prefix: str
    chunk_size: int

    def encode(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode()


@dataclass(frozen=True)
class Database:
    """The database to back up or restore: its kind, its settings and Django's alias for it."""

    kind: str
    settings: dict[str, Any]
    alias: str | None = None

    @classmethod
    def of(cls, alias: str = "default") -> Database:
        connection = connections[alias]
        vendor = connection.vendor
        if vendor not in {"sqlite", "postgresql"}:
            raise BackupError(_("不支持备份此类数据库：%(vendor)s") % {"vendor": vendor})
        return cls(vendor, connection.settings_dict, alias)

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite database file; None for an in-memory database (the test suite's)."""
        name = str(self.settings["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            return None
        return Path(name)

    def close(self) -> None:
        if self.alias is not None:
            connections[self.alias].close()


def upload_roots() -> dict[str, Path]:
    """The folders of uploaded files, by their name in the backup."""
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(private_storage().base_location)}


def app_version() -> str:
    try:
        return importlib.metadata.version("sanqu")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _key_check(key: bytes) -> str:
    return hmac.new(key, b"sanqu backup key check", hashlib.sha256).hexdigest()[:16]


def _file_key(key: bytes, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"sanqu backup v1").derive(key)


class _Sealer:
    """Nonce and associated data of chunk n: the same construction for writing and reading."""

    def __init__(self, key: bytes, header: Header, header_bytes: bytes) -> None:
        self.aead = AESGCM(_file_key(key, base64.b64decode(header.salt)))
        self.prefix = base64.b64decode(header.nonce_prefix)
        self.digest = hashlib.sha256(header_bytes).digest()

    def _nonce_and_data(self, number: int, last: bool) -> tuple[bytes, bytes]:
        flag = b"\x01" if last else b"\x00"
        counter = struct.pack(">I", number)
        return self.prefix + counter + flag, self.digest + counter + flag

    def seal(self, number: int, data: bytes, *, last: bool) -> bytes:
        nonce, associated = self._nonce_and_data(number, last)
        return self.aead.encrypt(nonce, data, associated)

    def open(self, number: int, sealed: bytes, *, last: bool) -> bytes:
        nonce, associated = self._nonce_and_data(number, last)
        return self.aead.decrypt(nonce, sealed, associated)


class EncryptingWriter(io.RawIOBase):
    """A write-only file object that seals what it is given in chunks; `finish()` seals the last."""

    def __init__(self, out: IO[bytes], key: bytes, database: str) -> None:
        self.out = out
        self.header = Header(
            format=FORMAT,
            database=database,
            created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            app_version=app_version(),
            key_check=_key_check(key),
            salt=base64.b64encode(os.urandom(16)).decode(),
            nonce_prefix=base64.b64encode(os.urandom(7)).decode(),
            chunk_size=CHUNK_SIZE,
        )
        header_bytes = self.header.encode()
        out.write(MAGIC + _LENGTH.pack(len(header_bytes)) + header_bytes)
        self.sealer = _Sealer(key, self.header, header_bytes)
        self.buffer = bytearray()
        self.number = 0
        self.finished = False

    def write(self, data: Any, /) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK_SIZE:  # keep at least one byte back: the last chunk is flagged
            self._emit(bytes(self.buffer[:CHUNK_SIZE]), last=False)
            del self.buffer[:CHUNK_SIZE]
        return len(data)

    def _emit(self, data: bytes, *, last: bool) -> None:
        sealed = self.sealer.seal(self.number, data, last=last)
        self.out.write(_LENGTH.pack(len(sealed)) + sealed)
        self.number += 1

    def finish(self) -> None:
        if not self.finished:
            self._emit(bytes(self.buffer), last=True)
            self.buffer.clear()
            self.finished = True

    def writable(self) -> bool:
        return True


def read_header(handle: IO[bytes], key: bytes) -> tuple[Header, bytes]:
    """The header of a backup file, checked for its format and for the key it was made with."""
    if handle.read(len(MAGIC)) != MAGIC:
        raise BackupError(_("这不是三区系统的备份文件。"))
    length_bytes = handle.read(_LENGTH.size)
    if len(length_bytes) != _LENGTH.size or (length := _LENGTH.unpack(length_bytes)[0]) > 64 * 1024:
        raise AuthenticationFailed(_("备份文件已损坏或被改动：文件头不完整。"))
    header_bytes = handle.read(length)
    try:
        header = Header(**json.loads(header_bytes))
    except (ValueError, TypeError) as error:
        raise AuthenticationFailed(_("备份文件已损坏或被改动：文件头无法读取。")) from error
    if header.format != FORMAT:
        raise BackupError(
            _("备份文件的格式版本是 %(found)s，本程序只能读取版本 %(known)s。")
            % {"found": header.format, "known": FORMAT}
        )
    if not hmac.compare_digest(header.key_check, _key_check(key)):
        raise AuthenticationFailed(
            _("备份密钥不对：此文件不是用当前的备份密钥（SANQU_BACKUP_KEY 或密钥文件的 backup_key）加密的。")
        )
    return header, header_bytes


class DecryptingReader(io.RawIOBase):
    """A read-only file object over the sealed chunks; raises AuthenticationFailed on any change."""

    def __init__(self, handle: io.BufferedReader, key: bytes) -> None:
        self.handle = handle
        self.header, header_bytes = read_header(handle, key)
        self.sealer = _Sealer(key, self.header, header_bytes)
        self.buffer = b""
        self.number = 0
        self.finished = False

    def _next_chunk(self) -> bytes:
        length_bytes = self.handle.read(_LENGTH.size)
        if len(length_bytes) < _LENGTH.size:
            raise AuthenticationFailed(_("备份文件不完整：文件在最后一段之前就结束了。"))
        length = _LENGTH.unpack(length_bytes)[0]
        if length > self.header.chunk_size + _TAG_SIZE:
            raise AuthenticationFailed(_("备份文件已损坏或被改动：数据段长度不对。"))
        sealed = self.handle.read(length)
        last = not self.handle.peek(1)
        try:
            data = self.sealer.open(self.number, sealed, last=last)
        except InvalidTag as error:
            raise AuthenticationFailed(
                _("备份文件已损坏或被改动：第 %(number)s 段数据未通过校验。") % {"number": self.number + 1}
            ) from error
        self.number += 1
        self.finished = last
        return data

    def read(self, size: int = -1, /) -> bytes:
        while not self.finished and (size < 0 or len(self.buffer) < size):
            self.buffer += self._next_chunk()
        if size < 0:
            size = len(self.buffer)
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def drain(self) -> None:
        """Read to the end, so a cut or a change after what the tar reader needed is found too."""
        while not self.finished:
            self._next_chunk()
        self.buffer = b""

    def readable(self) -> bool:
        return True


# Making a backup.


def create_backup(output: Path, *, key: bytes, database: Database | None = None) -> Header:
    """Write an encrypted backup of the database and the uploads to ``output`` (mode 600).

    The file appears under its name only when complete: it is written beside it and renamed.
    """
    database = database or Database.of()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sanqu-backup-") as work:
        dump = Path(work) / ("database.sqlite3" if database.kind == "sqlite" else "database.pgdump")
        if database.kind == "sqlite":
            _sqlite_copy(database, dump)
        else:
            _pg_dump(database, dump)
        descriptor, partial = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                writer = EncryptingWriter(handle, key, database.kind)
                with tarfile.open(fileobj=writer, mode="w|") as archive:
                    archive.add(dump, arcname=dump.name)
                    for name, root in upload_roots().items():
                        if root.is_dir():
                            archive.add(root, arcname=name)
                writer.finish()
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(partial, 0o600)
            os.replace(partial, output)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return writer.header


def _sqlite_copy(database: Database, target: Path) -> None:
    """A consistent copy of a live SQLite database through the online backup API."""
    path = database.sqlite_path
    destination = sqlite3.connect(target)
    try:
        if path is None:
            assert database.alias is not None  # noqa: S101 - an in-memory database is always Django's
            connection = connections[database.alias]
            if connection.in_atomic_block:  # SQLite would wait forever for its own write lock
                raise BackupError(_("不能在事务中备份内存数据库。"))
            connection.ensure_connection()
            connection.connection.backup(destination)
        else:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                source.backup(destination)
            finally:
                source.close()
    finally:
        destination.close()


def postgres_binary(name: str) -> str:
    """pg_dump / pg_restore: from `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)  # noqa: S603
        if found.returncode == 0:
            candidates.append(Path(found.stdout.strip()) / name)
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += [directory / name for directory in versions]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(_("找不到 %(name)s：请安装 PostgreSQL 客户端（postgresql-client）。") % {"name": name})


def postgres_environment(database: Database) -> dict[str, str]:
    """The connection for libpq through its environment variables: no password on a command line."""
    values = database.settings
    environment = {**os.environ}
    for variable, setting in [
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ]:
        if values.get(setting):
            environment[variable] = str(values[setting])
    options = values.get("OPTIONS") or {}
    if options.get("sslmode"):
        environment["PGSSLMODE"] = str(options["sslmode"])
    return environment


def _run_postgres(arguments: list[str], database: Database) -> None:
    result = subprocess.run(  # noqa: S603 - a found binary, arguments fixed by this module
        arguments, env=postgres_environment(database), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s 失败（退出码 %(code)s）：%(error)s")
            % {"program": Path(arguments[0]).name, "code": result.returncode, "error": result.stderr.strip()}
        )


def _pg_dump(database: Database, target: Path) -> None:
    _run_postgres([postgres_binary("pg_dump"), "--format=custom", "--file", str(target)], database)


# Restoring one.


@contextmanager
def staged(source: Path, *, key: bytes, near: Path) -> Iterator[tuple[Header, Path]]:
    """Decrypt and unpack a backup into a staging folder beside ``near``; every chunk authenticated.

    Raises AuthenticationFailed (nothing unpacked is kept) when any part of the file was changed,
    cut short or sealed with another key.
    """
    near.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".sanqu-restore-", dir=near))
    try:
        with source.open("rb") as handle:
            reader = DecryptingReader(handle, key)
            try:
                with tarfile.open(fileobj=reader, mode="r|") as archive:
                    archive.extractall(folder, filter="data")
            except tarfile.TarError as error:
                raise AuthenticationFailed(_("备份文件已损坏：其中的归档无法读取。")) from error
            reader.drain()
        yield reader.header, folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def peek_header(source: Path, *, key: bytes) -> Header:
    """The header of a backup (format and key checked; the content is checked by the restore)."""
    with source.open("rb") as handle:
        return read_header(handle, key)[0]


def restore_backup(source: Path, *, key: bytes, database: Database | None = None) -> Header:
    """Replace the database and the uploads with the content of an authenticated backup."""
    database = database or Database.of()
    header = peek_header(source, key=key)
    if header.database != database.kind:
        raise BackupError(
            _("这是 %(found)s 数据库的备份，当前数据库是 %(current)s。")
            % {"found": header.database, "current": database.kind}
        )
    roots = upload_roots()
    near = roots["media"].parent
    with staged(source, key=key, near=near) as (header, folder):
        if database.kind == "sqlite":
            _sqlite_restore(database, folder / "database.sqlite3")
        else:
            _pg_restore(database, folder / "database.pgdump")
        for name, root in roots.items():
            _replace_folder(folder / name, root, trash=folder / f"previous-{name}")
    return header


def _check_sqlite(path: Path) -> None:
    if not path.is_file():
        raise AuthenticationFailed(_("备份文件中没有数据库。"))
    check = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = check.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        check.close()
    if result != "ok":
        raise BackupError(_("备份中的数据库未通过完整性检查：%(result)s") % {"result": result})


def _sqlite_restore(database: Database, staged_file: Path) -> None:
    _check_sqlite(staged_file)
    path = database.sqlite_path
    database.close()
    if path is None:  # Django's in-memory database: copied into the live connection
        assert database.alias is not None  # noqa: S101 - an in-memory database is always Django's
        connection = connections[database.alias]
        connection.ensure_connection()
        source = sqlite3.connect(staged_file)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.restore-", dir=path.parent)
    os.close(descriptor)
    try:
        source, target = sqlite3.connect(staged_file), sqlite3.connect(temporary)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to rename
        finally:
            source.close()
            target.close()
        os.chmod(temporary, stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o600)
        if path.exists():
            # Fold the write-ahead log into the old file, so no -wal of the old database stays
            # behind to be read as if it belonged to the restored one.
            old = sqlite3.connect(path)
            try:
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                old.close()
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _pg_restore(database: Database, dump: Path) -> None:
    if not dump.is_file():
        raise AuthenticationFailed(_("备份文件中没有数据库。"))
    restore = postgres_binary("pg_restore")
    _run_postgres([restore, "--list", str(dump)], database)  # a readable archive before anything changes
    database.close()
    name = str(database.settings["NAME"])
    _run_postgres(
        [
            restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            name,
            str(dump),
        ],
        database,
    )


def _replace_folder(staged_folder: Path, target: Path, *, trash: Path) -> None:
    """Put the staged folder in the target's place (an empty one if the backup had none)."""
    if not staged_folder.is_dir():
        staged_folder.mkdir(parents=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        os.replace(target, trash)
    try:
        os.replace(staged_folder, target)
    except OSError:  # another file system: copy instead of renaming
        shutil.copytree(staged_folder, target)
