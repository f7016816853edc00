"""Fuzzing the parsers that take what people type or upload: ID numbers, credit codes, ledger files and
the publishing guard. Whatever comes in, each answers as documented — a value, a refusal with a
reason — and never with an unhandled exception.

`make test` runs a short campaign (hypothesis's default number of examples); `make fuzz` runs the
same properties for longer (HYPOTHESIS_PROFILE=fuzz: many more examples, new ones each run).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sanqu.ledgers.kinds import KINDS
from sanqu.ledgers.reading import LedgerFileError, read_ledger
from sanqu.ledgers.tests.test_importing import GOOD, HEADER, ledger
from sanqu.lib import creditcode, idnumber
from sanqu.publicity import guard

pytestmark = pytest.mark.django_db  # a ledger's regions and lists are looked up in the database

TODAY = dt.date(2018, 7, 10)
# The reasons the parsers give, each shown to people in words by the forms and ledgers.
REASONS = {"length", "characters", "region", "birth_date", "check"}
ID_ALPHABET = "0123456789Xx０１２３４５６７８９ \u200b-"
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXYIOSVZ "
ORGANISATIONS = KINDS["organisation"]
# Built once: a workbook carries the time it was saved, so each build differs by a few bytes.
WORKBOOK = ledger(*GOOD)


@given(st.one_of(st.text(), st.text(alphabet=ID_ALPHABET, min_size=15, max_size=20)))
def test_an_id_number_is_accepted_in_its_canonical_form_or_refused_with_a_reason(raw: str) -> None:
    try:
        number = idnumber.validate(raw, today=TODAY)
    except idnumber.InvalidIdNumber as refused:
        assert str(refused) in REASONS
        return
    assert len(number) == 18 and number == number.upper()
    assert number[17] == idnumber.check_character(number[:17])
    assert idnumber.birth_date(number) <= TODAY
    assert idnumber.mask(number).startswith(number[:6]) and "*" in idnumber.mask(number)


@given(
    st.sampled_from(["500229", "500234", "110101"]),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    st.integers(0, 999),
)
def test_a_made_id_number_validates_and_one_changed_character_does_not(
    address: str, born: dt.date, sequence: int
) -> None:
    number = idnumber.make(address, born, sequence)
    assert idnumber.validate(number.lower(), today=TODAY) == number
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert not idnumber.is_valid(wrong)


@given(st.one_of(st.text(), st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=19)))
def test_a_credit_code_is_accepted_or_refused_with_a_reason(raw: str) -> None:
    try:
        code = creditcode.validate(raw)
    except creditcode.InvalidCreditCode as refused:
        assert str(refused) in REASONS
        return
    assert creditcode.is_valid(code) and len(code) == 18


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode("utf-8")


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_any_bytes_as_a_ledger_are_read_or_refused_with_a_reason(data: bytes) -> None:
    for filename in ("台账.xlsx", "台账.csv"):
        try:
            table = read_ledger(data, filename=filename, kind=ORGANISATIONS)
        except LedgerFileError as refused:
            assert str(refused)
        else:
            assert table.header_row >= 1 and table.columns  # the header row was found


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=40)
@given(st.data())
def test_a_damaged_workbook_is_read_or_refused_with_a_reason(data: st.DataObject) -> None:
    original = bytearray(WORKBOOK)
    for _change in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(original) - 1))
        original[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(original) // 2, len(original)))
    try:
        read_ledger(bytes(original[:cut]), filename="台账.xlsx", kind=ORGANISATIONS)
    except LedgerFileError as refused:
        assert str(refused)


@given(st.lists(st.lists(st.text(max_size=30), min_size=0, max_size=9), max_size=6))
def test_any_cells_in_a_csv_ledger_are_read_or_refused(rows: list[list[str]]) -> None:
    assume(all("\x00" not in cell for row in rows for cell in row))
    try:
        read_ledger(_csv(rows), filename="台账.csv", kind=ORGANISATIONS)
    except LedgerFileError as refused:
        assert str(refused)


HTML_BITS = st.sampled_from(
    [
        "<p>", "</p>", "<script>alert(1)</script>", '<a href="http://spam.example.com/">', "</a>",
        '<img src=x onerror="alert(1)">', "<iframe src=//evil>", '<span style="display:none">',
        "澳门", "皇冠", "ｂｅｔ", "\u200b", "博彩", "https://www.gov.cn/", "<h2>", "</h2>", "&lt;", "&#x3c;",
    ]
)  # fmt: skip


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(HTML_BITS, st.text(max_size=20)), max_size=25).map("".join), st.booleans())
def test_the_guard_answers_every_text_with_reasons_and_never_lets_a_script_through(
    text: str, html: bool
) -> None:
    reasons = guard.review(text, html=html)
    assert isinstance(reasons, list) and all(isinstance(reason, str) and reason for reason in reasons)
    cleaned = guard.sanitise(text)
    lowered = cleaned.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "onerror" not in lowered
    if not reasons:
        guard.require_clean("body", text, html=html)
    else:
        with pytest.raises(guard.Refused):
            guard.require_clean("body", text, html=html)


def test_a_workbook_claiming_a_zip_version_from_the_future_is_refused_with_a_reason() -> None:
    # Found by the coverage-guided fuzzer (scripts/fuzz_atheris.py): zipfile raises
    # NotImplementedError for a version it does not know, which was not caught.
    damaged = bytearray(WORKBOOK)
    entry = damaged.index(b"PK\x01\x02")  # the first entry of the central directory
    damaged[entry + 6 : entry + 8] = (148).to_bytes(2, "little")  # "version needed to extract": 14.8
    with pytest.raises(LedgerFileError) as refused:
        read_ledger(bytes(damaged), filename="台账.xlsx", kind=ORGANISATIONS)
    assert str(refused.value)


def test_a_workbook_whose_parts_are_flagged_encrypted_is_read_or_refused_with_a_reason() -> None:
    # Also the fuzzer's: zipfile asks for a password (RuntimeError) to open an entry flagged encrypted.
    damaged = bytearray(WORKBOOK)
    entry = damaged.find(b"PK\x01\x02")
    while entry >= 0:
        damaged[entry + 8] |= 0x01  # general purpose flag, bit 0: encrypted
        entry = damaged.find(b"PK\x01\x02", entry + 4)
    try:
        read_ledger(bytes(damaged), filename="台账.xlsx", kind=ORGANISATIONS)
    except LedgerFileError as refused:
        assert str(refused)
