"""Building the demo programme: places, organisations, years, stations and policies.

`build_programme` is the entry point; the people (certified workers, dispatches, trainees) are
made by `sanqu.demo.workforce`. Everything is drawn from one `random.Random(2013)`, never from
today's date, so every run gives the same records and the seed table's figures.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management import CommandError
from django.utils.translation import gettext as _

from sanqu.demo import plan
from sanqu.demo.people import random_date
from sanqu.incentives.models import IncentivePolicy
from sanqu.lib import creditcode
from sanqu.orgs.models import Organisation
from sanqu.projects.models import ProgrammeYear, ReceivingCounty
from sanqu.regions.models import Region, Station
from sanqu.workforce.models import Dispatch


@dataclass
class Places:
    """The regions the demo uses, read once."""

    municipality: Region
    counties: dict[str, Region]  # every county of Chongqing, by code
    townships: dict[str, list[Region]]  # by county code
    villages: dict[str, list[Region]]  # by county code
    by_code: dict[str, Region]

    @property
    def receiving(self) -> list[Region]:
        return [self.counties[code] for code in plan.RECEIVING]

    @classmethod
    def load(cls) -> Places:
        regions = list(Region.objects.filter(path__startswith="50").order_by("code"))
        by_code = {region.code: region for region in regions}
        missing = [code for code in ("500000", *plan.RECEIVING, plan.JIMING, plan.XINGHE, plan.YUNAI)
                   if code not in by_code]  # fmt: skip
        if missing:
            raise CommandError(
                _("区划数据不完整，缺少 %(codes)s：请先运行 load_regions。") % {"codes": "、".join(missing)}
            )
        townships: dict[str, list[Region]] = defaultdict(list)
        villages: dict[str, list[Region]] = defaultdict(list)
        for region in regions:
            if region.level == Region.Level.TOWNSHIP:
                townships[region.code[:6]].append(region)
            elif region.level == Region.Level.VILLAGE:
                villages[region.code[:6]].append(region)
        counties = {region.code: region for region in regions if region.level == Region.Level.COUNTY}
        return cls(by_code["500000"], counties, townships, villages, by_code)


@dataclass
class Programme:
    """What `build_programme` made, for the workforce builder and the demo accounts."""

    places: Places
    years: dict[int, ProgrammeYear]
    organisations: dict[str, Organisation]  # by name
    local_organisations: dict[str, list[Organisation]]  # social-work organisations by county code
    stations: dict[str, list[Station]]  # by county code
    dispatch_counts: dict[int, dict[str, int]]  # year → county code → dispatches
    trainee_counts: dict[int, dict[str, int]]  # year → county code → trainees
    credit_codes: set[str] = field(default_factory=set)

    @property
    def yangguang(self) -> Organisation:
        return self.organisations[plan.YANGGUANG]

    @property
    def jiming_station(self) -> Station:
        return next(station for station in self.stations[plan.CHENGKOU] if station.region.code == plan.JIMING)


def allocate(rng: random.Random, total: int, *, minimum: int) -> dict[str, int]:
    """Spread a total over the receiving counties: `minimum` each, the rest by county weight."""
    codes = list(plan.RECEIVING)
    counts = dict.fromkeys(codes, minimum)
    for code in rng.choices(
        codes, weights=[plan.WEIGHTS[code] for code in codes], k=total - minimum * len(codes)
    ):
        counts[code] += 1
    return counts


def organisation_prefix(county: Region) -> str:
    """重庆市万州区… for a district, 城口县… or 秀山土家族苗族自治县… for a county."""
    return f"重庆市{county.name}" if county.name.endswith("区") else county.name


def _credit_code(rng: random.Random, used: set[str], authority_and_category: str, county: str) -> str:
    while True:
        if authority_and_category.startswith("5"):  # civil affairs: MJ + 7 characters
            body = "MJ" + "".join(rng.choice(creditcode.ALPHABET) for _ in range(7))
        else:  # public institutions: a 9-digit organisation code
            body = f"{rng.randrange(10**8, 10**9)}"
        code = creditcode.make(authority_and_category, county, body)
        if code not in used:
            used.add(code)
            return code


CREDIT_PREFIX: dict[str, str] = {
    Organisation.Kind.SOCIAL_SERVICE_AGENCY: "52",
    Organisation.Kind.ASSOCIATION: "51",
    Organisation.Kind.FOUNDATION: "53",
    Organisation.Kind.PUBLIC_INSTITUTION: "12",
    Organisation.Kind.COLLEGE: "12",
}


def _registration_date(rng: random.Random) -> dt.date:
    """When one of the 64 organisations founded since the programme began was registered."""
    year = rng.choices(range(2013, 2019), weights=[6, 9, 11, 13, 14, 8])[0]
    return random_date(rng, dt.date(year, 1, 10), min(dt.date(year, 12, 20), dt.date(2018, 6, 29)))


def build_organisations(rng: random.Random, places: Places, used: set[str]) -> list[Organisation]:
    made: list[Organisation] = []

    def add(county: str, name: str, kind: str, registered: dt.date, **extra: object) -> None:
        home = places.counties[county]
        made.append(
            Organisation(
                name=name,
                kind=kind,
                home_county=home,
                registered_on=registered,
                credit_code=_credit_code(rng, used, CREDIT_PREFIX[kind], county),
                supervising_unit="" if kind == Organisation.Kind.COLLEGE else f"{home.name}民政局",
                **extra,
            )
        )

    for county, name, kind, social_work, registered in plan.SENDERS:
        add(county, name, kind, registered, social_work=social_work)
    for county, name, kind, registered in plan.NAMED_ORGANISATIONS:
        add(county, name, kind, registered)
    for county, name, registered, deregistered in plan.DEREGISTERED:
        add(county, name, Organisation.Kind.SOCIAL_SERVICE_AGENCY, registered, deregistered_on=deregistered)
    taken = {organisation.name for organisation in made}
    for county, total in plan.ORGANISATIONS.items():
        named = sum(1 for named_county, *_ in plan.NAMED_ORGANISATIONS if named_county == county)
        prefix = organisation_prefix(places.counties[county])
        names = [f"{prefix}{word}社会工作服务中心" for word in plan.ORGANISATION_WORDS]
        for name in rng.sample([name for name in names if name not in taken], total - named):
            add(county, name, Organisation.Kind.SOCIAL_SERVICE_AGENCY, _registration_date(rng))
    return Organisation.objects.bulk_create(made)


def build_years(rng: random.Random, places: Places) -> tuple[dict[int, ProgrammeYear], dict, dict]:
    years: dict[int, ProgrammeYear] = {}
    dispatch_counts: dict[int, dict[str, int]] = {}
    trainee_counts: dict[int, dict[str, int]] = {}
    for year, (starts_on, dispatched, trained) in plan.YEARS.items():
        years[year] = ProgrammeYear(
            year=year, starts_on=starts_on, ends_on=Dispatch.default_planned_end(starts_on)
        )
        dispatch_counts[year] = allocate(rng, dispatched, minimum=2)
        trainee_counts[year] = allocate(rng, trained, minimum=1)
    ProgrammeYear.objects.bulk_create(years.values())
    ReceivingCounty.objects.bulk_create(
        ReceivingCounty(
            programme_year=years[year],
            county=places.counties[code],
            dispatch_quota=dispatch_counts[year][code],
            training_quota=trainee_counts[year][code],
        )
        for year in years
        for code in plan.RECEIVING
    )
    return years, dispatch_counts, trainee_counts


def build_stations(
    rng: random.Random,
    places: Places,
    local: dict[str, list[Organisation]],
    organisations: dict[str, Organisation],
) -> dict[str, list[Station]]:
    """A township station and three or four village rooms in each receiving county."""
    made: dict[str, list[Station]] = defaultdict(list)
    first_day = plan.YEARS[2013][0]
    for code in plan.RECEIVING:
        county = places.counties[code]
        township = (
            places.by_code[plan.JIMING] if code == plan.CHENGKOU else rng.choice(places.townships[code])
        )
        named = [places.by_code[village] for village in (plan.XINGHE, plan.YUNAI) if village.startswith(code)]
        others = [village for village in places.villages[code] if village not in named]
        villages = named + rng.sample(others, 3 - len(named))
        operators = local.get(code, [])
        made[code].append(
            Station(
                name=f"{township.name}社会工作站",
                kind=Station.Kind.STATION,
                region=township,
                organisation=organisations[plan.YANGGUANG] if code == plan.CHENGKOU else None,
                opened_on=first_day,
            )
        )
        for village in villages:
            made[code].append(
                Station(
                    name=f"{village.name}社会工作室",
                    kind=Station.Kind.ROOM,
                    region=village,
                    organisation=rng.choice(operators) if operators and rng.random() < 0.5 else None,
                    opened_on=random_date(rng, first_day, dt.date(2016, 12, 31)),
                )
            )
        if code == plan.FENGDU:  # 丰都's development base, in the county seat
            made[code].append(
                Station(
                    name=f"{county.name}社会工作发展基地",
                    kind=Station.Kind.BASE,
                    region=places.townships[code][0],
                    organisation=organisations["丰都县社会工作发展中心"],
                    opened_on=dt.date(2015, 6, 18),
                )
            )
    for stations in made.values():
        for station in stations:  # a room is run by an organisation that exists by then
            operator = station.organisation
            if operator is not None and station.opened_on and operator.registered_on > station.opened_on:
                station.opened_on = operator.registered_on
    Station.objects.bulk_create([station for stations in made.values() for station in stations])
    return dict(made)


def build_policies(places: Places) -> None:
    IncentivePolicy.objects.bulk_create(
        IncentivePolicy(
            county=places.counties[code],
            name=name,
            kind=kind,
            effective_from=start,
            effective_until=until,
            amount=Decimal(amount),
        )
        for code, name, kind, start, until, amount in plan.POLICIES
    )


def build_programme(rng: random.Random) -> Programme:
    places = Places.load()
    credit_codes: set[str] = set()
    organisations = {
        organisation.name: organisation for organisation in build_organisations(rng, places, credit_codes)
    }
    local: dict[str, list[Organisation]] = defaultdict(list)
    for organisation in organisations.values():
        county = organisation.home_county.code
        if organisation.social_work and county in plan.RECEIVING and organisation.deregistered_on is None:
            local[county].append(organisation)
    years, dispatch_counts, trainee_counts = build_years(rng, places)
    stations = build_stations(rng, places, local, organisations)
    build_policies(places)
    return Programme(
        places=places,
        years=years,
        organisations=organisations,
        local_organisations=dict(local),
        stations=stations,
        dispatch_counts=dispatch_counts,
        trainee_counts=trainee_counts,
        credit_codes=credit_codes,
    )
