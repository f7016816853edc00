from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from sanqu.testing import World
from sanqu.workforce.models import Dispatch
from sanqu.workforce.tests.factories import make_year


def test_it_explains_in_chinese_why_an_early_leaver_needs_a_reason(world: World) -> None:
    dispatch = Dispatch(
        person=world.worker_person,
        programme_year=make_year(year=2018, counties=[world.chengkou]),
        sending_organisation=world.yangguang,
        county=world.chengkou,
        started_on=dt.date(2018, 3, 1),
        planned_end_on=dt.date(2019, 2, 28),
        status=Dispatch.Status.LEFT_EARLY,
    )

    with pytest.raises(ValidationError) as refused:
        dispatch.full_clean()

    assert "提前离岗须填写离岗原因。" in str(refused.value)
