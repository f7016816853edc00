"""`sanqu demo`: the whole demo loads once for this module and must give the seed table exactly."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Sum

from sanqu.accounts.models import Membership, User
from sanqu.accounts.roles import Role
from sanqu.accounts.scoping import scope_of
from sanqu.demo import plan
from sanqu.figures.engine import compute_figures
from sanqu.lib import creditcode, idnumber
from sanqu.orgs.models import Organisation
from sanqu.projects.models import ProgrammeYear, ReceivingCounty
from sanqu.regions.models import Region, Station
from sanqu.workforce.models import Dispatch, Person, Supervision

PASSWORD = "Demo-password-2018"
AS_OF = dt.date(2018, 7, 10)
SEED_FIGURES = {
    "receiving_counties": 17,
    "dispatched_total": 284,
    "trained_total": 147,
    "organisations_total": 66,
    # The article names 61 agencies and 3 associations; the demo's other two are a foundation
    # and a public institution (丰都's development centre).
    "organisations_by_type": {
        "social_service_agency": 61,
        "association": 3,
        "foundation": 1,
        "public_institution": 1,
        "college": 0,
        "other": 0,
    },
    "counties_with_organisations": 15,
    "organisations_baseline": 2,
    "organisations_added": 64,
    "certified_total": 1077,
    "certified_baseline": 130,
    "certified_growth_multiple": 7.3,
    "incentive_counties": 6,
}


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """Load the demo once, inside a transaction that is rolled back after the module's tests."""
    environment = mock.patch.dict(os.environ, {"SANQU_DEMO_PASSWORD": PASSWORD})
    with django_db_blocker.unblock(), environment, transaction.atomic():
        out = io.StringIO()
        call_command("demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def chongqing(demo: str, db: None) -> Region:
    return Region.objects.get(code="500000")


def figures_json(*args: str) -> dict[str, object]:
    out = io.StringIO()
    call_command("figures", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def seed_figures(figures: dict[str, object]) -> dict[str, object]:
    """The foundation's figures (the seed table) out of all of them."""
    return {key: figures[key] for key in SEED_FIGURES}


def test_it_reproduces_every_figure_of_the_seed_table(chongqing: Region) -> None:
    figures = compute_figures(scope=chongqing, as_of=AS_OF)
    people = figures["dispatched_people"]
    assert seed_figures(figures) == SEED_FIGURES
    assert isinstance(people, int)
    assert 200 < people < 284  # some workers served more than one year
    assert figures_json("--scope", "500000", "--as-of", "2018-07-10") == figures


def test_it_gives_chengkou_its_own_figures(chongqing: Region) -> None:
    chengkou = compute_figures(scope=Region.objects.get(code=plan.CHENGKOU), as_of=AS_OF)
    quotas = ReceivingCounty.objects.filter(county__code=plan.CHENGKOU).aggregate(
        dispatched=Sum("dispatch_quota"), trained=Sum("training_quota")
    )
    assert chengkou["receiving_counties"] == 1
    assert chengkou["dispatched_total"] == quotas["dispatched"]
    assert chengkou["trained_total"] == quotas["trained"]
    assert chengkou["organisations_total"] == 2  # 扬光 (from 2012) and one registered since
    assert chengkou["organisations_baseline"] == 1
    assert chengkou["incentive_counties"] == 0  # not one of the six
    assert figures_json("--scope", "500229", "--as-of", "2018-07-10") == chengkou


def test_it_adds_up_the_county_figures_to_the_municipality(chongqing: Region) -> None:
    total = compute_figures(scope=chongqing, as_of=AS_OF)
    counties = [
        compute_figures(scope=county, as_of=AS_OF)
        for county in Region.objects.filter(code__in=plan.RECEIVING)
    ]
    additive = ("receiving_counties", "dispatched_total", "organisations_total",
                "counties_with_organisations", "organisations_baseline", "incentive_counties")  # fmt: skip
    for key in additive:
        assert sum(figures[key] for figures in counties) == total[key], key  # type: ignore[misc]
    # A former code finds the county: 开县 500234 is 开州区 500154.
    assert (
        figures_json("--scope", "500234", "--as-of", "2018-07-10")
        == counties[
            [county.code for county in Region.objects.filter(code__in=plan.RECEIVING)].index("500154")
        ]
    )


def test_it_plans_six_years_with_quotas_that_add_up(chongqing: Region) -> None:
    years = list(ProgrammeYear.objects.order_by("year"))
    assert [year.year for year in years] == [2013, 2014, 2015, 2016, 2017, 2018]
    assert years[-1].starts_on <= AS_OF
    assert all(year.receiving_counties.count() == 17 for year in years)
    quotas = ReceivingCounty.objects.aggregate(
        dispatched=Sum("dispatch_quota"), trained=Sum("training_quota")
    )
    assert quotas == {"dispatched": 284, "trained": 147}
    for year in years:
        assert year.dispatches.count() == sum(
            year.receiving_counties.values_list("dispatch_quota", flat=True)
        )


def test_it_records_how_dispatches_ended(chongqing: Region) -> None:
    assert not Dispatch.objects.filter(programme_year__year__lt=2018, status=Dispatch.Status.SERVING).exists()
    assert Dispatch.objects.filter(programme_year__year=2018, status=Dispatch.Status.SERVING).count() > 40
    left = Dispatch.objects.filter(status=Dispatch.Status.LEFT_EARLY)
    assert left.exists()
    assert not left.filter(leave_reason="").exists()
    chengkou_share = (
        left.filter(county__code=plan.CHENGKOU).count()
        / Dispatch.objects.filter(county__code=plan.CHENGKOU).count()
    )
    assert chengkou_share < left.count() / 284  # local hires: fewer leave early
    senders = set(Dispatch.objects.values_list("sending_organisation__name", flat=True))
    assert {"重庆扬光社会工作服务中心", "重庆仁爱社会工作服务中心", "重庆城市管理职业学院",
            "重庆市江北区新扬社会工作服务中心"} <= senders  # fmt: skip


def test_it_makes_valid_identifiers_with_period_codes(chongqing: Region) -> None:
    people = list(Person.objects.select_related("county"))
    assert all(idnumber.is_valid(person.id_number) for person in people)
    assert len({person.id_hash for person in people}) == len(people)
    kaizhou = [person.id_number[:6] for person in people if person.county.code == "500154"]
    assert kaizhou and set(kaizhou) == {"500234"}  # everyone born in 开县 before 2016
    organisations = list(Organisation.objects.all())
    assert all(creditcode.is_valid(organisation.credit_code) for organisation in organisations)
    agency = Organisation.objects.get(name="重庆扬光社会工作服务中心")
    assert agency.credit_code[:8] == "52500229"
    xinyang = Organisation.objects.get(name="重庆市江北区新扬社会工作服务中心")
    assert xinyang.home_county.code == "500105"  # 江北 does not receive: not among the 66
    college = Organisation.objects.get(name="重庆城市管理职业学院")
    assert not college.social_work


def test_it_places_stations_in_the_articles_villages(chongqing: Region) -> None:
    for code in (plan.JIMING, plan.XINGHE, plan.YUNAI):
        assert Station.objects.filter(region__code=code).exists(), code
    assert Station.objects.filter(kind=Station.Kind.BASE, region__code__startswith=plan.FENGDU).exists()


def test_it_creates_one_account_per_role(demo: str, db: None) -> None:
    memberships = {m.user.username: m for m in Membership.objects.select_related("user", "region", "person")}
    assert set(memberships) == {"city", "leader", "chengkou", "wanzhou", "yangguang", "worker", "mentor",
                                "editor", "reviewer"}  # fmt: skip
    assert {m.role for m in memberships.values()} == set(Role.values)
    assert all(User.objects.get(username=name).check_password(PASSWORD) for name in memberships)
    worker = memberships["worker"]
    assert worker.region.code == plan.JIMING
    serving = Dispatch.objects.get(person=worker.person, programme_year__year=2018)
    assert serving.status == Dispatch.Status.SERVING
    assert serving.county.code == plan.CHENGKOU
    assert serving.station is not None and serving.station.region.code == plan.JIMING
    mentor = memberships["mentor"]
    assert Supervision.objects.filter(supervisor=mentor.person, supervisee=worker.person).exists()
    assert memberships["yangguang"].organisation is not None
    assert memberships["yangguang"].organisation.name == "重庆扬光社会工作服务中心"
    assert worker.person_id in scope_of(User.objects.get(username="mentor")).person_ids
    assert worker.person is not None
    assert worker.user.display_name == worker.person.name
    assert "密码：Demo-password-2018" in demo
    assert "worker" in demo and "社工" in demo


def test_it_refuses_to_load_over_existing_data(demo: str, db: None) -> None:
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo", stdout=io.StringIO())
    people = Person.objects.count()
    out = io.StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert out.getvalue() == ""
    assert Person.objects.count() == people


def test_it_reloads_the_same_data_on_reset(chongqing: Region) -> None:
    before = list(Person.objects.order_by("id").values_list("name", "id_hash"))
    with mock.patch.dict(os.environ, {"SANQU_DEMO_PASSWORD": PASSWORD}):
        call_command("demo", "--reset", stdout=io.StringIO())
    assert list(Person.objects.order_by("id").values_list("name", "id_hash")) == before
    assert User.objects.filter(username="worker").count() == 1
    figures = compute_figures(scope=Region.objects.get(code="500000"), as_of=AS_OF)
    assert seed_figures(figures) == SEED_FIGURES
