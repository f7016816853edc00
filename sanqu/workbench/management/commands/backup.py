"""`sanqu backup [--output FILE] [--keep N]`: an encrypted backup of the database and the uploads.

SQLite is copied through its online backup API and PostgreSQL with `pg_dump -Fc`, both consistent
while the site runs; the uploaded files (media and private) go in the same file. The file is
encrypted with the backup key (SANQU_BACKUP_KEY, or `backup_key` in the key file), never with the
field keys: a restore on a fresh server needs both. Without --output the file goes to
var/backups/sanqu-<UTC time>.backup; --keep N then removes all but the N newest there.
"""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry
from sanqu.lib.backup import BackupError, Database, create_backup
from sanqu.lib.crypto import new_key
from sanqu.lib.keys import (
    MissingBackupKey,
    add_backup_key_to_file,
    backup_key,
    key_file_path,
    keys_from_environment,
)

SUFFIX = ".backup"


def backup_folder() -> Path:
    return Path(settings.VAR_DIR) / "backups"


class Command(BaseCommand):
    help = "Write an encrypted backup of the database and the uploaded files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="The backup file (default: var/backups/sanqu-<time>.backup).")
        parser.add_argument(
            "--keep", type=int, help="After the backup, keep only the N newest backups in its folder."
        )
        parser.add_argument("--database", default="default", help="The database alias (default: default).")

    def obtain_key(self) -> bytes:
        """The backup key; a key file made before backups existed is given one."""
        try:
            return backup_key()
        except MissingBackupKey:
            if keys_from_environment() or not key_file_path().exists():
                raise CommandError(
                    _("没有备份密钥：请设置 SANQU_BACKUP_KEY（与字段密钥分开保管），例如：")
                    + f"\nSANQU_BACKUP_KEY={new_key()}"
                ) from None
        path = add_backup_key_to_file()
        self.stdout.write(
            _("密钥文件 %(path)s 中已加入备份密钥：请重新备份这个密钥文件（与备份文件分开存放）。")
            % {"path": path}
        )
        return backup_key()

    def handle(self, *args: Any, **options: Any) -> None:
        key = self.obtain_key()
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        output = Path(options["output"] or backup_folder() / f"sanqu-{stamp}{SUFFIX}")
        if output.is_dir():
            raise CommandError(_("无法写入“%(path)s”：这是一个目录。") % {"path": output})
        try:
            header = create_backup(output, key=key, database=Database.of(options["database"]))
        except (BackupError, OSError) as error:
            raise CommandError(_("备份失败：%(error)s") % {"error": error}) from error
        size = output.stat().st_size
        audit.record(
            actor=None,
            action=AuditEntry.Action.EXPORT,
            detail={
                "operation": "backup",
                "file": str(output.resolve()),
                "database": header.database,
                "bytes": size,
                "os_user": getpass.getuser(),
            },
        )
        self.stdout.write(
            _("已备份（%(database)s 数据库和上传文件，已加密）：%(path)s，%(size)s 字节")
            % {"database": header.database, "path": output, "size": size}
        )
        if options["keep"] is not None:
            for removed in prune(output.parent, keep=max(1, options["keep"])):
                self.stdout.write(_("已删除较早的备份：%(path)s") % {"path": removed})


def prune(folder: Path, *, keep: int) -> list[Path]:
    """Remove all but the ``keep`` newest backups (sanqu-*.backup) of a folder."""
    backups = sorted(folder.glob(f"sanqu-*{SUFFIX}"), key=lambda path: path.stat().st_mtime, reverse=True)
    for path in backups[keep:]:
        path.unlink()
    return backups[keep:]
