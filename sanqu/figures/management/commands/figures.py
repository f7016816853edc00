"""`sanqu figures --scope 500000 --as-of 2018-07-10 [--json]`: the seed table from the records.

`--recompute` counts everything again from the records themselves and compares with the figures
read through the rollups (and the whole rollup table with the records): they must agree, else the
command names the difference and exits 1. `--rebuild-rollups` rewrites the rollups (services, people
served, case stages, each project's people served) from the records.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sanqu.cases import rollups
from sanqu.cases.models import ServiceRollup
from sanqu.figures.checks import consistency_checks
from sanqu.figures.engine import (
    FIGURE_LABELS,
    FigureError,
    baseline_date,
    compute_figures,
    parse_as_of,
    resolve_scope,
)
from sanqu.figures.snapshots import part_labels
from sanqu.lib import clock
from sanqu.projects import served
from sanqu.projects.models import ProjectBeneficiary


class Command(BaseCommand):
    help = "Compute the programme's headline figures for a region and a date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scope", default="500000", help="Region code or name (former codes work); default 500000."
        )
        parser.add_argument("--as-of", dest="as_of", help="Date YYYY-MM-DD; default today.")
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Also check that parts add up to their totals; exit 1 when one does not.",
        )
        parser.add_argument(
            "--recompute",
            action="store_true",
            help="Recount from the records and compare with the rollups; exit 1 when they differ.",
        )
        parser.add_argument(
            "--rebuild-rollups",
            dest="rebuild",
            action="store_true",
            help="Rewrite the rollups (services, people served, case stages, projects' people served) "
            "from the records "
            "(after a bulk load), then continue.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = parse_as_of(options["as_of"]) if options["as_of"] else clock.today()
            scope = resolve_scope(options["scope"])
        except FigureError as error:
            raise CommandError(str(error)) from error
        if options["rebuild"]:
            written = rollups.rebuild()  # the projects' people served with them (`rollups.rebuilt`)
            self.stderr.write(
                _("已按原始记录重建全部汇总（服务记录、服务对象、个案阶段、项目服务对象）：%(n)s 行。")
                % {"n": written + ProjectBeneficiary.objects.count()}
            )
        figures = compute_figures(scope=scope, as_of=as_of)
        if options["recompute"]:
            self._recompute(figures, scope=scope, as_of=as_of)
            return
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
            if options["check"]:
                self._check(figures, self.stderr)
            return
        baseline = baseline_date()
        self.stdout.write(
            _("%(scope)s（%(code)s）截至 %(as_of)s")
            % {"scope": scope.name, "code": scope.code, "as_of": as_of.isoformat()}
        )
        if baseline is not None:
            self.stdout.write(_("基期：%(date)s") % {"date": baseline.isoformat()})
        # The breakdowns' labels: by organisation type, target group, case stage, service type…
        labels = part_labels()
        grades = labels["_grades"]
        for key, label in FIGURE_LABELS.items():
            value = figures[key]
            if isinstance(value, dict):
                self.stdout.write(f"{label}：")
                for part, count in value.items():
                    if isinstance(count, dict) and "goal" in count:
                        shown = _("%(done)s / %(goal)s（%(percent)s）") % {
                            "done": count["done"],
                            "goal": count["goal"],
                            "percent": "—" if count["percent"] is None else f"{count['percent']}%",
                        }
                    elif isinstance(count, dict):
                        shown = " · ".join(f"{grades.get(k, k)} {n}" for k, n in count.items())
                    else:
                        shown = "—" if count is None else count
                    self.stdout.write(f"  {labels[key].get(part, part)}：{shown}")
            else:
                self.stdout.write(f"{label}：{'—' if value is None else value}")
        if options["check"]:
            self._check(figures, self.stdout)

    def _recompute(self, figures: dict[str, Any], **where: Any) -> None:
        """Every figure again from the records, compared with the rollups' (and the table itself)."""
        recounted = compute_figures(**where, recompute=True)
        gaps = [key for key in FIGURE_LABELS if figures[key] != recounted[key]]
        for key in gaps:
            ours, theirs = figures[key], recounted[key]
            if isinstance(ours, dict) and isinstance(theirs, dict):  # name the parts that differ
                parts = sorted(
                    part for part in ours.keys() | theirs.keys() if ours.get(part) != theirs.get(part)
                )
                pairs = [
                    (f"{FIGURE_LABELS[key]} · {part}", ours.get(part), theirs.get(part)) for part in parts
                ]
            else:
                pairs = [(str(FIGURE_LABELS[key]), ours, theirs)]
            for label, rollup, records in pairs:
                self.stdout.write(
                    _("✗ %(label)s：汇总 %(rollup)s，原始记录 %(records)s")
                    % {"label": label, "rollup": rollup, "records": records}
                )
        differences = rollups.differences() + served.differences()
        for difference in differences[:20]:
            self.stdout.write(self._difference(difference))
        if gaps or differences:
            raise CommandError(
                _(
                    "汇总与原始记录不一致：%(figures)s 项指标、%(rows)s 行汇总。"
                    "请运行 sanqu figures --rebuild-rollups。"
                )
                % {"figures": len(gaps), "rows": len(differences)}
            )
        self.stdout.write(_("全部 %(n)s 项指标按原始记录重算，与汇总一致。") % {"n": len(FIGURE_LABELS)})

    @staticmethod
    def _difference(difference: rollups.Difference) -> str:
        """One rollup row that disagrees with the records, for people."""
        if difference.table == "project days":
            project, day = difference.key
            return _(
                "✗ 项目服务对象日汇总（项目 %(project)s，%(day)s）："
                "首次服务 %(expected)s 人，汇总 %(found)s 人"
            ) % {
                "project": project,
                "day": day.isoformat(),
                "expected": difference.expected,
                "found": difference.found,
            }
        if difference.table == "projects":
            project, person = difference.key
            return _(
                "✗ 项目服务对象（项目 %(project)s，服务对象 %(person)s）："
                "记录首次服务 %(expected)s，汇总 %(found)s"
            ) % {
                "project": project,
                "person": person,
                "expected": difference.expected or _("无"),
                "found": difference.found or _("无"),
            }
        county, part, span, day = difference.key
        where = {
            "county": county,
            "part": part if part is not None else _("全部"),
            "period": day.strftime("%Y-%m") if span == ServiceRollup.Span.MONTH else day.isoformat(),
        }
        if difference.table == "beneficiaries":
            return _(
                "✗ 服务对象汇总（区县 %(county)s，类别 %(part)s，%(period)s）："
                "记录 %(expected)s 人，汇总 %(found)s 人"
            ) % {**where, "expected": difference.expected, "found": difference.found}
        if difference.table == "stages":
            return _(
                "✗ 个案阶段汇总（区县 %(county)s，阶段 %(part)s，%(period)s）："
                "记录增减 %(expected)s 个，汇总 %(found)s 个"
            ) % {**where, "expected": difference.expected, "found": difference.found}
        return _(
            "✗ 汇总（区县 %(county)s，服务类型 %(kind)s，%(period)s）："
            "记录 %(expected)s 次，汇总 %(found)s 次"
        ) % {
            **where,
            "kind": part,
            "expected": difference.expected.records,
            "found": difference.found.records,
        }

    def _check(self, figures: dict[str, Any], out: Any) -> None:
        """The consistency checks (on stderr after JSON); a check that fails makes the exit code 1."""
        checks = consistency_checks(figures)
        failed = [check for check in checks if not check.ok]
        out.write(
            _("自检：%(ok)s 项通过，%(failed)s 项不符")
            % {"ok": len(checks) - len(failed), "failed": len(failed)}
        )
        for check in checks:
            mark = "✓" if check.ok else "✗"
            out.write(f"  {mark} {check.label}（{check.left} {check.relation} {check.right}）")
        if failed:
            raise CommandError(_("有 %(n)s 项自检不符。") % {"n": len(failed)})
