"""Citizen ID numbers (GB 11643-1999): normalisation and the check character.

An 18-character number is a 6-digit address code, an 8-digit birth date, a 3-digit sequence and a
check character. The address code is what was in force when the card was issued, so obsolete
codes (开县 500234, 武隆县 500232, 南川市 500384, …) are valid: we only require a plausible
province prefix, never a currently existing code.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# Province-level prefixes of GB/T 2260 (including the ones on old cards).
# fmt: off
PROVINCE_PREFIXES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
})
# fmt: on

_SHAPE = re.compile(r"^\d{17}[\dX]$")


class InvalidIdNumber(ValueError):
    """The reason is a short, translatable message key (see `REASONS`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalise(raw: str) -> str:
    """Full-width to half-width, spaces removed, lower-case x made upper-case."""
    text = unicodedata.normalize("NFKC", raw or "")
    return re.sub(r"\s+", "", text).upper()


def check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def birth_date(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def latest_date_anywhere() -> dt.date:
    """Today's date where it is latest (UTC+14): no one alive was born after it."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=14)).date()


def validate(raw: str, *, today: dt.date | None = None) -> str:
    """Return the normalised number, or raise InvalidIdNumber with the reason.

    A birth date after `today` is refused; the platform passes its working date
    (`sanqu.lib.clock.today()`). Without one the bound is `latest_date_anywhere()`, never the
    machine's own date, which lags the bureau's by a day from 16:00 to 24:00 UTC.
    """
    number = normalise(raw)
    if len(number) != 18:
        raise InvalidIdNumber("length")
    if not _SHAPE.match(number):
        raise InvalidIdNumber("characters")
    if number[:2] not in PROVINCE_PREFIXES:
        raise InvalidIdNumber("region")
    try:
        born = birth_date(number)
    except ValueError:
        raise InvalidIdNumber("birth_date") from None
    if born.year < 1900 or born > (today or latest_date_anywhere()):
        raise InvalidIdNumber("birth_date")
    if check_character(number[:17]) != number[17]:
        raise InvalidIdNumber("check")
    return number


def is_valid(raw: str, *, today: dt.date | None = None) -> bool:
    try:
        validate(raw, today=today)
    except InvalidIdNumber:
        return False
    return True


def make(address: str, born: dt.date, sequence: int) -> str:
    """Build a valid number (for the demo data and tests)."""
    first17 = f"{address}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def sex(number: str) -> str:
    """'M' or 'F' from the parity of the sequence code."""
    return "M" if int(number[16]) % 2 else "F"


def mask(number: str) -> str:
    """500101********123X: the address code and the last four characters stay visible."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
