"""`sanqu restore FILE [--yes]`: put back the database and the uploads of an encrypted backup.

The file's header is checked first (format, and that it was made with this backup key), then the
operator confirms; the whole file is then decrypted and authenticated into a staging folder before
anything is replaced, so a changed or cut file, or a wrong key, is refused and nothing changes.
Stop the site before a restore: its processes must not write into the database being replaced.
The field keys of the backed-up site are needed as well to read the restored sensitive fields.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry
from sanqu.lib.backup import AuthenticationFailed, BackupError, Database, peek_header, restore_backup
from sanqu.lib.keys import MissingBackupKey, backup_key, keyring
from sanqu.lib.rotation import key_ids_in_use


class Command(BaseCommand):
    help = "Restore the database and the uploaded files from an encrypted backup (stop the site first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The backup file.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument("--database", default="default", help="The database alias (default: default).")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"])
        if not source.is_file():
            raise CommandError(_("找不到备份文件“%(path)s”。") % {"path": source})
        try:
            key = backup_key()
        except MissingBackupKey:
            raise CommandError(
                _("没有备份密钥：请设置 SANQU_BACKUP_KEY，或在密钥文件中写入 backup_key。")
            ) from None
        database = Database.of(options["database"])
        try:
            header = peek_header(source, key=key)
        except AuthenticationFailed as error:
            raise CommandError(_("拒绝恢复，未做任何修改：%(error)s") % {"error": error}) from error
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("备份：%(database)s 数据库，创建于 %(created)s（UTC），三区 %(version)s 版本。")
            % {"database": header.database, "created": header.created, "version": header.app_version}
        )
        if not options["yes"] and not self.confirm():
            raise CommandError(_("已取消，未做任何修改。"))
        try:
            restore_backup(source, key=key, database=database)
        except AuthenticationFailed as error:
            raise CommandError(_("拒绝恢复，未做任何修改：%(error)s") % {"error": error}) from error
        except (BackupError, OSError) as error:
            raise CommandError(_("恢复失败：%(error)s") % {"error": error}) from error
        audit.record(
            actor=None,
            action=AuditEntry.Action.UPDATE,
            detail={
                "operation": "restore",
                "file": str(source.resolve()),
                "created": header.created,
                "os_user": getpass.getuser(),
            },
        )
        self.stdout.write(_("已恢复数据库和上传文件。"))
        known = keyring().keys
        missing = {key_id: count for key_id, count in key_ids_in_use().items() if key_id not in known}
        if missing:
            self.stderr.write(
                _("有 %(count)s 个加密值的字段密钥（%(keys)s）不在当前密钥中：启动站点前请把它们加回。")
                % {"count": sum(missing.values()), "keys": "、".join(sorted(missing))}
            )

    def confirm(self) -> bool:
        self.stdout.write(
            _("这会用备份替换当前的数据库和全部上传文件，当前的数据将丢失。站点须已停止。继续吗？[y/N] "),
            ending="",
        )
        self.stdout.flush()
        return input().strip().lower() in {"y", "yes", "是"}
