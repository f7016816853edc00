from __future__ import annotations

import datetime as dt

from sanqu.testing import World
from sanqu.workforce.tests.factories import make_dispatch


def test_it_counts_the_days_left_from_the_pinned_working_date(world: World, as_user, settings) -> None:
    make_dispatch(
        person=world.worker_person,
        county=world.chengkou,
        organisation=world.yangguang,
        started_on=dt.date(2018, 3, 1),
        planned_end_on=dt.date(2018, 7, 30),
        station=world.station,
    )
    settings.SANQU_DEMO = True
    settings.SANQU_TODAY = dt.date(2018, 7, 10)

    page = as_user("worker").get("/").content.decode()

    assert 'class="dispatch__days-value">20<' in page
    assert "2018-07-10" in page  # the banner says which day the demo works on
