"""`sanqu generate [--size small|county|province|national-sample] [--counties N …] [--seed S] [--reset]`.

A made-up programme of the chosen size on the region tree, the same for the same options, seed and
working date (see `sanqu.demo.generate`).
"""

from __future__ import annotations

import io
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from sanqu.demo.generate import PRESETS, Generator, digest, reset, resolve_size
from sanqu.demo.loading import database_is_empty


class Command(BaseCommand):
    help = (
        "Generate a realistic programme of a chosen size (counties, years, stations, workers, people "
        "served, cases, service records, groups), deterministic for a seed; for benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            choices=list(PRESETS),
            help="A preset (default small); the options below change it: "
            + "; ".join(
                f"{name}: {size.beneficiaries:,} people served, {size.services:,} services"
                for name, size in PRESETS.items()
            ),
        )
        parser.add_argument("--counties", type=int, help="Receiving counties (Chongqing's tree has 38).")
        parser.add_argument("--years", type=int, help="Programme years, ending on the working date.")
        parser.add_argument("--stations-per-county", type=int, help="Stations in each county.")
        parser.add_argument("--workers", type=int, help="Social workers in all (at least one per station).")
        parser.add_argument("--beneficiaries", type=int, help="People served in all.")
        parser.add_argument("--cases-per-beneficiary", type=float, help="Cases per person served, e.g. 0.3.")
        parser.add_argument("--services", type=int, help="Service records in all.")
        parser.add_argument("--groups", type=int, help="Group-work groups in all.")
        parser.add_argument("--seed", type=int, default=2013, help="The random seed (default 2013).")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the programme data first (generated or the demo's); regions, lists, accounts stay.",
        )
        parser.add_argument(
            "--digest", action="store_true", help="Print a SHA-256 of every generated row at the end."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        size = resolve_size(
            options["size"],
            counties=options["counties"],
            years=options["years"],
            stations_per_county=options["stations_per_county"],
            workers=options["workers"],
            beneficiaries=options["beneficiaries"],
            cases_per_beneficiary=options["cases_per_beneficiary"],
            services=options["services"],
            groups=options["groups"],
        )
        started = time.monotonic()
        call_command("load_regions", stdout=self.stderr if options["verbosity"] >= 2 else io.StringIO())
        if not database_is_empty():
            if not options["reset"]:
                raise CommandError(_("数据库中已有业务数据，未生成数据。要清空后重新生成，请使用 --reset。"))
            reset()
            self.stdout.write(
                _("已清空业务数据（%(seconds).1f 秒）。") % {"seconds": time.monotonic() - started}
            )

        def progress(line: str) -> None:
            if options["verbosity"] >= 1:
                self.stdout.write(line)

        counts = Generator(size, seed=options["seed"], progress=progress).run()
        if connection.vendor == "postgresql":
            # Fresh planner statistics for the tables just filled: without them PostgreSQL plans every
            # query as if they were empty (nested loops over the region tree), until autovacuum comes
            # by — which it never does inside a transaction still open, as in the tests.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        seconds = time.monotonic() - started
        total = sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                _("已生成 %(rows)s 行（%(seconds).1f 秒，%(rate)s 行/秒）：")
                % {"rows": f"{total:,}", "seconds": seconds, "rate": f"{total / max(seconds, 1e-6):,.0f}"}
            )
        )
        for label, count in counts.items():
            self.stdout.write(f"  {label}: {count:,}")
        if options["digest"]:
            self.stdout.write(f"sha256 {digest()}")
