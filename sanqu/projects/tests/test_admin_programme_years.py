from __future__ import annotations

import datetime as dt

from django.urls import reverse

from sanqu.projects.models import ProgrammeYear
from sanqu.testing import World


def test_it_lets_the_city_office_switch_off_case_approval_for_a_year(world: World, as_user) -> None:
    year = ProgrammeYear.objects.create(
        year=2018, starts_on=dt.date(2018, 3, 1), ends_on=dt.date(2019, 2, 28)
    )
    url = reverse("wagtailsnippets_projects_programmeyear:edit", args=[year.pk])
    client = as_user("city")
    assert 'name="case_approval_required"' in client.get(url).content.decode()

    response = client.post(url, {"year": "2018", "starts_on": "2018-03-01", "ends_on": "2019-02-28"})

    assert response.status_code == 302
    year.refresh_from_db()
    assert year.case_approval_required is False
