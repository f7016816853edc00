"""certified_by_level and incentive_claims_paid: counted like certified_total, one query each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sanqu.incentives.figures import certified_by_level, incentive_claims_paid
from sanqu.incentives.models import IncentiveClaim
from sanqu.incentives.tests.factories import make_certificate, make_policy
from sanqu.regions.models import Region
from sanqu.testing import World, make_person
from sanqu.workforce.models import Certificate
from sanqu.workforce.tests.factories import make_year

Level = Certificate.Level
AS_OF = dt.date(2018, 7, 10)


def test_it_counts_certified_people_by_level_in_receiving_counties(
    world: World, django_assert_num_queries
) -> None:
    make_year(year=2013, counties=[world.chengkou])  # 万州 is not receiving here
    a, b = make_person("甲", world.chengkou), make_person("乙", world.chengkou)
    make_certificate(a, level=Level.ASSISTANT, obtained_on=dt.date(2014, 11, 1))
    make_certificate(a, level=Level.INTERMEDIATE, obtained_on=dt.date(2016, 11, 1))
    make_certificate(b, level=Level.ASSISTANT, obtained_on=dt.date(2018, 11, 1))  # after the date
    make_certificate(make_person("丙", world.wanzhou, address="500101"))
    with django_assert_num_queries(1):
        figures = certified_by_level(scope=world.chongqing, as_of=AS_OF)
    assert figures == {"assistant": 1, "intermediate": 1, "senior": 0}
    assert certified_by_level(scope=world.wanzhou, as_of=AS_OF) == {
        "assistant": 0,
        "intermediate": 0,
        "senior": 0,
    }
    assert certified_by_level(scope=world.jiming, as_of=AS_OF)["assistant"] == 0
    assert certified_by_level(scope=world.chongqing, as_of=dt.date(2015, 1, 1))["intermediate"] == 0


def test_it_sums_claims_paid_by_the_date(world: World, django_assert_num_queries) -> None:
    policy = make_policy(world.chengkou, rates={Level.ASSISTANT: None, Level.INTERMEDIATE: None})
    person = world.worker_person
    first = make_certificate(person, level=Level.ASSISTANT)
    second = make_certificate(person, level=Level.INTERMEDIATE, obtained_on=dt.date(2018, 1, 5))
    common = {
        "person": person,
        "policy": policy,
        "kind": policy.kind,
        "claimed_on": dt.date(2018, 3, 1),
        "decided_on": dt.date(2018, 3, 5),
    }
    IncentiveClaim.objects.create(
        certificate=first, amount=Decimal("1000.50"), status="paid", paid_on=dt.date(2018, 4, 1), **common
    )
    IncentiveClaim.objects.create(certificate=second, amount=Decimal(800), status="approved", **common)
    with django_assert_num_queries(1):
        paid = incentive_claims_paid(scope=world.chongqing, as_of=AS_OF)
    assert paid == {"count": 1, "amount": "1000.50"}
    assert incentive_claims_paid(scope=world.chongqing, as_of=dt.date(2018, 3, 31)) == {
        "count": 0,
        "amount": "0.00",
    }
    assert incentive_claims_paid(scope=Region.objects.get(code="500101"), as_of=AS_OF)["count"] == 0
