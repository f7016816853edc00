from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from sanqu.accounts.models import AuditEntry
from sanqu.testing import World, make_person
from sanqu.workforce.models import Dispatch
from sanqu.workforce.services import dispatch_create
from sanqu.workforce.tests.factories import make_year


def test_it_dispatches_a_worker_the_officer_can_see_and_audits_it(world: World) -> None:
    year = make_year(year=2018, counties=[world.chengkou])

    dispatch = dispatch_create(
        actor=world["chengkou"],
        person=world.worker_person,
        programme_year=year,
        sending_organisation=world.yangguang,
        county=world.chengkou,
        started_on=dt.date(2018, 3, 1),
    )

    assert dispatch.planned_end_on == dt.date(2019, 2, 28)
    assert AuditEntry.objects.filter(action="create", object_id=str(dispatch.pk)).exists()


def test_it_refuses_to_dispatch_a_person_outside_the_officers_scope(world: World) -> None:
    year = make_year(year=2018, counties=[world.wanzhou])
    stranger = make_person("赵大勇", world.chengkou)

    with pytest.raises(PermissionDenied):
        dispatch_create(
            actor=world["wanzhou"],
            person=stranger,
            programme_year=year,
            sending_organisation=world.wanzhou_org,
            county=world.wanzhou,
            started_on=dt.date(2018, 3, 1),
        )
    assert not Dispatch.objects.exists()
