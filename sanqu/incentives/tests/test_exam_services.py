"""Recording exam results: the exam's years, the pass mark, one result a subject a year, scope."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sanqu.incentives.models import ExamAttempt
from sanqu.incentives.services import exam_attempt_record
from sanqu.testing import World


def record(world: World, actor: str = "chengkou", **kwargs):
    defaults = {
        "person": world.worker_person,
        "county": world.chengkou,
        "year": 2017,
        "subject": "assistant_ability",
        "score": Decimal(66),
        "passed": True,
    }
    return exam_attempt_record(actor=world[actor], **{**defaults, **kwargs})


def test_it_records_a_result_with_its_level(world: World) -> None:
    attempt = record(world)
    assert (attempt.level, attempt.recorded_by) == ("assistant", world["chengkou"])
    assert record(world, actor="city", year=2016).pk


def test_it_refuses_a_year_outside_the_exams_years_naming_the_rule(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        record(world, year=2007)
    assert error.value.message_dict["year"] == [
        "考试年度 2007 不在考试举行的年度内：全国社会工作者职业水平考试自 2008 年起举行，"
        "且不能晚于当前工作年度 2018 年。"
    ]
    with pytest.raises(ValidationError) as error:
        record(world, year=2019)
    assert "2019" in error.value.message_dict["year"][0]
    with pytest.raises(ValidationError) as error:
        record(world, year=2017, subject="senior_practice")
    assert "高级社会工作师考试与评审自 2018 年起举行" in error.value.message_dict["year"][0]
    assert not ExamAttempt.objects.exists()


def test_it_checks_the_result_against_the_pass_mark(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        record(world, score=Decimal(58), passed=True)
    assert error.value.message_dict["passed"] == ["成绩 58 分与“是否合格”不符：60 分及以上为合格。"]
    with pytest.raises(ValidationError) as error:
        record(world, score=None)
    assert error.value.message_dict["score"] == ["考试科目须填写成绩。"]
    with pytest.raises(ValidationError) as error:
        record(world, year=2018, subject="senior_review", score=Decimal(80))
    assert error.value.message_dict["score"] == ["评审没有分数，只记录是否通过。"]
    assert record(world, year=2018, subject="senior_review", score=None, passed=True).level == "senior"


def test_it_keeps_one_result_per_subject_and_year(world: World) -> None:
    record(world)
    with pytest.raises(ValidationError) as error:
        record(world, score=Decimal(70))
    assert error.value.message_dict["subject"] == ["李晓梅 2017 年度的该科目已有成绩：同一科目每年只考一次。"]
    assert ExamAttempt.objects.count() == 1


def test_it_leaves_recording_to_the_county_and_the_city(world: World) -> None:
    for persona in ("worker", "leader", "yangguang", "mentor", "wanzhou"):
        with pytest.raises(PermissionDenied):
            record(world, actor=persona)
    with pytest.raises(PermissionDenied):
        record(world, county=world.wanzhou)  # the 城口 officer cannot place a result in 万州
    assert not ExamAttempt.objects.exists()
