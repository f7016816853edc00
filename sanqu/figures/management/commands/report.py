"""`sanqu report --scope 500000 --as-of 2018-07-10 --format pdf --out report.pdf`: the results report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sanqu.figures.engine import FigureError, parse_as_of, resolve_scope
from sanqu.figures.report import FORMATS, LANGUAGES, render_report
from sanqu.lib import clock


class Command(BaseCommand):
    verbosity = 1
    help = "Write the results report (成效报告) of a region at a date as HTML or PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scope", default="500000", help="Region code or name (former codes work); default 500000."
        )
        parser.add_argument("--as-of", dest="as_of", help="Date YYYY-MM-DD; default today.")
        parser.add_argument("--format", dest="fmt", default="html", help="html or pdf; default html.")
        parser.add_argument("--out", required=True, help="The file to write.")
        parser.add_argument("--language", default="zh-hans", help="zh-hans or en; default zh-hans.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options["verbosity"])
        fmt = options["fmt"].lower()
        if fmt not in FORMATS:
            raise CommandError(_("格式“%(fmt)s”无效：只能是 html 或 pdf。") % {"fmt": options["fmt"]})
        language = options["language"].lower()
        if language not in LANGUAGES:
            raise CommandError(
                _("语言“%(language)s”无效：只能是 zh-hans 或 en。") % {"language": options["language"]}
            )
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(_("目录“%(dir)s”不存在。") % {"dir": out.parent})
        try:
            as_of = parse_as_of(options["as_of"]) if options["as_of"] else clock.today()
            scope = resolve_scope(options["scope"])
            # A saved file links to the records on the live site.
            link_base = str(getattr(settings, "WAGTAILADMIN_BASE_URL", "")).rstrip("/")
            content = render_report(
                scope=scope,
                as_of=as_of,
                fmt=fmt,
                language=language,
                link_base=link_base,
                progress=self._progress,
            )
        except FigureError as error:
            raise CommandError(str(error)) from error
        out.write_bytes(content)
        self.stdout.write(
            _("已写出%(scope)s截至 %(as_of)s 的成效报告：%(path)s")
            % {"scope": scope.name, "as_of": as_of.isoformat(), "path": out.resolve()}
        )

    def _progress(self, percent: int, message: str) -> None:
        if self.verbosity > 1:
            self.stderr.write(f"{percent:3d}% {message}")
