"""`sanqu import-ledger KIND FILE --user NAME [--dry-run] [--valid-only]`: a ledger file into the records.

The import runs as the named account: its permissions and its scope decide, as on the pages. It
prints what the file held (rows to create, update, leave unchanged, refuse) and every refused row
with its row number, column and reason. By default it commits all or nothing: with a refused row
nothing is written and the exit status is 1. `--valid-only` commits the rows without errors;
`--dry-run` writes nothing whatever the rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sanqu.accounts.models import User
from sanqu.ledgers.importing import ADAPTERS, import_ledger, importable_kinds
from sanqu.ledgers.reading import LedgerFileError

SHOWN = 200  # refused rows printed; the import log keeps them all


class Command(BaseCommand):
    help = "Import a ledger (DESIGN §6) from an .xlsx, .xls or .csv file, all or nothing by default."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="Ledger kind: " + ", ".join(ADAPTERS) + ".")
        parser.add_argument("file", help="The ledger file.")
        parser.add_argument("--user", required=True, help="The account the import runs as.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and write nothing.")
        parser.add_argument(
            "--valid-only", action="store_true", help="Commit the rows without errors, refuse the others."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] not in ADAPTERS:
            kinds = "、".join(f"{kind.code}（{kind.title}）" for kind in importable_kinds())
            raise CommandError(
                _("不能导入“%(kind)s”：目前可导入的台账为 %(kinds)s。")
                % {"kind": options["kind"], "kinds": kinds}
            )
        actor = User.objects.filter(username=options["user"], is_active=True).first()
        if actor is None:
            raise CommandError(_("没有启用的账号“%(user)s”。") % {"user": options["user"]})
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("无法读取“%(path)s”：%(reason)s") % {"path": path, "reason": error.strerror or error}
            ) from error
        try:
            result = import_ledger(
                actor=actor, kind=options["kind"], data=data, filename=path.name,
                dry_run=options["dry_run"], valid_only=options["valid_only"],
            )  # fmt: skip
        except LedgerFileError as error:
            raise CommandError(str(error)) from error
        for warning in result.warnings:
            self.stdout.write(_("提示：%(warning)s") % {"warning": warning})
        self.stdout.write(
            _(
                "%(title)s“%(file)s”：%(rows)s 行，新增 %(create)s，更新 %(update)s，"
                "无变化 %(unchanged)s，有错误 %(reject)s"
            )
            % {
                "title": result.kind.title,
                "file": path.name,
                "rows": len(result.rows),
                "create": result.count("create"),
                "update": result.count("update"),
                "unchanged": result.count("unchanged"),
                "reject": result.count("reject"),
            }
        )
        for row in result.rejected[:SHOWN]:
            for column, message in row.errors:
                self.stdout.write(
                    _("  第 %(row)s 行 · %(column)s：%(message)s")
                    % {"row": row.number, "column": column, "message": message}
                )
        if len(result.rejected) > SHOWN:
            self.stdout.write(_("  ……其余 %(n)s 行的错误见导入记录。") % {"n": len(result.rejected) - SHOWN})
        if result.committed:
            self.stdout.write(_("已导入（导入记录 #%(id)s）。") % {"id": result.log.pk})
        elif options["dry_run"]:
            self.stdout.write(_("预览完毕，未写入任何数据（导入记录 #%(id)s）。") % {"id": result.log.pk})
        else:
            raise CommandError(
                _("有 %(n)s 行错误，未导入任何数据。改正后重新导入，或用 --valid-only 只导入无误的行。")
                % {"n": result.count("reject")}
            )
