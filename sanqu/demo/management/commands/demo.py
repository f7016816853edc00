"""`sanqu demo [--reset | --if-empty]`: Chongqing's programme 2013 to 2018-07-10, and the demo accounts."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sanqu.demo import plan
from sanqu.demo.accounts import PASSWORD_ENV, demo_password
from sanqu.demo.loading import database_is_empty, load_demo
from sanqu.figures.engine import FIGURE_LABELS, compute_figures
from sanqu.regions.models import Region


class Command(BaseCommand):
    help = "Load the demo: Chongqing's region tree, its programme 2013-2018 and one account per role."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--reset", action="store_true", help="Delete the programme data first, then load.")
        group.add_argument(
            "--if-empty", action="store_true", help="Do nothing (and succeed) when programme data exists."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not database_is_empty():
            if options["if_empty"]:
                return
            if not options["reset"]:
                raise CommandError(
                    _("数据库中已有业务数据，未载入演示数据。要清空后重新载入，请使用 --reset。")
                )
        started = time.monotonic()
        password, generated = demo_password()
        loaded = load_demo(reset=options["reset"], password=password)
        if options["verbosity"] >= 2:
            self.stdout.write(loaded.regions_report)
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                _("演示数据已载入（%(seconds).1f 秒）：重庆市“三区”计划 2013 年至 %(as_of)s。")
                % {"seconds": seconds, "as_of": plan.AS_OF.isoformat()}
            )
        )
        figures = compute_figures(scope=Region.objects.get(code="500000"), as_of=plan.AS_OF)
        for key in ("receiving_counties", "dispatched_total", "trained_total", "organisations_total",
                    "certified_total", "incentive_counties", "service_hours", "group_sessions",
                    "community_attendance", "livelihood_households"):  # fmt: skip
            self.stdout.write(f"  {FIGURE_LABELS[key]}：{figures[key]}")
        if options["verbosity"] == 0:
            return  # `sanqu serve` prints the accounts when it starts
        self.stdout.write(_("演示账号（密码相同）："))
        for membership in loaded.memberships:
            user = membership.user
            where = membership.organisation or membership.region
            self.stdout.write(
                f"  {user.username:<10} {user.display_name}  {membership.get_role_display()} · {where}"
            )
        self.stdout.write(_("密码：%(password)s") % {"password": password})
        if generated:
            self.stdout.write(
                _("（密码为随机生成；设置环境变量 %(name)s 可指定密码。）") % {"name": PASSWORD_ENV}
            )
