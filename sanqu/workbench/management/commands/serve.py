"""`sanqu serve`: the production web server (granian, WSGI), the task worker and the scheduler.

The scheduler (`sanqu scheduler`) sends the reminders about overdue periodic reports, puts approved
news with a go-live time online and compares the public pages with their approval, each at start-up
and then at its interval (`--reminder-interval`, a day by default; see the scheduler for the
others). Ctrl-C (or SIGTERM) stops them all; if one
stops on its own, the others are stopped too and the command exits with an error, so a
supervisor notices.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _


def demo_accounts_text() -> str:
    """The demo accounts and their password, for the person who just started the demo."""
    from sanqu.accounts.models import Membership
    from sanqu.demo.accounts import PASSWORD_ENV, password_file

    lines = [_("演示账号（密码相同）：")]
    memberships = Membership.objects.select_related("user", "region", "organisation").order_by("user_id")
    for membership in memberships:
        user, where = membership.user, membership.organisation or membership.region
        lines.append(f"  {user.username:<10} {user.display_name}  {membership.get_role_display()} · {where}")
    password = os.environ.get(PASSWORD_ENV) or (
        password_file().read_text().strip() if password_file().exists() else ""
    )
    if password:
        lines.append(_("密码：%(password)s") % {"password": password})
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Serve Sanqu with granian, run the task worker and the scheduler (Ctrl-C stops them all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("SANQU_WEB_WORKERS", "2")))
        parser.add_argument("--no-worker", action="store_true", help="Do not start the task worker.")
        parser.add_argument("--no-scheduler", action="store_true", help="Do not start the scheduler.")
        parser.add_argument(
            "--reminder-interval",
            type=int,
            default=int(os.environ.get("SANQU_REMINDER_INTERVAL", str(24 * 3600))),
            metavar="SECONDS",
            help="How often the scheduler sends overdue-report reminders (default: a day).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        web = [
            sys.executable, "-m", "granian", "--interface", "wsgi",
            "--host", options["host"], "--port", str(options["port"]),
            "--workers", str(options["workers"]), "--blocking-threads", "4", "--no-access-log",
            "sanqu.wsgi:application",
        ]  # fmt: skip
        commands = {"web": web}
        if not options["no_worker"]:
            commands["worker"] = [sys.executable, "-m", "sanqu.cli", "db_worker", "--interval", "1"]
        if not options["no_scheduler"]:
            interval = str(max(60, options["reminder_interval"]))
            commands["scheduler"] = [
                sys.executable, "-m", "sanqu.cli", "scheduler", "--reminder-interval", interval,
            ]  # fmt: skip
        # Each child leads its own process group: Ctrl-C reaches only this command, which stops
        # each group once, and a group that does not stop in time is killed whole (no orphans).
        processes = {
            name: subprocess.Popen(command, start_new_session=True)  # noqa: S603
            for name, command in commands.items()
        }

        self.stdout.write(
            self.style.SUCCESS(f"Sanqu: http://{options['host']}:{options['port']}/  (Ctrl-C to stop)")
        )
        if settings.SANQU_DEMO:
            self.stdout.write(demo_accounts_text())

        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None:
                    self.stderr.write(f"{name} stopped (exit {process.returncode}); stopping Sanqu.")
                    exit_code = process.returncode or 1
                    stopping = True
            time.sleep(0.5)
        self._terminate(processes)
        if exit_code:
            sys.exit(exit_code)

    def _terminate(self, processes: dict[str, subprocess.Popen[bytes]]) -> None:
        for process in processes.values():
            if process.poll() is None:
                _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        self.stdout.write("Sanqu stopped.")


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)
