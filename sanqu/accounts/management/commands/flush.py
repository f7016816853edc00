"""Django's `flush`, which empties every table, with the audit log's purge permit.

The audit tables are append-only (sanqu/accounts/audit_integrity.py): emptying the whole database is
the one other operation allowed to remove their rows. The test suite flushes the database after every
test that commits (live server, browser and transactional tests); an operator who runs `sanqu flush`
is asked first, before the permit's transaction begins (on SQLite it holds the write lock).
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections
from django.utils.translation import gettext as _

from sanqu.accounts.audit_integrity import EVERYTHING, purge_permit


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        if options["interactive"]:
            name = connections[options["database"]].settings_dict["NAME"]
            self.stdout.write(
                _("这会清空数据库“%(name)s”的全部数据，包括审计记录，且无法恢复。继续请输入 yes：")
                % {"name": name},
                ending="",
            )
            self.stdout.flush()
            if input().strip() != "yes":
                self.stdout.write(_("已取消，未做任何修改。"))
                return
        with purge_permit(through=EVERYTHING, using=options["database"]):
            super().handle(**{**options, "interactive": False})
