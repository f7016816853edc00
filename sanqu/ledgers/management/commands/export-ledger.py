"""`sanqu export-ledger KIND --scope CODE --out FILE [--unmask]`: a ledger of a scope, as an .xlsx file.

The command line is the operator: every record of the scope (the region and everything under it),
with ID numbers and phones masked unless `--unmask` is given; the export is written to the audit log
without an account. A bad kind, scope or path is refused in Chinese with exit status 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sanqu.ledgers.exporting import LedgerError, export_ledger_file, kind_of
from sanqu.ledgers.kinds import KINDS
from sanqu.regions.lookup import find_region


class Command(BaseCommand):
    help = "Export a ledger (DESIGN §6) of a region and everything under it to an .xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="Ledger kind: " + ", ".join(KINDS) + ".")
        parser.add_argument("--scope", required=True, help="Region code or name (former codes work).")
        parser.add_argument("--out", required=True, help="The .xlsx file to write.")
        parser.add_argument(
            "--unmask", action="store_true", help="Write full ID numbers and phones (audited)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            kind = kind_of(options["kind"])
        except LedgerError as error:
            raise CommandError(str(error)) from error
        scope = find_region(options["scope"])
        if scope is None:
            raise CommandError(
                _("找不到区划“%(scope)s”：请写区划代码（如 500229）或名称。") % {"scope": options["scope"]}
            )
        out = Path(options["out"])
        if out.is_dir() or not out.parent.is_dir():
            raise CommandError(_("无法写入“%(path)s”：请给出已存在目录中的文件名。") % {"path": out})
        exported = export_ledger_file(actor=None, kind=kind.code, scope=scope, unmask=options["unmask"])
        try:
            out.write_bytes(exported.content)
        except OSError as error:
            raise CommandError(
                _("无法写入“%(path)s”：%(reason)s") % {"path": out, "reason": error.strerror or error}
            ) from error
        self.stdout.write(
            _("已导出%(title)s：%(scope)s（%(code)s），%(count)s 条记录 → %(path)s")
            % {
                "title": kind.title,
                "scope": scope.name,
                "code": scope.code,
                "count": exported.rows,
                "path": out,
            }
        )
        if exported.masked:
            self.stdout.write(
                _("身份证号和电话已脱敏（%(columns)s），此文件不能用于导入；需要时加 --unmask。")
                % {"columns": "、".join(exported.masked)}
            )
