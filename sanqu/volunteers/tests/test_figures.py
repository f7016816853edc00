"""volunteer_hours: service hours on or before the date in the scope's counties, one decimal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanqu.volunteers.figures import volunteer_hours
from sanqu.volunteers.tests.conftest import add_hours

pytestmark = pytest.mark.django_db


def test_it_sums_the_hours_by_scope_and_date(world, chengkou_volunteer, wanzhou_volunteer):
    add_hours(chengkou_volunteer, dt.date(2017, 10, 28), "3.25")
    add_hours(chengkou_volunteer, dt.date(2018, 7, 10), "2")
    add_hours(chengkou_volunteer, dt.date(2018, 7, 11), "5")  # after the date
    add_hours(wanzhou_volunteer, dt.date(2018, 1, 1), "4")
    as_of = dt.date(2018, 7, 10)
    with CaptureQueriesContext(connection) as queries:
        total = volunteer_hours(scope=world.chongqing, as_of=as_of)
    assert len(queries) == 1
    assert total == 9.3  # 3.3 + 2 + 4, one decimal (3.25 is stored as 3.3)
    assert volunteer_hours(scope=world.chengkou, as_of=as_of) == 5.3
    assert volunteer_hours(scope=world.wanzhou, as_of=dt.date(2017, 12, 31)) == 0.0
    assert volunteer_hours(scope=world.jiming, as_of=as_of) == 0.0  # below county level: no counties
