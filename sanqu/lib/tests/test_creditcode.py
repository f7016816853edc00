"""GB 32100 check: properties over generated unified social credit codes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sanqu.lib import creditcode

PREFIXES = st.sampled_from(["51", "52", "53", "12", "91", "92"])
REGIONS = st.sampled_from(["500229", "500101", "500105", "500234"])
BODIES = st.text(alphabet=creditcode.ALPHABET, min_size=9, max_size=9)


@st.composite
def codes(draw: st.DrawFn) -> str:
    return creditcode.make(draw(PREFIXES), draw(REGIONS), draw(BODIES))


@given(codes())
def test_it_accepts_generated_codes(code: str) -> None:
    assert creditcode.validate(code) == code


@given(codes())
def test_it_accepts_lower_case_and_full_width(code: str) -> None:
    assert creditcode.validate(code.lower()) == code
    full_width = "".join(chr(ord(char) + 0xFEE0) for char in code)
    assert creditcode.validate(full_width) == code


@given(codes(), st.integers(min_value=0, max_value=17), st.sampled_from(creditcode.ALPHABET))
def test_it_refuses_any_single_substitution(code: str, position: int, replacement: str) -> None:
    changed = code[:position] + replacement + code[position + 1 :]
    if changed != code:
        assert not creditcode.is_valid(changed)


def test_it_refuses_letters_outside_the_alphabet_and_wrong_lengths() -> None:
    code = creditcode.make("52", "500229", "MJ0000001")
    assert not creditcode.is_valid(code[:-1])
    assert not creditcode.is_valid(code[:10] + "I" + code[11:])
