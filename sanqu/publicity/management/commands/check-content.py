"""`sanqu check-content FILE`: would the publishing guard accept this text or HTML file?

The file is read as HTML when its name ends .html/.htm or its content looks like markup, as plain
text otherwise; UTF-8 (with or without a byte-order mark), or GB 18030 when it is not UTF-8.
Exit status: 0 and 可以发布 when the guard accepts it; 1 and the reasons, one a line, when it
refuses it; 2 when the file cannot be read.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sanqu.publicity.guard import review

_MARKUP = re.compile(r"<(?:!doctype|/?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?)>", re.IGNORECASE)


def read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(
            _("无法读取“%(path)s”：%(reason)s") % {"path": path, "reason": error.strerror or error},
            returncode=2,
        ) from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def looks_like_html(path: Path, text: str) -> bool:
    return path.suffix.lower() in {".html", ".htm"} or bool(_MARKUP.search(text))


class Command(BaseCommand):
    help = "Check a text or HTML file with the publishing guard: exit 0 if it may be published, 1 if not."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The text or HTML file to check.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        text = read_text(path)
        reasons = review(text, html=looks_like_html(path, text))
        if not reasons:
            self.stdout.write(_("可以发布"))
            return
        for reason in reasons:
            self.stdout.write(reason)
        sys.exit(1)
