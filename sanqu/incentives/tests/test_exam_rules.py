"""The pass rules of the vocational exam, as properties over attempt histories."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sanqu.incentives.exams import (
    FIRST_EXAM_YEAR,
    FIRST_SENIOR_EXAM_YEAR,
    SUBJECTS,
    Attempt,
    Level,
    State,
    Subject,
    next_exam_year,
    passed_year,
    status,
    year_allowed,
)

YEARS = st.integers(min_value=2008, max_value=2020)


def attempts_of(level: Level, *, min_size: int = 0) -> st.SearchStrategy[list[Attempt]]:
    return st.lists(
        st.builds(Attempt, year=YEARS, subject=st.sampled_from(SUBJECTS[level]), passed=st.booleans()),
        min_size=min_size,
        max_size=12,
    )


def passes(history: list[Attempt], subject: Subject) -> set[int]:
    return {a.year for a in history if a.subject == subject and a.passed}


# 初级: both subjects in one exam year.


@given(attempts_of(Level.ASSISTANT))
def test_it_passes_assistant_iff_both_subjects_pass_in_one_year(history: list[Attempt]) -> None:
    ability, practice = SUBJECTS[Level.ASSISTANT]
    same_year = passes(history, ability) & passes(history, practice)
    assert passed_year(Level.ASSISTANT, history) == (min(same_year) if same_year else None)


def test_it_does_not_carry_an_assistant_subject_to_the_next_year() -> None:
    history = [
        Attempt(2015, Subject.ASSISTANT_ABILITY, True),
        Attempt(2016, Subject.ASSISTANT_PRACTICE, True),
    ]
    assert passed_year(Level.ASSISTANT, history) is None
    assert status(Level.ASSISTANT, history, next_year=2017).state == State.NOT_YET


# 中级: all three within two consecutive years.


def some_window_holds_all(history: list[Attempt]) -> int | None:
    """The reference reading: the first year Y such that {Y-1, Y} holds a pass of every subject."""
    for year in range(2000, 2030):
        if all(passes(history, subject) & {year - 1, year} for subject in SUBJECTS[Level.INTERMEDIATE]):
            return year
    return None


@given(attempts_of(Level.INTERMEDIATE))
def test_it_passes_intermediate_iff_some_two_year_window_holds_all_three(history: list[Attempt]) -> None:
    assert passed_year(Level.INTERMEDIATE, history) == some_window_holds_all(history)


def test_it_lets_an_intermediate_pass_lapse_after_two_years() -> None:
    ability, practice, law = SUBJECTS[Level.INTERMEDIATE]
    two_years = [Attempt(2015, ability, True), Attempt(2016, practice, True), Attempt(2016, law, True)]
    assert passed_year(Level.INTERMEDIATE, two_years) == 2016
    three_years = [Attempt(2015, ability, True), Attempt(2016, practice, True), Attempt(2017, law, True)]
    assert passed_year(Level.INTERMEDIATE, three_years) is None


# 高级: the exam, then the review.


@given(attempts_of(Level.SENIOR))
def test_it_passes_senior_iff_a_review_passes_no_earlier_than_an_exam_pass(history: list[Attempt]) -> None:
    exam, review = passes(history, Subject.SENIOR_PRACTICE), passes(history, Subject.SENIOR_REVIEW)
    expected = min((y for y in review if exam and y >= min(exam)), default=None)
    assert passed_year(Level.SENIOR, history) == expected


# What holds at every level.

LEVELS = st.sampled_from(list(Level))


@st.composite
def level_and_history(draw: st.DrawFn) -> tuple[Level, list[Attempt]]:
    level = draw(LEVELS)
    return level, draw(attempts_of(level))


@given(level_and_history(), st.data())
def test_it_never_changes_a_pass_for_a_failed_attempt(
    case: tuple[Level, list[Attempt]], data: st.DataObject
) -> None:
    level, history = case
    failed = Attempt(data.draw(YEARS), data.draw(st.sampled_from(SUBJECTS[level])), False)
    assert passed_year(level, [*history, failed]) == passed_year(level, history)
    assert status(level, [*history, failed], next_year=2021) == status(level, history, next_year=2021)


@given(level_and_history(), st.randoms())
def test_it_ignores_the_order_of_attempts(case: tuple[Level, list[Attempt]], rng) -> None:
    level, history = case
    shuffled = list(history)
    rng.shuffle(shuffled)
    assert passed_year(level, shuffled) == passed_year(level, history)
    assert status(level, shuffled, next_year=2021) == status(level, history, next_year=2021)


@given(level_and_history(), st.data())
def test_it_keeps_a_pass_when_more_is_passed(case: tuple[Level, list[Attempt]], data: st.DataObject) -> None:
    """Passing more subjects never takes a pass away, nor makes it later."""
    level, history = case
    before = passed_year(level, history)
    extra = Attempt(data.draw(YEARS), data.draw(st.sampled_from(SUBJECTS[level])), True)
    after = passed_year(level, [*history, extra])
    if before is not None:
        assert after is not None and after <= before


@given(level_and_history())
def test_it_ignores_other_levels_subjects(case: tuple[Level, list[Attempt]]) -> None:
    level, history = case
    others = [Attempt(2016, s, True) for other in Level if other != level for s in SUBJECTS[other]]
    assert passed_year(level, [*history, *others]) == passed_year(level, history)


# One subject away.


@given(attempts_of(Level.INTERMEDIATE), st.integers(min_value=2009, max_value=2021))
def test_it_finds_intermediate_one_away_from_last_years_passes(
    history: list[Attempt], next_year: int
) -> None:
    history = [a for a in history if a.year < next_year]  # the next exam has not been held
    result = status(Level.INTERMEDIATE, history, next_year=next_year)
    if result.state == State.ONE_AWAY:
        assert result.year == next_year and result.missing is not None
        # Passing the missing subject at the next exam passes the level in that year.
        completed = [*history, Attempt(next_year, result.missing, True)]
        assert passed_year(Level.INTERMEDIATE, completed) == next_year
    elif result.state == State.NOT_YET:
        # No single subject at the next exam would complete a window.
        for subject in SUBJECTS[Level.INTERMEDIATE]:
            assert passed_year(Level.INTERMEDIATE, [*history, Attempt(next_year, subject, True)]) is None
    else:
        assert result.year == passed_year(Level.INTERMEDIATE, history)


def test_it_names_the_missing_subject_and_the_year() -> None:
    ability, practice, law = SUBJECTS[Level.INTERMEDIATE]
    history = [Attempt(2017, ability, True), Attempt(2017, practice, True), Attempt(2017, law, False)]
    result = status(Level.INTERMEDIATE, history, next_year=2018)
    assert (result.state, result.missing, result.year) == (State.ONE_AWAY, law, 2018)
    # A year later the 2017 passes have lapsed.
    assert status(Level.INTERMEDIATE, history, next_year=2019).state == State.NOT_YET


def test_it_puts_a_senior_exam_pass_one_review_away() -> None:
    history = [Attempt(2018, Subject.SENIOR_PRACTICE, True)]
    result = status(Level.SENIOR, history, next_year=2019)
    assert (result.state, result.missing, result.year) == (State.ONE_AWAY, Subject.SENIOR_REVIEW, 2019)
    assert status(Level.SENIOR, [*history, Attempt(2018, Subject.SENIOR_REVIEW, True)], next_year=2019) == (
        status(Level.SENIOR, [Attempt(2018, Subject.SENIOR_REVIEW, True), *history], next_year=2019)
    )


# The exam's years.


def test_it_knows_the_exams_years() -> None:
    today = dt.date(2018, 7, 10)
    assert year_allowed(Level.ASSISTANT, FIRST_EXAM_YEAR, today=today)
    assert not year_allowed(Level.ASSISTANT, FIRST_EXAM_YEAR - 1, today=today)
    assert not year_allowed(Level.INTERMEDIATE, 2019, today=today)
    assert not year_allowed(Level.SENIOR, FIRST_SENIOR_EXAM_YEAR - 1, today=today)
    assert year_allowed(Level.SENIOR, 2018, today=today)
    assert next_exam_year(dt.date(2018, 3, 1)) == 2018
    assert next_exam_year(today) == 2019
