"""`sanqu check-published`: does the public site still show each page as its reviewer approved it?

Every live public page (home page, news centre, columns, news items) is fetched as a reader gets it
(in the process through the whole Django stack, with the site's hostname; or with
`--url http://127.0.0.1:8000` from a server running on this machine), normalised and hashed as at
its approval (sanqu.publicity.published), and compared.
Printed: each page that differs (title, address, when and by whom it was approved, a short unified
diff of the normalised HTML) and each page live without any approval. The city admins then get an
email listing them and each gets an audit entry.
Exit status: 0 and 已发布页面与审核通过时一致 when every page matches; 1 when any does not.

After a deployment that changed the templates: `--accept --by <city admin>` prints the differences,
asks for a confirmation (or `--yes`) and takes what is served now as approved (see
sanqu.publicity.published.accept). A news item live without review is not accepted: it is reviewed.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sanqu.accounts.models import User
from sanqu.publicity import published


class Command(BaseCommand):
    help = (
        "Compare every live news item with what its reviewer approved; report differences and items "
        "published without review to the city admins. Exit 0 if all match, 1 if not."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url",
            metavar="BASE",
            help="Fetch the pages over HTTP from a server on this machine (e.g. http://127.0.0.1:8000).",
        )
        parser.add_argument(
            "--no-report", action="store_true", help="Print only: no email and no audit entry."
        )
        parser.add_argument(
            "--accept",
            action="store_true",
            help="Take what is served now as approved, after a deployment (needs --by).",
        )
        parser.add_argument("--by", metavar="USERNAME", help="The city admin who accepts (with --accept).")
        parser.add_argument("--yes", action="store_true", help="Accept without asking (with --accept).")

    def handle(self, *args: Any, **options: Any) -> None:
        base_url = options["url"]
        if base_url:
            try:
                published.check_loopback(base_url)
            except ValueError as error:
                raise CommandError(
                    _("--url 只能是本机的地址（127.0.0.1、::1 或 localhost）：%(url)s") % {"url": base_url}
                ) from error
        accepter = None
        if options["accept"]:
            try:
                accepter = published.city_admin(options["by"] or "")
            except ValueError:
                raise CommandError(
                    _("--accept 需要用 --by 指定一位在职的市级管理员账号：%(name)s")
                    % {"name": options["by"] or "—"}
                ) from None
        findings = published.check_published(base_url=base_url)
        if not findings:
            self.stdout.write(_("已发布页面与审核通过时一致"))
            return
        for finding in findings:
            self.stdout.write(published.describe(finding))
            for line in finding.diff:
                self.stdout.write("    " + line)
            self.stdout.write("")
        self.stdout.write(_("共 %(count)s 个页面需要核查。") % {"count": len(findings)})
        if accepter is not None:
            self._accept(findings, accepter, ask=not options["yes"])
            return
        if not options["no_report"]:
            published.report(findings)
        sys.exit(1)

    def _accept(self, findings: list[published.Finding], accepter: User, *, ask: bool) -> None:
        if ask:
            answer = input(
                _("以上页面的现状将记为 %(name)s 确认通过。输入 yes 确认：")
                % {"name": accepter.get_username()}
            )
            if answer.strip().lower() != "yes":
                raise CommandError(_("未确认，没有改动。"))
        taken = published.accept(findings, by=accepter)
        self.stdout.write(_("已确认 %(count)s 个页面。") % {"count": len(taken)})
        skipped = len(findings) - len(taken)
        if skipped:
            self.stdout.write(
                _("%(count)s 个页面未确认（未经审核的新闻须走审核流程，或页面打不开）。") % {"count": skipped}
            )
            sys.exit(1)
