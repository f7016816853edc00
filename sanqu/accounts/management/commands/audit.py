"""`sanqu audit seal|verify|prune`: the audit log's seals, their verification, and its retention.

- `seal`: hash the entries written since the last seal into chained seals (the scheduler does it hourly);
- `verify`: recompute every seal; exits 1 and names every entry changed, removed or inserted in a sealed
  run, a broken chain, a missing trigger;
- `prune [--dry-run] [--yes]`: delete the entries of whole seals older than SANQU_AUDIT_RETENTION_DAYS
  (never fewer than 180), after verifying; the seals stay, so verification still holds for the rest.

See sanqu/accounts/audit_integrity.py and docs/operations.md.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from sanqu.accounts import audit_integrity
from sanqu.accounts.audit_integrity import AuditIntegrityError

SHOWN_FINDINGS = 200


class Command(BaseCommand):
    help = "Seal the audit log, verify its seals, or prune entries past the retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{seal,verify,prune}")
        actions.add_parser("seal", help="Seal the entries written since the last seal.")
        actions.add_parser("verify", help="Recompute every seal; exit 1 if anything differs.")
        prune = actions.add_parser("prune", help="Delete sealed entries older than the retention period.")
        prune.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        prune.add_argument("--dry-run", action="store_true", help="Only say what would be deleted.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, options["action"])(**options)

    def seal(self, **options: Any) -> None:
        try:
            made = audit_integrity.seal()
        except AuditIntegrityError as error:
            self.stdout.write(str(error))
            return
        latest = audit_integrity.latest_seal()
        if not made:
            self.stdout.write(_("没有新的审计记录需要封存。"))
        else:
            self.stdout.write(
                _("已封存 %(entries)s 条审计记录（%(seals)s 个封存，至记录 #%(last)s）。")
                % {
                    "entries": sum(seal.entry_count for seal in made),
                    "seals": len(made),
                    "last": made[-1].last_entry_id,
                }
            )
        if latest is not None:
            self.stdout.write(
                _("最新封存 #%(seal)s 的哈希：%(hash)s") % {"seal": latest.pk, "hash": latest.hash}
            )

    def verify(self, **options: Any) -> None:
        result = audit_integrity.verify()
        if not result.intact:
            for finding in result.findings[:SHOWN_FINDINGS]:
                self.stderr.write(finding)
            if len(result.findings) > SHOWN_FINDINGS:
                self.stderr.write(
                    _("……另有 %(count)s 处。") % {"count": len(result.findings) - SHOWN_FINDINGS}
                )
            self.stderr.write(
                _("审计记录核验未通过：发现 %(count)s 处问题。") % {"count": len(result.findings)}
            )
            sys.exit(1)
        self.stdout.write(
            _("审计记录完好：%(seals)s 个封存，核验 %(entries)s 条记录；尚未封存 %(pending)s 条。")
            % {"seals": result.seals, "entries": result.entries, "pending": result.pending}
        )
        if result.pruned_through:
            self.stdout.write(_("已清理至记录 #%(through)s。") % {"through": result.pruned_through})
        if result.latest is not None:
            self.stdout.write(
                _("最新封存 #%(seal)s 的哈希：%(hash)s")
                % {"seal": result.latest.pk, "hash": result.latest.hash}
            )

    def prune(self, **options: Any) -> None:
        try:
            plan = audit_integrity.prune_plan()
        except AuditIntegrityError as error:
            raise CommandError(str(error)) from error
        before = timezone.localtime(plan.before).strftime("%Y-%m-%d %H:%M")
        if not plan.seals:
            self.stdout.write(
                _("没有可清理的审计记录：保存期限 %(days)s 天，没有早于 %(before)s 的完整封存尚未清理。")
                % {"days": audit_integrity.retention_days(), "before": before}
            )
            return
        self.stdout.write(
            _(
                "将删除 %(entries)s 条审计记录（封存 #%(first)s–#%(last)s，至记录 #%(through)s），"
                "均早于 %(before)s；封存保留。"
            )
            % {
                "entries": plan.entries,
                "first": plan.seals[0].pk,
                "last": plan.seals[-1].pk,
                "through": plan.through_entry_id,
                "before": before,
            }
        )
        if options["dry_run"]:
            return
        if not options["yes"] and not self.confirm():
            raise CommandError(_("已取消，未删除任何记录。"))
        try:
            record = audit_integrity.prune(actor=None, plan=plan)
        except AuditIntegrityError as error:
            raise CommandError(str(error)) from error
        assert record is not None  # noqa: S101 - the plan had seals
        self.stdout.write(
            _("已删除 %(entries)s 条审计记录，至记录 #%(through)s。")
            % {"entries": record.entry_count, "through": record.through_entry_id}
        )

    def confirm(self) -> bool:
        self.stdout.write(_("删除后无法恢复（备份中仍有）。继续吗？[y/N] "), ending="")
        self.stdout.flush()
        return input().strip().lower() in {"y", "yes", "是"}
