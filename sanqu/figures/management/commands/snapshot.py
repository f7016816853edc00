"""`sanqu snapshot --scope CODE --as-of DATE [--reason TEXT]` freezes the figures of a scope and date;
`sanqu snapshot --compare ID` says what changed since, and why."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sanqu.figures.engine import FigureError, parse_as_of, resolve_scope
from sanqu.figures.models import FigureSnapshot
from sanqu.figures.snapshots import compare, describe, flatten, take_snapshot
from sanqu.lib import clock


def reason_and_note(text: str) -> tuple[str, str]:
    """A reason given by its code or label (年终, 发布报告, 手动); any other text is a manual note."""
    for value, label in FigureSnapshot.Reason.choices:
        if text.strip() in (value, str(label)):
            return value, ""
    return FigureSnapshot.Reason.MANUAL, text.strip()


class Command(BaseCommand):
    help = "Freeze the figures of a region and date with the fingerprint of their records, or compare one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scope", default="500000", help="Region code or name; default 500000.")
        parser.add_argument("--as-of", dest="as_of", help="Date YYYY-MM-DD; default today.")
        parser.add_argument("--reason", default="手动", help="年终, 发布报告, 手动, or a note (manual).")
        parser.add_argument("--compare", type=int, metavar="ID", help="Compare snapshot ID with today.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["compare"] is not None:
            self._compare(options["compare"])
            return
        try:
            as_of = parse_as_of(options["as_of"]) if options["as_of"] else clock.today()
            scope = resolve_scope(options["scope"])
        except FigureError as error:
            raise CommandError(str(error)) from error
        reason, note = reason_and_note(options["reason"])
        try:
            made = take_snapshot(actor=None, scope=scope, as_of=as_of, reason=reason, note=note)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        rows = sum(int(item["count"]) for item in made.digests.values())
        self.stdout.write(
            _(
                "已冻结快照 #%(id)s：%(scope)s（%(code)s）截至 %(as_of)s，"
                "%(figures)s 个数字，指纹 %(rows)s 条记录（%(size)s 字节）。"
            )
            % {
                "id": made.pk,
                "scope": scope.name,
                "code": scope.code,
                "as_of": as_of.isoformat(),
                "figures": len(flatten(made.figures)),
                "rows": rows,
                "size": made.fingerprint_size,
            }
        )

    def _compare(self, pk: int) -> None:
        snapshot = FigureSnapshot.objects.select_related("scope").filter(pk=pk).first()
        if snapshot is None:
            raise CommandError(_("找不到快照 #%(id)s。") % {"id": pk})
        for line in describe(compare(snapshot)):
            self.stdout.write(line)
