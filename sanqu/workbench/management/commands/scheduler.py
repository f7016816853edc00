"""`sanqu scheduler`: the jobs that run by the clock, in one process (`sanqu serve` starts it).

- 催报提醒 `remind_reports`: reminders about overdue periodic reports, once per report (daily);
- 定时发布 `publish_scheduled` (Wagtail's): approved news with a go-live time goes online, pages past
  their expiry go offline (every minute);
- 发布核查 `check-published`: the public pages still as approved; findings are emailed to the city
  admins and written to the audit log (hourly);
- 审计封存 `audit seal`: the audit entries written since the last seal are hashed into the chain of
  seals that `sanqu audit verify` checks (hourly). Pruning is never automatic (`sanqu audit prune`).

Each job runs at start and then at its interval. A job that fails (or finds something: check-published
exits 1) is logged and runs again at its next time; it never stops the others. `--once` runs each
job once and exits (for cron, or to try it).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import sys
import time
import traceback
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class Job:
    name: str
    command: str
    every: int  # seconds
    args: tuple[str, ...] = ()
    due: float = 0.0


def interval(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


class Command(BaseCommand):
    help = (
        "Run the clock's jobs: report reminders, scheduled publishing, the check of the public pages "
        "and the audit log's seals."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reminder-interval",
            type=int,
            default=interval("SANQU_REMINDER_INTERVAL", 24 * 3600),
            metavar="SECONDS",
            help="How often overdue-report reminders are sent (default: a day).",
        )
        parser.add_argument(
            "--publish-interval",
            type=int,
            default=interval("SANQU_PUBLISH_INTERVAL", 60),
            metavar="SECONDS",
            help="How often scheduled news goes online or offline (default: a minute).",
        )
        parser.add_argument(
            "--check-interval",
            type=int,
            default=interval("SANQU_CHECK_PUBLISHED_INTERVAL", 3600),
            metavar="SECONDS",
            help="How often the public pages are compared with their approval (default: an hour).",
        )
        parser.add_argument(
            "--seal-interval",
            type=int,
            default=interval("SANQU_AUDIT_SEAL_INTERVAL", 3600),
            metavar="SECONDS",
            help="How often new audit entries are sealed (default: an hour).",
        )
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = [
            Job("remind_reports", "remind_reports", max(60, options["reminder_interval"])),
            Job("publish_scheduled", "publish_scheduled", max(10, options["publish_interval"])),
            Job("check-published", "check-published", max(60, options["check_interval"])),
            Job("audit-seal", "audit", max(60, options["seal_interval"]), args=("seal",)),
        ]
        if options["once"]:
            for job in jobs:
                self.run(job)
            return
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        while True:
            now = time.monotonic()
            for job in jobs:
                if job.due <= now:
                    self.run(job)
                    job.due = time.monotonic() + job.every
            close_old_connections()
            time.sleep(max(1.0, min(job.due for job in jobs) - time.monotonic()))

    def run(self, job: Job) -> bool:
        """Run the job's command; False if it failed or reported findings."""
        try:
            call_command(job.command, *job.args, stdout=self.stdout, stderr=self.stderr)
        except SystemExit as exit_:
            if exit_.code not in (None, 0):
                logger.warning("%s exited %s", job.name, exit_.code)
                return False
        except Exception:
            self.stderr.write(f"{job.name} failed:\n{traceback.format_exc()}")
            return False
        return True
