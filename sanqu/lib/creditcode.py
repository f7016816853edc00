"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

18 characters from a 31-character alphabet (digits and capitals without I, O, Z, S, V): a
registration authority code, an organisation category, a 6-digit administrative division code,
a 9-character organisation code and a check character over the first 17.
"""

from __future__ import annotations

import re
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_SHAPE = re.compile(rf"^[{ALPHABET}]{{18}}$")

# Registration authority (position 1) and the organisation categories (position 2) it uses.
CATEGORIES = {
    "1": "1239",  # organisation code authorities / public institutions
    "5": "1239",  # civil affairs: 1 social group, 2 private non-enterprise unit, 3 foundation
    "9": "123",  # market regulation
}


class InvalidCreditCode(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalise(raw: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw or "")).upper()


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(raw: str) -> str:
    code = normalise(raw)
    if len(code) != 18:
        raise InvalidCreditCode("length")
    if not _SHAPE.match(code):
        raise InvalidCreditCode("characters")
    if not code[2:8].isdigit():
        raise InvalidCreditCode("region")
    if check_character(code[:17]) != code[17]:
        raise InvalidCreditCode("check")
    return code


def is_valid(raw: str) -> bool:
    try:
        validate(raw)
    except InvalidCreditCode:
        return False
    return True


def make(authority_and_category: str, region: str, body: str) -> str:
    """Build a valid code from its parts (for the demo data and tests)."""
    first17 = f"{authority_and_category}{region}{body}"
    return first17 + check_character(first17)
