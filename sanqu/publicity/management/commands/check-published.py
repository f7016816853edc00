"""`sanqu check-published`: does the public site still show each news item as its reviewer approved it?

Every live public news item is fetched as a reader gets it (in the process through the whole Django
stack, with the site's hostname; or with `--url http://127.0.0.1:8000` from a server running on this
machine), normalised and hashed as at its approval (sanqu.publicity.published), and compared.
Printed: each item that differs (title, address, when and by whom it was approved, a short unified
diff of the normalised HTML) and each item live without any approval. The city admins then get an
email listing them and each gets an audit entry.
Exit status: 0 and 已发布页面与审核通过时一致 when every item matches; 1 when any does not.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

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

    def handle(self, *args: Any, **options: Any) -> None:
        base_url = options["url"]
        if base_url:
            try:
                published.check_loopback(base_url)
            except ValueError as error:
                raise CommandError(
                    _("--url 只能是本机的地址（127.0.0.1、::1 或 localhost）：%(url)s") % {"url": base_url}
                ) from error
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
        if not options["no_report"]:
            published.report(findings)
        sys.exit(1)
