"""Reading a rendered report back as a reader would: its text, its links and its headings."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Read:
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, href)
    headings: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.read = Read()
        self.skip = 0  # inside <style>, <title> or <svg>
        self.href: str | None = None
        self.link_text = ""
        self.heading: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"style", "title", "svg"}:
            self.skip += 1
        elif tag == "a" and not self.skip:
            self.href, self.link_text = dict(attrs).get("href") or "", ""
        elif tag in {"h1", "h2", "h3"}:
            self.heading = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in {"style", "title", "svg"}:
            self.skip -= 1
        elif tag == "a" and self.href is not None:
            self.read.links.append((self.link_text, self.href))
            self.href = None
        elif tag in {"h1", "h2", "h3"} and self.heading is not None:
            self.read.headings.append(self.heading)
            self.heading = None

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.read.text += data
        if self.href is not None:
            self.link_text += data
        if self.heading is not None:
            self.heading += data


def read(html: str) -> Read:
    reader = _Reader()
    reader.feed(html)
    return reader.read


def poppler(tool: str, *args: str) -> str:
    """The output of a poppler-utils tool (pdftotext, pdfinfo, pdffonts) run on a test's own file."""
    import shutil
    import subprocess

    executable = shutil.which(tool)
    assert executable, f"{tool} is not installed (poppler-utils)"
    return subprocess.run([executable, *args], capture_output=True, check=True, text=True).stdout  # noqa: S603
