"""The pass rules of the national social-worker vocational exam (社会工作者职业水平考试), as pure functions.

Nothing here reads the database: each function takes a person's attempt history (any iterable of
`Attempt`, in any order) and answers for one level. The rules, as the exam's regulations state them:

- 初级 (助理社会工作师): both subjects, 社会工作综合能力（初级） and 社会工作实务（初级）, passed in the
  *same* exam year. A pass does not carry over: someone who passed one subject last year sits both
  again, so nobody is "one subject away" from 初级.
- 中级 (社会工作师): the three subjects (综合能力, 实务, 法规与政策) passed within a rolling window of two
  consecutive exam years. The level is passed in year Y when every subject has a pass in Y-1 or Y;
  a pass in year Y-1 still counts in year Y and lapses after it.
- 高级 (高级社会工作师): the 高级社会工作实务 exam passed, then the review (评审) passed in the same or a
  later year. The level is passed in the year of that review.

An attempt is one subject sat in one exam year with its result; failed attempts never help and
never hurt. The exam is held once a year (in June), so the first year someone can still take a
missing subject is `next_exam_year(today)`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

# The national exam was first held in 2008; the senior exam (and its review) in 2018.
FIRST_EXAM_YEAR = 2008
FIRST_SENIOR_EXAM_YEAR = 2018
# 中级: every subject must be passed within this many consecutive exam years.
INTERMEDIATE_WINDOW_YEARS = 2
# The exam of a year is over by this day (it is held in mid-June); after it, the next is next year's.
EXAM_OVER_BY = (6, 30)
# A subject is passed with at least this score (out of 100).
PASS_MARK = 60


class Level(StrEnum):
    """The same codes as `Certificate.Level`."""

    ASSISTANT = "assistant"
    INTERMEDIATE = "intermediate"
    SENIOR = "senior"


class Subject(StrEnum):
    ASSISTANT_ABILITY = "assistant_ability"
    ASSISTANT_PRACTICE = "assistant_practice"
    INTERMEDIATE_ABILITY = "intermediate_ability"
    INTERMEDIATE_PRACTICE = "intermediate_practice"
    INTERMEDIATE_LAW = "intermediate_law"
    SENIOR_PRACTICE = "senior_practice"
    SENIOR_REVIEW = "senior_review"


SUBJECTS: dict[Level, tuple[Subject, ...]] = {
    Level.ASSISTANT: (Subject.ASSISTANT_ABILITY, Subject.ASSISTANT_PRACTICE),
    Level.INTERMEDIATE: (
        Subject.INTERMEDIATE_ABILITY,
        Subject.INTERMEDIATE_PRACTICE,
        Subject.INTERMEDIATE_LAW,
    ),
    Level.SENIOR: (Subject.SENIOR_PRACTICE, Subject.SENIOR_REVIEW),
}
LEVEL_OF: dict[Subject, Level] = {
    subject: level for level, subjects in SUBJECTS.items() for subject in subjects
}
# The review is judged by a panel, with no score.
SCORED = frozenset(LEVEL_OF) - {Subject.SENIOR_REVIEW}


@dataclass(frozen=True)
class Attempt:
    year: int
    subject: str
    passed: bool


class State(StrEnum):
    PASSED = "passed"
    ONE_AWAY = "one_away"
    NOT_YET = "not_yet"


@dataclass(frozen=True)
class Status:
    """Where a person stands at a level: passed in `year`; one `missing` subject away, to pass by
    `year`; or not yet."""

    state: State
    year: int | None = None
    missing: Subject | None = None


def first_exam_year(level: str) -> int:
    return FIRST_SENIOR_EXAM_YEAR if level == Level.SENIOR else FIRST_EXAM_YEAR


def next_exam_year(today: dt.date) -> int:
    """The first exam year still to come: this year's until the exam is over, then next year's."""
    return today.year if (today.month, today.day) <= EXAM_OVER_BY else today.year + 1


def year_allowed(level: str, year: int, *, today: dt.date) -> bool:
    """Whether an attempt at the level can be dated in the year: the exam existed and the year has come."""
    return first_exam_year(level) <= year <= today.year


def _passes(level: Level, attempts: Iterable[Attempt]) -> dict[Subject, set[int]]:
    """subject → the years it was passed in (for the level's subjects only)."""
    years: dict[Subject, set[int]] = {subject: set() for subject in SUBJECTS[level]}
    for attempt in attempts:
        if attempt.passed and attempt.subject in years:
            years[Subject(attempt.subject)].add(attempt.year)
    return years


def passed_year(level: str, attempts: Iterable[Attempt]) -> int | None:
    """The first exam year in which the level was passed, by its rule (None if never)."""
    lvl = Level(level)
    passes = _passes(lvl, attempts)
    if lvl == Level.ASSISTANT:
        both = set.intersection(*passes.values())
        return min(both) if both else None
    if lvl == Level.INTERMEDIATE:
        candidates = sorted(set().union(*passes.values()))
        for year in candidates:  # a window can only be completed in a year holding some pass
            window = range(year - INTERMEDIATE_WINDOW_YEARS + 1, year + 1)
            if all(any(y in window for y in years) for years in passes.values()):
                return year
        return None
    exams, reviews = passes[Subject.SENIOR_PRACTICE], passes[Subject.SENIOR_REVIEW]
    if not exams:
        return None
    after_exam = [year for year in reviews if year >= min(exams)]
    return min(after_exam) if after_exam else None


def status(level: str, attempts: Iterable[Attempt], *, next_year: int) -> Status:
    """Passed (with the year), one subject away (which, and the exam year to pass it by), or not yet.

    `next_year` is the first exam year still to come (`next_exam_year(today)`).
    - 中级: one away when two of the three subjects have a pass in `next_year - 1`, the only year
      whose passes still count in a window ending in `next_year`.
    - 高级: one away when the exam is passed and the review is not: the review, by `next_year`.
    - 初级: never one away (see the module docstring).
    """
    history = list(attempts)
    lvl = Level(level)
    year = passed_year(lvl, history)
    if year is not None:
        return Status(State.PASSED, year=year)
    passes = _passes(lvl, history)
    if lvl == Level.INTERMEDIATE:
        carried = next_year - INTERMEDIATE_WINDOW_YEARS + 1
        missing = [subject for subject, years in passes.items() if not any(y >= carried for y in years)]
        if len(missing) == 1:
            return Status(State.ONE_AWAY, year=next_year, missing=missing[0])
    elif lvl == Level.SENIOR and passes[Subject.SENIOR_PRACTICE]:
        return Status(State.ONE_AWAY, year=next_year, missing=Subject.SENIOR_REVIEW)
    return Status(State.NOT_YET)
