"""GB 11643 check: properties over generated numbers."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from sanqu.lib import idnumber

ADDRESSES = st.sampled_from(["500229", "500101", "500234", "500232", "500384", "110105", "510104"])
BIRTHS = st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2010, 12, 31))
SEQUENCES = st.integers(min_value=0, max_value=999)


@st.composite
def numbers(draw: st.DrawFn) -> str:
    return idnumber.make(draw(ADDRESSES), draw(BIRTHS), draw(SEQUENCES))


@given(numbers())
def test_it_accepts_generated_numbers_including_obsolete_address_codes(number: str) -> None:
    assert idnumber.validate(number) == number


@given(numbers())
def test_it_accepts_a_lower_case_x_and_stores_it_upper_case(number: str) -> None:
    assert idnumber.validate(number.lower()) == number


@given(numbers(), st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_it_refuses_any_single_character_change(number: str, position: int, replacement: str) -> None:
    changed = number[:position] + replacement + number[position + 1 :]
    if changed != number:
        assert not idnumber.is_valid(changed)


@given(numbers())
def test_it_normalises_full_width_digits_and_spaces(number: str) -> None:
    full_width = "".join(chr(ord(char) + 0xFEE0) for char in number)
    assert idnumber.validate(f" {full_width[:6]} {full_width[6:]} ") == number


@given(
    ADDRESSES, st.integers(min_value=1950, max_value=2000), st.integers(min_value=13, max_value=99), SEQUENCES
)
def test_it_refuses_a_birth_date_that_does_not_exist(
    address: str, year: int, month: int, sequence: int
) -> None:
    first17 = f"{address}{year}{month:02d}01{sequence:03d}"
    assert not idnumber.is_valid(first17 + idnumber.check_character(first17))


def test_it_refuses_the_30th_of_february_and_a_future_birth() -> None:
    first17 = "50022919900230123"
    assert not idnumber.is_valid(first17 + idnumber.check_character(first17))
    future = idnumber.make("500229", dt.date(2024, 1, 1), 1)
    assert idnumber.is_valid(future)
    try:
        idnumber.validate(future, today=dt.date(2023, 1, 1))
    except idnumber.InvalidIdNumber as error:
        assert error.reason == "birth_date"
    else:
        raise AssertionError("a birth date after today was accepted")


def test_a_baby_born_today_in_beijing_is_accepted_whatever_the_machine_clock() -> None:
    # At 20:00 UTC it is already the next day in Beijing: the machine's date must not refuse the baby.
    evening = dt.datetime(2026, 11, 26, 20, 0, tzinfo=dt.UTC)
    beijing_today = evening.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    number = idnumber.make("500229", beijing_today, 1)
    with mock.patch.object(idnumber.dt, "datetime", wraps=dt.datetime) as clock:
        clock.now.return_value = evening
        assert idnumber.is_valid(number)
        assert not idnumber.is_valid(idnumber.make("500229", beijing_today + dt.timedelta(days=1), 1))


def test_it_masks_all_but_the_address_and_the_last_four() -> None:
    assert idnumber.mask("50022919900517100X") == "500229********100X"
