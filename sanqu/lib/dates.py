"""Parsing the date forms people type and Excel holds."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(raw: str) -> dt.date:
    """2018-03-01, 2018/3/1, 2018.3.1 or 2018年3月1日 (full-width digits allowed)."""
    text = unicodedata.normalize("NFKC", raw).strip()
    match = _PATTERN.match(text)
    if not match:
        raise ValueError(f"not a date: {raw!r}")
    year, month, day = (int(part) for part in match.groups())
    return dt.date(year, month, day)
