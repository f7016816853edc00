"""Records the workbench and people tests add to the shared test world (`sanqu.testing`)."""

from __future__ import annotations

import datetime as dt

from sanqu.orgs.models import Organisation
from sanqu.projects.models import ProgrammeYear, ReceivingCounty
from sanqu.regions.models import Region, Station
from sanqu.workforce.models import Dispatch, Person


def make_year(*, year: int, counties: list[Region]) -> ProgrammeYear:
    programme_year, _ = ProgrammeYear.objects.get_or_create(
        year=year, defaults={"starts_on": dt.date(year, 1, 1), "ends_on": dt.date(year, 12, 31)}
    )
    for county in counties:
        ReceivingCounty.objects.get_or_create(programme_year=programme_year, county=county)
    return programme_year


def make_dispatch(
    *,
    person: Person,
    county: Region,
    organisation: Organisation,
    started_on: dt.date,
    planned_end_on: dt.date | None = None,
    station: Station | None = None,
    status: str = Dispatch.Status.SERVING,
) -> Dispatch:
    year = make_year(year=started_on.year, counties=[county])
    dispatch = Dispatch(
        person=person,
        programme_year=year,
        sending_organisation=organisation,
        county=county,
        station=station,
        started_on=started_on,
        planned_end_on=planned_end_on or Dispatch.default_planned_end(started_on),
        status=status,
    )
    dispatch.full_clean()
    dispatch.save()
    return dispatch
