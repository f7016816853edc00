"""The demo's work with people, 2013 to 2018-07-10: households, beneficiaries, cases, services.

Everyone served is registered by a dispatched worker serving in the county that day, in a real
village near the worker's station. Cases follow the stage rules the services enforce (no plan
before an assessment, no case service before an approved plan, no closure without an evaluation
unless the person withdrew, moved away or died, no date before the opening or after 2018-07-10);
whatever would fall after the demo's today is not written. Everything is bulk-created.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Model

from sanqu.accounts.models import User
from sanqu.cases.models import (
    Assessment,
    Beneficiary,
    Case,
    CasePlan,
    Closure,
    Evaluation,
    FollowUp,
    GoalAttainment,
    Household,
    Intake,
    PlanGoal,
    Referral,
    ServiceRecord,
    ServiceType,
    TargetGroup,
)
from sanqu.cases.models.beneficiaries import beneficiary_id_hash
from sanqu.demo import plan, wording
from sanqu.demo.builder import Programme
from sanqu.demo.people import FEMALE_CHARACTERS, MALE_CHARACTERS, SURNAMES, PeopleMaker, random_date
from sanqu.lib import idnumber
from sanqu.orgs.models import Organisation
from sanqu.projects.models import ProgrammeYear
from sanqu.regions.models import Region, Station
from sanqu.workforce.models import Dispatch, Person

AS_OF = plan.AS_OF
Stage = Case.Stage


def workday(day: dt.date) -> dt.date:
    """The day itself, or the Monday after a weekend."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def given_name(rng: random.Random, *, male: bool) -> str:
    characters = MALE_CHARACTERS if male else FEMALE_CHARACTERS
    return "".join(rng.choice(characters) for _ in range(1 if rng.random() < 0.2 else 2))


def hours(rng: random.Random, low: float = 0.5, high: float = 3.0) -> Decimal:
    return Decimal(rng.randint(int(low * 2), int(high * 2))) / 2


@dataclass
class Posting:
    """A dispatched worker's term in a county: who, where, from when until when (or today)."""

    person: Person
    county: str
    station: Station | None
    organisation: Organisation
    year: ProgrammeYear
    start: dt.date
    end: dt.date

    def serves_on(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass
class Member:
    """A household member to register: the main group decides age, services and case texts."""

    main: str
    groups: list[str]
    ages: tuple[int, int]
    male: bool
    relation: str


@dataclass
class Work:
    """Everything made, in the order it is saved."""

    households: list[Household] = field(default_factory=list)
    beneficiaries: list[Beneficiary] = field(default_factory=list)
    groups_of: dict[int, list[str]] = field(default_factory=dict)  # id(beneficiary) → group codes
    main_group: dict[int, str] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)
    intakes: list[Intake] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    plans: list[CasePlan] = field(default_factory=list)
    goals: list[PlanGoal] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    attainments: list[GoalAttainment] = field(default_factory=list)
    closures: list[Closure] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    services: list[ServiceRecord] = field(default_factory=list)

    def save(self) -> None:
        """Bulk-insert everything, parents first (bulk_create sets the ids the children need)."""
        batch = 1000
        Household.objects.bulk_create(self.households, batch_size=batch)
        Beneficiary.objects.bulk_create(self.beneficiaries, batch_size=batch)
        groups = {group.code: group.pk for group in TargetGroup.objects.all()}
        through = Beneficiary.target_groups.through
        through.objects.bulk_create(
            [
                through(beneficiary_id=beneficiary.pk, targetgroup_id=groups[code])
                for beneficiary in self.beneficiaries
                for code in self.groups_of[id(beneficiary)]
            ],
            batch_size=batch,
        )
        serials: dict[tuple[str, int], int] = defaultdict(int)
        for case in sorted(self.cases, key=lambda case: case.opened_on):  # numbered in order of opening
            key = (case.county.code, case.opened_on.year)
            serials[key] += 1
            case.number = f"{key[0]}-{key[1]}-{serials[key]:04d}"
        ordered: list[tuple[type[Model], list[Any]]] = [
            (Case, self.cases), (Intake, self.intakes), (Assessment, self.assessments),
            (CasePlan, self.plans), (PlanGoal, self.goals), (Evaluation, self.evaluations),
            (GoalAttainment, self.attainments),
            (Closure, self.closures), (FollowUp, self.follow_ups), (Referral, self.referrals),
            (ServiceRecord, self.services),
        ]  # fmt: skip
        for model, objects in ordered:
            model._default_manager.bulk_create(objects, batch_size=batch)
        self.services = []  # saved; group and community work add their own


