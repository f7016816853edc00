"""`sanqu remind_reports`: email a reminder about every overdue periodic report, once per report.

Runs the reminder task synchronously. `--every SECONDS` keeps running it (at start, then every
interval): that is how `sanqu serve` schedules it, as its `scheduler` child process.
"""

from __future__ import annotations

import datetime as dt
import signal
import sys
import time
import traceback
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils.translation import gettext as _

from sanqu.lib import clock
from sanqu.projects.report_tasks import pending_reminders, send_report_reminders


class Command(BaseCommand):
    help = "Email the organisations about overdue periodic reports (once per report)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="The day to judge by (YYYY-MM-DD; default: the working date).")
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would be reminded; send nothing."
        )
        parser.add_argument(
            "--every", type=int, default=0, metavar="SECONDS", help="Run again every SECONDS (0: once)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = options["as_of"]
        if as_of:
            try:
                dt.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(_("日期格式应为 YYYY-MM-DD：%(value)s") % {"value": as_of}) from None
        if options["dry_run"]:
            self._dry_run(dt.date.fromisoformat(as_of) if as_of else clock.today())
            return
        if options["every"] <= 0:
            self._run_once(as_of)
            return
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        while True:
            try:
                self._run_once(as_of)
            except Exception:  # a failed run must not stop the scheduler: the next one retries
                self.stderr.write(traceback.format_exc())
            close_old_connections()
            time.sleep(options["every"])

    def _run_once(self, as_of: str | None) -> None:
        sent = send_report_reminders.call(as_of)
        self.stdout.write(_("已发送 %(count)s 封催报提醒。") % {"count": sent})

    def _dry_run(self, as_of: dt.date) -> None:
        reminders = pending_reminders(as_of)
        for reminder in reminders:
            item = reminder.item
            self.stdout.write(
                f"{item.project.name} · {item.template.get_cadence_display()} "
                f"{item.period.start}–{item.period.end} · {item.period.due_on} → {', '.join(reminder.to)}"
                + (f" (cc {', '.join(reminder.cc)})" if reminder.cc else "")
            )
        self.stdout.write(_("将发送 %(count)s 封催报提醒（未发送）。") % {"count": len(reminders)})