class Casework:
    def __init__(
        self, rng: random.Random, programme: Programme, *, worker: Person, mentor_user: User
    ) -> None:
        self.rng = rng
        self.programme = programme
        self.places = programme.places
        self.demo_worker = worker
        self.mentor_user = mentor_user
        self.ids = PeopleMaker.for_database(rng)  # for the county code on ID cards, as of the birth date
        self.work = Work()
        self.groups = {group.code: group for group in TargetGroup.objects.all()}
        self.types = {service_type.code: service_type for service_type in ServiceType.objects.all()}
        typical: dict[str, set[str]] = defaultdict(set)
        for code, group in ServiceType.target_groups.through.objects.values_list(
            "servicetype__code", "targetgroup__code"
        ):
            typical[code].add(group)
        self.general = sorted(code for code in self.types if not typical[code])
        self.typical = dict(typical)
        self.postings: dict[str, list[Posting]] = defaultdict(list)
        for dispatch in Dispatch.objects.select_related(
            "person", "county", "station__region", "sending_organisation", "programme_year"
        ).order_by("pk"):
            code = dispatch.county.code
            self.postings[code].append(
                Posting(
                    person=dispatch.person,
                    county=code,
                    station=dispatch.station,
                    organisation=dispatch.sending_organisation,
                    year=dispatch.programme_year,
                    start=dispatch.started_on,
                    end=min(dispatch.ended_on or AS_OF, AS_OF),
                )
            )
        self.villages_by_township: dict[str, list[Region]] = defaultdict(list)
        for villages in self.places.villages.values():
            for village in villages:
                self.villages_by_township[village.code[:9]].append(village)
        self.station_at: dict[str, Station] = {}  # village code or township code → station
        for stations in programme.stations.values():
            for station in stations:
                self.station_at.setdefault(station.region.code, station)

    # Who serves where ---------------------------------------------------------------------------

    def serving(self, county: str, day: dt.date, *, demo: bool = False) -> list[Posting]:
        return [
            posting
            for posting in self.postings[county]
            if posting.serves_on(day) and (demo or posting.person.pk != self.demo_worker.pk)
        ]

    def worker_on(self, county: str, day: dt.date, prefer: Posting | None) -> Posting | None:
        if prefer is not None and prefer.serves_on(day):
            return prefer
        serving = self.serving(county, day)
        return self.rng.choice(serving) if serving else None

    def station_for(self, village: Region) -> Station | None:
        return self.station_at.get(village.code) or self.station_at.get(village.code[:9])

    def village_near(self, posting: Posting) -> Region:
        rng = self.rng
        station = posting.station
        if station is not None and rng.random() < 0.85:
            region = station.region
            nearby = self.villages_by_township.get(region.code[:9], [])
            if region.level == Region.Level.VILLAGE and rng.random() < 0.5:
                return region
            if nearby:
                return rng.choice(nearby)
        return rng.choice(self.places.villages[posting.county])

    def service_type(self, groups: list[str]) -> ServiceType:
        specific = [
            code
            for code, typical in self.typical.items()
            if typical & set(groups) and (code != "end_of_life_care" or self.rng.random() < 0.05)
        ]
        codes = specific * 2 + self.general
        return self.types[self.rng.choice(codes)]

    # Households and beneficiaries ---------------------------------------------------------------

    def members(self, kind: str) -> tuple[list[Member], bool]:
        """The members to register for a kind of household, and whether the head is one of them."""
        rng = self.rng

        def children(group: str, count: int) -> list[Member]:
            return [
                Member(group, [group], (6, 16), male := rng.random() < 0.52, "儿子" if male else "女儿")
                for _ in range(count)
            ]

        if kind == "grandparents_children":
            male = rng.random() < 0.4
            extra = ["elderly_in_difficulty"] if rng.random() < 0.2 else []
            grandparent = Member(
                "left_behind_elderly",
                ["left_behind_elderly", *extra],
                (60, 82),
                male,
                "父亲" if male else "母亲",
            )
            return [grandparent, *children("left_behind_children", rng.choice((1, 1, 2)))], False
        if kind == "mother_children":
            mother = Member("left_behind_women", ["left_behind_women"], (25, 44), False, "妻子")
            return [mother, *children("left_behind_children", rng.choice((1, 2, 2)))], False
        if kind == "elderly_alone":
            group = rng.choice(("left_behind_elderly", "elderly_in_difficulty"))
            return [Member(group, [group], (62, 90), rng.random() < 0.45, "户主")], True
        if kind == "child_in_difficulty":
            child = children("children_in_difficulty", 1)
            if rng.random() < 0.15:
                child[0].groups.append("disabled")
            if rng.random() < 0.5:
                male = rng.random() < 0.5
                elder = Member("elderly_in_difficulty", ["elderly_in_difficulty"], (60, 80), male, "户主")
                child[0].relation = "孙子" if child[0].male else "孙女"
                return [elder, *child], True
            return child, False
        if kind == "woman_in_difficulty":
            mother = Member("women_in_difficulty", ["women_in_difficulty"], (25, 50), False, "户主")
            return [mother, *children("children_in_difficulty", rng.choice((0, 1)))], True
        if kind == "youth_at_risk":
            male = rng.random() < 0.75
            return [
                Member("youth_at_risk", ["youth_at_risk"], (13, 17), male, "儿子" if male else "女儿")
            ], False
        single = {
            "disabled": ("disabled", (18, 65), 0.55),
            "correction": ("community_correction", (20, 55), 0.85),
            "released": ("released_prisoners", (25, 55), 0.9),
            "other": ("other", (18, 60), 0.5),
        }[kind]
        group, ages, male_share = single
        return [Member(group, [group], ages, self.rng.random() < male_share, "户主")], True

    def household(
        self, posting: Posting, registered: dt.date, *, kind: str | None = None, village: Region | None = None
    ) -> list[Beneficiary]:
        rng = self.rng
        kind = kind or rng.choices(list(plan.HOUSEHOLD_KINDS), weights=list(plan.HOUSEHOLD_KINDS.values()))[0]
        village = village or self.village_near(posting)
        members, head_is_member = self.members(kind)
        surname = rng.choice(SURNAMES)
        poor = rng.random() < plan.POOR_HOUSEHOLD_SHARE
        address = f"{village.name}{rng.randint(1, 11)}组{rng.randint(1, 90)}号"
        county = self.places.counties[posting.county]
        made: list[Beneficiary] = []
        names: list[str] = []
        for member in members:
            born = random_date(
                rng, years_before(registered, member.ages[1] + 1) + dt.timedelta(days=1),
                years_before(registered, member.ages[0]),
            )  # fmt: skip
            mother_surname = member.relation in {"母亲", "妻子"} or (
                member.relation == "户主" and not member.male
            )
            name = (rng.choice(SURNAMES) if mother_surname else surname) + given_name(rng, male=member.male)
            names.append(name)
            while True:
                sequence = rng.randrange(0, 500) * 2 + (1 if member.male else 0)
                number = idnumber.make(self.ids.address_code(county, born), born, sequence)
                if number not in self.ids.numbers:
                    break
            self.ids.numbers.add(number)
            groups = [*member.groups, *(["registered_poor"] if poor else [])]
            adult = born <= years_before(registered, 18)
            beneficiary = Beneficiary(
                name=name,
                id_number=number,
                id_hash=beneficiary_id_hash(number),
                sex=idnumber.sex(number),
                birth_date=born,
                phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
                if adult and rng.random() < 0.6
                else "",
                address=address,
                region=village,
                station=self.station_for(village),
                relation_to_head=member.relation,
                responsible_worker=posting.person,
                registered_on=registered,
                consent_on=registered,
                consent_by=Beneficiary.ConsentBy.SELF,
                health_notes=rng.choice(wording.DISABILITY_NOTES) if "disabled" in groups else "",
                correction_notes=self.correction_note(member.main, registered),
            )
            made.append(beneficiary)
            self.work.groups_of[id(beneficiary)] = groups
            self.work.main_group[id(beneficiary)] = member.main
        head_name = names[0] if head_is_member else surname + given_name(rng, male=True)
        household = Household(head_name=head_name, region=village, address=address, poverty_registered=poor)
        self.work.households.append(household)
        guardian = next((m for m, b in zip(members, made, strict=True) if m.ages[0] >= 25), None)
        for member, beneficiary in zip(members, made, strict=True):
            beneficiary.household = household
            if beneficiary.is_child_on(registered):  # under 14: a guardian consents
                beneficiary.consent_by = Beneficiary.ConsentBy.GUARDIAN
                if guardian is not None and guardian is not member:
                    beneficiary.guardian_name = made[members.index(guardian)].name
                    beneficiary.guardian_relation = {
                        "父亲": "祖父", "母亲": "祖母", "妻子": "母亲"
                    }.get(guardian.relation, "祖父" if guardian.male else "祖母")  # fmt: skip
                else:
                    beneficiary.guardian_name, beneficiary.guardian_relation = head_name, "父亲"
        self.work.beneficiaries.extend(made)
        return made

    def correction_note(self, group: str, registered: dt.date) -> str:
        if group == "community_correction":
            start = registered - dt.timedelta(days=self.rng.randint(10, 200))
            return f"缓刑，社区矫正期 {start.isoformat()} 至 {years_before(start, -2).isoformat()}"
        if group == "released_prisoners":
            return f"{registered.year - self.rng.randint(0, 2)}年刑满释放，服刑期间表现良好"
        return ""

    # Services outside cases ---------------------------------------------------------------------

    def visits(self, beneficiary: Beneficiary, posting: Posting, *, count: int) -> None:
        rng = self.rng
        county = posting.county
        day = beneficiary.registered_on
        current: Posting | None = posting
        for _ in range(count):
            day = workday(day + dt.timedelta(days=rng.randint(20, 90)))
            if day > AS_OF:
                return
            current = self.worker_on(county, day, current)
            if current is None:
                continue
            self.service(beneficiary, current, day, method=ServiceRecord.Method.CASE)

    def service(
        self,
        beneficiary: Beneficiary,
        posting: Posting,
        day: dt.date,
        *,
        method: str,
        case: Case | None = None,
        duration: Decimal | None = None,
    ) -> ServiceRecord:
        rng = self.rng
        record = ServiceRecord(
            served_on=day,
            worker=posting.person,
            method=method,
            service_type=self.service_type(self.work.groups_of[id(beneficiary)]),
            duration_hours=duration if duration is not None else hours(rng),
            place=beneficiary.region.name
            if rng.random() < 0.7
            else (posting.station or beneficiary.region).name,
            notes=rng.choice(wording.SERVICE_NOTES),
            next_step=rng.choice(wording.NEXT_STEPS),
            beneficiary=beneficiary,
            case=case,
            county=self.places.counties[posting.county],
        )
        self.work.services.append(record)
        return record

    # The whole county ---------------------------------------------------------------------------

    def registration_dates(self, count: int) -> list[dt.date]:
        years = list(plan.REGISTRATIONS_BY_YEAR)
        picked = self.rng.choices(years, weights=list(plan.REGISTRATIONS_BY_YEAR.values()), k=count)
        dates = []
        for year in picked:
            start = max(dt.date(year, 1, 5), plan.YEARS[2013][0] + dt.timedelta(days=10))
            end = min(dt.date(year, 12, 20), AS_OF - dt.timedelta(days=3))
            dates.append(workday(random_date(self.rng, start, end)))
        return sorted(dates)

    def county(self, code: str, households: int, open_case: Callable[[Beneficiary, Posting], None]) -> None:
        """Register the county's households; some people get a case, the others visits."""
        rng = self.rng
        for registered in self.registration_dates(households):
            serving = self.serving(code, registered)
            if not serving:
                continue
            posting = rng.choice(serving)
            for beneficiary in self.household(posting, registered):
                main = self.work.main_group[id(beneficiary)]
                if rng.random() < plan.CASE_SHARE[main]:
                    open_case(beneficiary, posting)
                else:
                    self.visits(beneficiary, posting, count=rng.randint(3, 10))
