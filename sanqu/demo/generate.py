"""`sanqu generate`: a realistic programme of any size, fast and the same for the same options and seed.

On the region tree (loaded with `load_regions`, as the demo does), it makes programme years ending on
the working date, receiving counties, social-work organisations, stations in townships and villages,
the stations' workers (some dispatched, a term a year), and then, station by station: the people
served (categories in plausible shares, ages that fit, a guardian's consent for children under 14),
cases through the stages in order (intake, assessment, plan and its approval, intervention,
evaluation, closure with a reason), group work with sessions and attendance, and service records
on working days by the station's workers, 0.5 to 4 hours each.

Speed: each station's rows are built as tuples and written with `sanqu.lib.bulk.insert_rows`
(executemany on SQLite, COPY on PostgreSQL) in one transaction per station, with the rollups of
the services, people served and case stages counted in the same transaction (`rollups.count_created`,
`count_created_beneficiaries`, `count_created_cases`) and each project's people served filled in
one pass at the end (`served.rebuild`), so `sanqu figures --recompute` agrees. Ids
are given by the generator (children need their parents' ids without a round trip); PostgreSQL's
sequences are moved past them at the end. Every value comes from one `random.Random(seed)` and from
the working date (`clock.today()`), never from the clock or uuid4: the same options and seed give
the same rows (the ciphertexts differ, their plain text does not;
`digest()` compares what the application reads).
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from typing import Any

from django.core.management import CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sanqu.cases import rollups
from sanqu.cases.models import (
    Assessment,
    Beneficiary,
    BeneficiaryRollup,
    Case,
    CasePlan,
    CaseStageRollup,
    Closure,
    Evaluation,
    FollowUp,
    GoalAttainment,
    Group,
    GroupAttendance,
    GroupMember,
    GroupSession,
    Intake,
    PlanGoal,
    Referral,
    ServiceRecord,
    ServiceRollup,
    ServiceType,
    TargetGroup,
)
from sanqu.cases.models.beneficiaries import CHILD_AGE, beneficiary_id_hash
from sanqu.demo import plan, wording
from sanqu.demo.builder import CREDIT_PREFIX, organisation_prefix
from sanqu.demo.groupwork import GROUP_KINDS, phase_of
from sanqu.demo.loading import flush_domain_data
from sanqu.demo.people import FEMALE_CHARACTERS, MALE_CHARACTERS, SURNAMES
from sanqu.lib import clock, creditcode, idnumber
from sanqu.lib.bulk import insert_rows
from sanqu.orgs.models import Organisation
from sanqu.projects import served
from sanqu.projects.models import (
    ProgrammeYear,
    Project,
    ProjectBeneficiary,
    ProjectPeopleServed,
    ReceivingCounty,
)
from sanqu.regions.models import Region, RegionCode, Station
from sanqu.volunteers.models import VolunteerService
from sanqu.workforce.models import Dispatch, Person, SupervisionSession, id_number_hash

# Choices as plain strings: the database drivers take `str`, not its subclasses.
INTAKE, ASSESSMENT, PLAN, INTERVENTION, EVALUATION, CLOSED = Case.Stage.values
GOAL_MET, WITHDREW, MOVED_AWAY, DIED, OTHER, REFERRED = (
    "goal_met",
    "withdrew",
    "moved_away",
    "died",
    "other",
    "referred",
)


@dataclass(frozen=True)
class Size:
    counties: int
    years: int
    stations_per_county: int
    workers: int  # in all; at least one per station
    beneficiaries: int
    cases_per_beneficiary: float
    services: int
    groups: int


# Chongqing's tree has 38 counties; the national network is about 29,000 stations and 70,000
# workers (2023), about one station per township and two or three workers per station.
PRESETS = {
    "small": Size(2, 2, 3, 9, 1_000, 0.3, 10_000, 10),
    "county": Size(1, 5, 30, 75, 50_000, 0.3, 500_000, 300),
    "province": Size(38, 5, 30, 2_800, 1_000_000, 0.25, 10_000_000, 10_000),
    "national-sample": Size(38, 10, 30, 2_800, 3_000_000, 0.25, 30_000_000, 30_000),
}

# Main category of each person served (share), age range at registration, share of men.
CATEGORIES: dict[str, tuple[float, tuple[int, int], float]] = {
    "left_behind_children": (0.26, (3, 15), 0.52),
    "children_in_difficulty": (0.08, (3, 17), 0.52),
    "left_behind_women": (0.08, (22, 50), 0.0),
    "women_in_difficulty": (0.05, (22, 60), 0.0),
    "left_behind_elderly": (0.20, (60, 88), 0.45),
    "elderly_in_difficulty": (0.10, (60, 92), 0.45),
    "disabled": (0.11, (18, 70), 0.55),
    "youth_at_risk": (0.04, (12, 17), 0.75),
    "community_correction": (0.03, (18, 60), 0.85),
    "released_prisoners": (0.02, (20, 60), 0.9),
    "other": (0.03, (18, 70), 0.5),
}
POOR_SHARE = 0.3  # also registered as a poor household (建档立卡贫困户)
DISPATCHED_SHARE = 0.3  # workers with a yearly dispatch; the others are local workers
# Rows written in one transaction (about 80 MB of tuples): few enough commits that SQLite's WAL is
# not rewriting the same index pages every station, small enough to stay out of swap.
CHUNK_ROWS = 200_000
HOURS = [Decimal(n) / 2 for n in range(1, 9)]  # 0.5 … 4.0
HOUR_WEIGHTS = [10, 22, 22, 18, 12, 8, 5, 3]
GROUP_HOURS = Decimal("1.5")
GUARDIANS = ("祖父", "祖母", "母亲", "父亲")
SENDERS = ("社会工作专业人才服务中心", "社会工作协会", "社会工作服务社")
SENDER_COUNTIES = ("500103", "500106", "500108")  # 渝中, 沙坪坝, 南岸: where dispatched workers come from


def resolve_size(preset: str | None, **given: Any) -> Size:
    """The preset (default small) with every option given on top of it."""
    size = PRESETS[preset or "small"]
    chosen = {name: value for name, value in given.items() if value is not None}
    size = replace(size, **chosen)
    for spec in fields(Size):
        value = getattr(size, spec.name)
        if value < 0 or (value == 0 and spec.name in {"counties", "years", "stations_per_county"}):
            raise CommandError(_("--%(option)s 须为正数。") % {"option": spec.name.replace("_", "-")})
    return size


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class Ids:
    """The next id of each model, from what the database holds (ids are given, not returned)."""

    def __init__(self) -> None:
        self.next: dict[type[models.Model], int] = {}

    def __call__(self, model: type[models.Model]) -> int:
        if model not in self.next:
            self.next[model] = (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
        value = self.next[model]
        self.next[model] = value + 1
        return value


@dataclass
class Rows:
    """Rows of one transaction, by model, in the order they are written (parents first); every row
    starts with its id."""

    columns: dict[Any, Sequence[str]]
    ids: Ids
    rows: dict[Any, list[tuple[Any, ...]]] = field(default_factory=dict)
    # (county id, service type id, day, hours) of the service records among them, for the rollups
    tallies: list[tuple[int, int, dt.date, Decimal]] = field(default_factory=list)

    def add(self, model: Any, *row: Any) -> None:
        """A row whose id the caller took (children point at it)."""
        self.rows.setdefault(model, []).append(row)

    def new(self, model: Any, *row: Any) -> None:
        """A row that nothing points at: it takes the next id."""
        self.rows.setdefault(model, []).append((self.ids(model), *row))

    def write(self) -> int:
        written = 0
        for model, columns in self.columns.items():
            if rows := self.rows.get(model):
                written += insert_rows(model, columns, rows)
        self.rows = {}
        return written


BENEFICIARY_TARGETS = Beneficiary.target_groups.through
GROUP_TARGETS = Group.target_groups.through
COLUMNS: dict[Any, Sequence[str]] = {
    Beneficiary: (
        "id", "name", "id_number", "id_hash", "sex", "birth_date", "phone", "address", "region_id",
        "station_id", "responsible_worker_id", "registered_on", "consent_on", "consent_by", "guardian_name",
        "guardian_relation", "health_notes", "correction_notes",
    ),
    BENEFICIARY_TARGETS: ("id", "beneficiary_id", "targetgroup_id"),
    Case: (
        "id", "number", "beneficiary_id", "worker_id", "organisation_id", "county_id", "station_id",
        "programme_year_id", "approval_required", "opened_on", "stage", "status", "closed_on",
        "last_service_on",
    ),
    Intake: ("id", "case_id", "source", "presenting_problem", "risk_flags", "decision", "decision_reason",
             "recorded_on"),
    Assessment: ("id", "case_id", "assessed_on", "problems_needs", "causes", "strengths_resources"),
    CasePlan: ("id", "case_id", "version", "drafted_on", "schedule", "review_due_on", "status", "reviewed_at",
               "review_comment"),
    PlanGoal: ("id", "plan_id", "goal", "objective", "tasks", "responsible", "due_on"),
    Evaluation: ("id", "case_id", "evaluated_on", "before_measure", "after_measure", "feedback", "summary"),
    GoalAttainment: ("id", "evaluation_id", "goal_id", "level"),
    Closure: ("id", "case_id", "closed_on", "reason", "summary", "follow_up_plan", "status", "reviewed_at"),
    FollowUp: ("id", "case_id", "followed_on", "notes"),
    Referral: (
        "id", "case_id", "referred_on", "to_agency", "reason", "answer_due_on", "status", "answered_on",
        "answer_note",
    ),
    Group: ("id", "name", "county_id", "region_id", "station_id", "organisation_id", "worker_id", "purpose",
            "planned_sessions", "phase", "started_on", "ended_on", "evaluation"),
    GROUP_TARGETS: ("id", "group_id", "targetgroup_id"),
    GroupMember: ("id", "group_id", "beneficiary_id", "joined_on"),
    GroupSession: (
        "id", "group_id", "number", "held_on", "phase", "topic", "duration_hours", "process_notes",
    ),
    GroupAttendance: ("id", "session_id", "member_id", "present"),
    ServiceRecord: (
        "id",
        "served_on", "worker_id", "method", "service_type_id", "duration_hours", "place", "notes",
        "next_step", "beneficiary_id", "case_id", "group_session_id", "county_id",
    ),
}  # fmt: skip

# What the generator writes, children before parents (the reset deletes in this order).
GENERATED: list[Any] = [
    ServiceRecord, GroupAttendance, GroupSession, GroupMember, GROUP_TARGETS, Group, GoalAttainment,
    Evaluation, PlanGoal, CasePlan, Assessment, Intake, Closure, FollowUp, Referral, Case,
    BENEFICIARY_TARGETS, Beneficiary,
]  # fmt: skip


# The places and the people who work there ----------------------------------------------------


@dataclass
class Worker:
    id: int
    name: str


@dataclass
class Place:
    """A station, its villages, its operator and its workers."""

    station: Station
    county: Region
    villages: list[Region]
    organisation_id: int | None
    workers: list[Worker] = field(default_factory=list)


@dataclass
class Stats:
    started: float = field(default_factory=time.monotonic)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    rows: int = 0

    def line(self, what: str, pending: int) -> str:
        """Rows made so far (written, and built for the next write) and the rate."""
        rows = self.rows + pending
        seconds = max(time.monotonic() - self.started, 1e-6)
        return _("%(what)s：累计 %(rows)s 行，%(seconds).0f 秒，%(rate)s 行/秒") % {
            "what": what,
            "rows": f"{rows:,}",
            "seconds": seconds,
            "rate": f"{rows / seconds:,.0f}",
        }


class Generator:
    def __init__(self, size: Size, *, seed: int, progress: Callable[[str], None]) -> None:
        self.size = size
        self.rng = random.Random(seed)  # noqa: S311 (made-up data that must be the same every run)
        self.today = clock.today()
        self.progress = progress
        self.ids = Ids()
        self.stats = Stats()
        self.numbers: set[int] = set()  # the first 17 characters of every ID number made
        self.former: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
        for region_id, until, code in RegionCode.objects.order_by("valid_until").values_list(
            "region_id", "valid_until", "code"
        ):
            self.former[region_id].append((until, code))
        self.start = years_before(self.today, size.years) + dt.timedelta(days=1)
        first, last = self.start.toordinal(), self.today.toordinal()
        self.workdays = [
            day for day in (dt.date.fromordinal(n) for n in range(first, last + 1)) if day.weekday() < 5
        ]
        self.groups = dict(TargetGroup.objects.values_list("code", "pk"))
        self.types_for = self._types_by_category()
        self.years: list[ProgrammeYear] = []
        self.case_serials: dict[tuple[str, int], int] = {}
        self.pending = Rows(COLUMNS, self.ids)

    # Small draws ---------------------------------------------------------------------------------

    def workday_on_or_after(self, day: dt.date) -> dt.date | None:
        """The first working day on or after `day`, none when that is after today."""
        index = bisect.bisect_left(self.workdays, day)
        return self.workdays[index] if index < len(self.workdays) else None

    def workday_between(self, start: dt.date, end: dt.date | None = None) -> dt.date | None:
        low = bisect.bisect_left(self.workdays, start)
        high = bisect.bisect_right(self.workdays, end or self.today)
        if high <= low:
            return None
        return self.workdays[low + int(self.rng.random() * (high - low))]

    def name(self, *, male: bool, surname: str | None = None) -> str:
        rng = self.rng
        characters = MALE_CHARACTERS if male else FEMALE_CHARACTERS
        given = "".join(rng.choice(characters) for _ in range(1 if rng.random() < 0.2 else 2))
        return (surname or rng.choice(SURNAMES)) + given

    def id_number(self, county: Region, born: dt.date, *, male: bool) -> str:
        address = county.code
        for until, code in self.former.get(county.pk, ()):
            if born < until:  # the code in force when the card was first issued
                address = code
                break
        while True:
            first17 = f"{address}{born:%Y%m%d}{self.rng.randrange(500) * 2 + male:03d}"
            if int(first17) not in self.numbers:
                self.numbers.add(int(first17))
                return first17 + idnumber.check_character(first17)

    def phone(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"

    def _types_by_category(self) -> dict[str, list[int]]:
        """Service types for a main category: its typical ones twice, and the general ones."""
        typical: dict[int, set[str]] = defaultdict(set)
        for type_id, code in ServiceType.target_groups.through.objects.values_list(
            "servicetype_id", "targetgroup__code"
        ):
            typical[type_id].add(code)
        active = list(ServiceType.objects.filter(active=True).order_by("pk").values_list("pk", flat=True))
        general = [pk for pk in active if pk not in typical]
        found = {}
        for category in CATEGORIES:
            specific = [pk for pk in active if category in typical.get(pk, ())]
            found[category] = specific * 2 + general if specific or general else active
        return found

    # The programme ----------------------------------------------------------------------------

    def counties(self) -> list[Region]:
        """The receiving counties: the demo's 17 first, then the tree's other counties by code."""
        found = {
            region.code: region
            for region in Region.objects.filter(level=Region.Level.COUNTY, path__startswith="50")
        }
        order = [code for code in plan.RECEIVING if code in found]
        order += sorted(code for code in found if code not in plan.RECEIVING)
        if len(order) < self.size.counties:
            raise CommandError(
                _("区划树只有 %(found)s 个区县，少于 --counties %(asked)s：请先运行 load_regions。")
                % {"found": len(order), "asked": self.size.counties}
            )
        return [found[code] for code in order[: self.size.counties]]

    def programme_years(self, counties: list[Region]) -> list[ProgrammeYear]:
        years = []
        for back in range(self.size.years, 0, -1):
            starts = years_before(self.today, back) + dt.timedelta(days=1)
            years.append(
                ProgrammeYear(
                    pk=self.ids(ProgrammeYear),
                    year=starts.year,
                    starts_on=starts,
                    ends_on=Dispatch.default_planned_end(starts),
                )
            )
        ProgrammeYear.objects.bulk_create(years)
        ReceivingCounty.objects.bulk_create(
            ReceivingCounty(pk=self.ids(ReceivingCounty), programme_year=year, county=county)
            for year in years
            for county in counties
        )
        return years

    def organisation(self, county: Region, name: str, kind: str, used: set[str]) -> Organisation:
        rng = self.rng
        while True:
            if CREDIT_PREFIX[kind].startswith("5"):
                body = "MJ" + "".join(rng.choice(creditcode.ALPHABET) for _ in range(7))
            else:
                body = f"{rng.randrange(10**8, 10**9)}"
            code = creditcode.make(CREDIT_PREFIX[kind], county.code, body)
            if code not in used:
                used.add(code)
                break
        registered = years_before(self.start, rng.randint(1, 6)) + dt.timedelta(days=rng.randint(0, 300))
        return Organisation(
            pk=self.ids(Organisation),
            name=name,
            kind=kind,
            home_county=county,
            registered_on=registered,
            credit_code=code,
            supervising_unit=f"{county.name}民政局",
        )

    def places(self, counties: list[Region]) -> tuple[list[Place], list[Organisation]]:
        """Stations (township stations first, then village rooms), their operators and sending
        organisations, in the order of the counties."""
        rng = self.rng
        used: set[str] = set()
        below: dict[str, list[Region]] = defaultdict(list)  # county code → townships, villages
        villages_of: dict[str, list[Region]] = defaultdict(list)  # township code → villages
        for region in Region.objects.filter(
            level__in=(Region.Level.TOWNSHIP, Region.Level.VILLAGE), path__startswith="50"
        ).order_by("code"):
            if region.level == Region.Level.TOWNSHIP:
                below[region.code[:6]].append(region)
            else:
                villages_of[region.code[:9]].append(region)
        all_counties = {r.code: r for r in Region.objects.filter(level=Region.Level.COUNTY)}
        senders = []
        for index, word in enumerate(SENDERS):
            home = all_counties.get(SENDER_COUNTIES[index]) or counties[0]
            kind = (
                Organisation.Kind.ASSOCIATION if "协会" in word else Organisation.Kind.SOCIAL_SERVICE_AGENCY
            )
            senders.append(self.organisation(home, f"{organisation_prefix(home)}{word}", kind, used))
        organisations: list[Organisation] = []
        stations: list[tuple[Station, Region, list[Region], int]] = []  # station, county, villages, operator
        for county in counties:
            townships = [t for t in below[county.code] if villages_of[t.code]]
            if not townships:
                raise CommandError(
                    _("%(county)s 没有乡镇和村（社区）数据：请先运行 load_regions。")
                    % {"county": county.name}
                )
            rng.shuffle(townships)
            wanted = self.size.stations_per_county
            operators = []
            words = list(plan.ORGANISATION_WORDS)
            rng.shuffle(words)
            for n in range(max(1, wanted // 4)):
                word = words[n % len(words)] + (str(n // len(words) + 1) if n >= len(words) else "")
                name = f"{organisation_prefix(county)}{word}社会工作服务中心"
                operators.append(len(organisations))
                organisations.append(
                    self.organisation(county, name, Organisation.Kind.SOCIAL_SERVICE_AGENCY, used)
                )
            rooms = [v for t in townships for v in villages_of[t.code]]
            rng.shuffle(rooms)
            for n in range(wanted):
                operator = operators[n % len(operators)]
                if n < len(townships):
                    township = townships[n]
                    station = Station(
                        pk=self.ids(Station),
                        name=f"{township.name}社会工作站",
                        kind=Station.Kind.STATION,
                        region=township,
                    )
                    villages = villages_of[township.code]
                elif n - len(townships) < len(rooms):
                    village = rooms[n - len(townships)]
                    station = Station(
                        pk=self.ids(Station),
                        name=f"{village.name}社会工作室",
                        kind=Station.Kind.ROOM,
                        region=village,
                    )
                    villages = [village, *villages_of[village.code[:9]]]
                else:
                    break  # more stations asked for than the county has townships and villages
                stations.append((station, county, villages, operator))
        Organisation.objects.bulk_create([*senders, *organisations])
        made = []
        for station, county, villages, operator in stations:
            owner = organisations[operator]
            station.organisation = owner
            station.opened_on = max(self.start, owner.registered_on)
            made.append(Place(station, county, villages, owner.pk))
        Station.objects.bulk_create([place.station for place in made])
        return made, senders

    def workers(self, places: list[Place], years: list[ProgrammeYear], senders: list[Organisation]) -> None:
        """Workers spread over the stations (one at least each); some dispatched, a term a year."""
        rng = self.rng
        count = max(self.size.workers, len(places))
        where = list(range(len(places))) + [rng.randrange(len(places)) for _ in range(count - len(places))]
        people, dispatched = [], []
        for index in sorted(where):
            place = places[index]
            male = rng.random() < 0.35
            born = dt.date(rng.randint(1968, 2000), rng.randint(1, 12), rng.randint(1, 28))
            number = self.id_number(place.county, born, male=male)
            person = Person(
                pk=self.ids(Person),
                name=self.name(male=male),
                id_number=number,
                id_hash=id_number_hash(number),
                sex=idnumber.sex(number),
                phone=self.phone(),
                county=place.county,
                organisation_id=place.organisation_id,
            )
            people.append((place, person))
            if rng.random() < DISPATCHED_SHARE:
                dispatched.append((place, person))
        Person.objects.bulk_create([person for _, person in people], batch_size=1000)
        for place, person in people:
            place.workers.append(Worker(person.pk, person.name))
        previous: dict[int, Dispatch] = {}
        for year in years:
            terms = []
            for place, person in dispatched:
                ends = Dispatch.default_planned_end(year.starts_on)
                done = ends < self.today
                terms.append(
                    Dispatch(
                        pk=self.ids(Dispatch),
                        person=person,
                        programme_year=year,
                        sending_organisation=rng.choice(senders),
                        county=place.county,
                        station=place.station,
                        started_on=year.starts_on,
                        planned_end_on=ends,
                        ended_on=ends if done else None,
                        status=Dispatch.Status.COMPLETED if done else Dispatch.Status.SERVING,
                        assessment=rng.choices(["excellent", "good", "pass"], [25, 55, 20])[0]
                        if done
                        else "",
                        assessed_on=ends if done else None,
                        renewal_of=previous.get(person.pk),
                    )
                )
            Dispatch.objects.bulk_create(terms)
            previous = {term.person.pk: term for term in terms}
        quotas: dict[int, int] = defaultdict(int)
        for place, _person in dispatched:
            quotas[place.county.pk] += 1
        for county_id, quota in quotas.items():
            ReceivingCounty.objects.filter(county_id=county_id).update(dispatch_quota=quota)

    def projects(self, places: list[Place], years: list[ProgrammeYear]) -> None:
        """A yearly service project for each organisation that runs stations in a county, over the
        programme year, its targets the organisation's share of the programme (no random draw, so
        the rows after are those of a programme without projects)."""
        size = self.size
        runs: dict[tuple[int, int], int] = defaultdict(int)  # (county, organisation) → stations
        counties: dict[int, Region] = {}
        for place in places:
            if place.organisation_id is not None:
                runs[(place.county.pk, place.organisation_id)] += 1
                counties[place.county.pk] = place.county
        names = dict(Organisation.objects.filter(pk__in={org for _, org in runs}).values_list("pk", "name"))
        stations = sum(runs.values())
        cases = size.beneficiaries * size.cases_per_beneficiary
        made = []
        for year in years:
            for number, ((county_id, organisation_id), share) in enumerate(sorted(runs.items()), start=1):
                county, part = counties[county_id], share / stations
                name = f"{county.name}{year.year}年度三区计划服务项目（{names[organisation_id]}）"
                made.append(
                    Project(
                        pk=self.ids(Project),
                        programme_year=year,
                        county=county,
                        organisation_id=organisation_id,
                        name=name[:100],
                        agreement_no=f"SQ-{year.year}-{county.code}-{number:03d}",
                        signed_on=year.starts_on,
                        starts_on=year.starts_on,
                        ends_on=year.ends_on,
                        budget=Decimal(200_000 * share),
                        target_beneficiaries=round(size.beneficiaries * part * 0.6),
                        target_cases=round(cases * part / size.years),
                        target_group_sessions=round(size.groups * 10 * part / size.years),
                        target_community_activities=6 * share,
                        target_trainees=2 * share,
                        target_volunteer_hours=100 * share,
                    )
                )
        Project.objects.bulk_create(made, batch_size=1000)

    # Station by station -------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        counties = self.counties()
        with transaction.atomic():
            years = self.years = self.programme_years(counties)
            places, senders = self.places(counties)
            self.workers(places, years, senders)
            self.projects(places, years)
        self.progress(
            _("%(counties)s 个区县、%(stations)s 个站点、%(workers)s 名社工，%(start)s 至 %(today)s")
            % {
                "counties": len(counties),
                "stations": len(places),
                "workers": sum(len(place.workers) for place in places),
                "start": self.start.isoformat(),
                "today": self.today.isoformat(),
            }
        )
        weights = [0.5 + self.rng.random() for _ in places]
        total = sum(weights)
        size = self.size
        done = {"beneficiaries": 0, "services": 0, "groups": 0}
        shown = time.monotonic()
        for index, place in enumerate(places):
            last = index == len(places) - 1
            share = sum(weights[: index + 1]) / total

            def due(key: str, target: int, *, last: bool = last, share: float = share) -> int:
                return (target if last else round(target * share)) - done[key]

            made = self.station(
                place,
                beneficiaries=due("beneficiaries", size.beneficiaries),
                services=due("services", size.services),
                groups=due("groups", size.groups),
            )
            for key in done:
                done[key] += made[key]
            if last:
                self.write()
            if last or place.county != places[index + 1].county or time.monotonic() - shown > 10:
                shown = time.monotonic()
                pending = sum(len(rows) for rows in self.pending.rows.values())
                self.progress(self.stats.line(place.county.name, pending))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(self.ids.next)):
                    cursor.execute(sql)
        served.rebuild()  # each project's people served: one grouped pass over all the records
        return dict(self.stats.counts)

    def station(self, place: Place, *, beneficiaries: int, services: int, groups: int) -> dict[str, int]:
        """Build the station's rows; write them with the stations' before once the chunk is full."""
        work = StationWork(self, place, self.pending)
        for _n in range(max(beneficiaries, 0)):
            work.beneficiary()
        for _n in range(max(groups, 0) if work.people else 0):
            work.group()
        work.visits(services - work.services)
        if sum(len(rows) for rows in self.pending.rows.values()) >= CHUNK_ROWS:
            self.write()
        return {"beneficiaries": len(work.people), "services": work.services, "groups": work.group_count}

    def write(self) -> None:
        """The pending rows and their rollups (services, people served, case stages), in one transaction."""
        pending = self.pending
        people = [row[0] for row in pending.rows.get(Beneficiary, ())]
        cases = [row[0] for row in pending.rows.get(Case, ())]
        with transaction.atomic():
            for model, batch in pending.rows.items():
                self.stats.counts[model._meta.label] += len(batch)
            self.stats.rows += pending.write()
            rollups.count_created(pending.tallies)
            rollups.count_created_beneficiaries(people)
            rollups.count_created_cases(cases)
        pending.tallies = []


@dataclass
class Served:
    """A person served, as the station's work needs them."""

    id: int
    category: str
    registered: dt.date
    region: Region
    worker: Worker


class StationWork:
    """One station's people served, cases, groups and services, as rows."""

    def __init__(self, generator: Generator, place: Place, rows: Rows) -> None:
        self.g = generator
        self.rng = generator.rng
        self.place = place
        self.rows = rows
        self.people: list[Served] = []
        self.by_category: dict[str, list[Served]] = defaultdict(list)
        self.services = 0
        self.group_count = 0
        self.categories = list(CATEGORIES)
        self.shares = [share for share, _ages, _men in CATEGORIES.values()]

    def service(
        self,
        person: Served,
        day: dt.date,
        worker: Worker,
        *,
        method: str = "case",
        hours: Decimal | None = None,
        case: int | None = None,
        session: int | None = None,
        place: str | None = None,
    ) -> None:
        rng = self.rng
        types = self.g.types_for[person.category]
        kind = types[int(rng.random() * len(types))]
        hours = hours or rng.choices(HOURS, HOUR_WEIGHTS)[0]
        county = self.place.county.pk
        self.rows.new(
            ServiceRecord,
            day,
            worker.id,
            method,
            kind,
            hours,
            place or (person.region.name if rng.random() < 0.7 else self.place.station.name),
            wording.SERVICE_NOTES[int(rng.random() * len(wording.SERVICE_NOTES))],
            wording.NEXT_STEPS[int(rng.random() * len(wording.NEXT_STEPS))],
            person.id,
            case,
            session,
            county,
        )
        self.rows.tallies.append((county, kind, day, hours))
        self.services += 1

    def worker(self, usual: Worker) -> Worker:
        """Mostly the person's own worker, sometimes a colleague of the station."""
        workers = self.place.workers
        return usual if self.rng.random() < 0.8 else workers[int(self.rng.random() * len(workers))]

    # People served ---------------------------------------------------------------------------

    def beneficiary(self) -> None:
        g, rng = self.g, self.rng
        category = rng.choices(self.categories, self.shares)[0]
        _share, (youngest, oldest), men = CATEGORIES[category]
        registered = g.workday_between(g.start + dt.timedelta(days=10), g.today - dt.timedelta(days=3))
        if registered is None:
            return
        born = years_before(registered, rng.randint(youngest, oldest)) - dt.timedelta(
            days=rng.randint(0, 364)
        )
        male = rng.random() < men
        number = g.id_number(self.place.county, born, male=male)
        region = rng.choice(self.place.villages)
        worker = self.place.workers[int(rng.random() * len(self.place.workers))]
        surname = rng.choice(SURNAMES)
        person = Served(g.ids(Beneficiary), category, registered, region, worker)
        child = born > years_before(registered, CHILD_AGE)
        adult = born <= years_before(registered, 18)
        guardian = (
            (g.name(male=rng.random() < 0.5, surname=surname), rng.choice(GUARDIANS)) if child else ("", "")
        )
        groups = [category]
        if rng.random() < POOR_SHARE:
            groups.append("registered_poor")
        if category.endswith("elderly") and rng.random() < 0.1:
            groups.append("disabled")
        health = wording.DISABILITY_NOTES[rng.randrange(4)] if "disabled" in groups else ""
        correction = ""
        if category == "community_correction":
            began = registered - dt.timedelta(days=rng.randint(10, 200))
            correction = f"缓刑，社区矫正期 {began.isoformat()} 至 {years_before(began, -2).isoformat()}"
        elif category == "released_prisoners":
            correction = f"{registered.year - rng.randint(0, 2)}年刑满释放，服刑期间表现良好"
        self.rows.add(
            Beneficiary,
            person.id,
            g.name(male=male, surname=surname),
            number,
            beneficiary_id_hash(number),
            idnumber.sex(number),
            born,
            g.phone() if adult and rng.random() < 0.6 else "",
            f"{region.name}{rng.randint(1, 11)}组{rng.randint(1, 90)}号",
            region.pk,
            self.place.station.pk,
            worker.id,
            registered,
            registered,
            "guardian" if child else "self",
            *guardian,
            health,
            correction,
        )
        for code in groups:
            self.rows.new(BENEFICIARY_TARGETS, person.id, g.groups[code])
        self.people.append(person)
        self.by_category[category].append(person)
        cases = int(g.size.cases_per_beneficiary)
        cases += rng.random() < g.size.cases_per_beneficiary - cases
        after: dt.date | None = registered
        for _n in range(cases):
            if after is None:
                break
            after = CaseWork(self, person, after).run()

    def visits(self, count: int) -> None:
        """Services outside cases and groups: home visits, talks, help with applications."""
        rng, people = self.rng, self.people
        if not people:
            return
        for _n in range(max(count, 0)):
            person = people[int(rng.random() * len(people))]
            day = self.g.workday_between(person.registered)
            if day is None:
                continue
            method = "case" if rng.random() < 0.9 else "community"
            self.service(person, day, self.worker(person.worker), method=method)

    # Groups -------------------------------------------------------------------------------------

    def group(self) -> None:
        g, rng = self.g, self.rng
        name, targets, topics = GROUP_KINDS[rng.randrange(len(GROUP_KINDS))]
        started = g.workday_between(g.start + dt.timedelta(days=30), g.today - dt.timedelta(days=7))
        if started is None:
            return
        candidates = [p for code in targets for p in self.by_category[code] if p.registered <= started]
        if len(candidates) < 5:
            return
        members = rng.sample(candidates, min(len(candidates), rng.randint(6, 12)))
        worker = self.place.workers[rng.randrange(len(self.place.workers))]
        village = members[0].region
        group_id = g.ids(Group)
        member_ids = []
        for person in members:
            member_ids.append((g.ids(GroupMember), person))
            self.rows.add(GroupMember, member_ids[-1][0], group_id, person.id, started)
        held, day = 0, started
        for number, topic in enumerate(topics, start=1):
            found = g.workday_on_or_after(started + dt.timedelta(days=7 * (number - 1)))
            if found is None:
                break
            day, held = found, number
            session = g.ids(GroupSession)
            self.rows.add(
                GroupSession,
                session,
                group_id,
                number,
                day,
                str(phase_of(number, len(topics))),
                topic,
                GROUP_HOURS,
                f"{topic}：组员参与积极，完成预定环节。",
            )
            for member_id, person in member_ids:
                present = rng.random() < 0.88
                self.rows.new(GroupAttendance, session, member_id, present)
                if present:
                    self.service(
                        person,
                        day,
                        worker,
                        method="group",
                        hours=GROUP_HOURS,
                        session=session,
                        place=village.name,
                    )
        ended: dt.date | None = None
        if held == len(topics):
            phase, ended, evaluation = "ending", day, "小组目标基本达成，组员出勤率高，彼此建立了支持关系。"
        else:
            phase, evaluation = str(phase_of(held, len(topics))) if held > 1 else "forming", ""
        self.rows.add(
            Group,
            group_id,
            f"{village.name}{name}（{started.year}）",
            self.place.county.pk,
            village.pk,
            self.place.station.pk,
            self.place.organisation_id,
            worker.id,
            f"通过{len(topics)}节小组活动，增强组员的社会支持和应对能力。",
            len(topics),
            phase,
            started,
            ended,
            evaluation,
        )
        for code in targets:
            self.rows.new(GROUP_TARGETS, group_id, g.groups[code])
        self.group_count += 1


class CaseWork:
    """One case, forward from its opening a stage at a time, stopping at the working date."""

    def __init__(self, station: StationWork, person: Served, after: dt.date) -> None:
        self.s = station
        self.g = station.g
        self.rng = station.rng
        self.person = person
        self.after = after
        self.stage = INTAKE
        self.status = "open"
        self.closed_on: dt.date | None = None
        self.last_service: dt.date | None = None
        self.texts = wording.CASE_TEXTS[person.category]

    def day(self, after: dt.date, low: int, high: int) -> dt.date | None:
        return self.g.workday_on_or_after(after + dt.timedelta(days=self.rng.randint(low, high)))

    def at_office_hours(self, day: dt.date) -> dt.datetime:
        moment = dt.datetime.combine(day, dt.time(self.rng.randint(9, 17), self.rng.choice((0, 15, 30))))
        return timezone.make_aware(moment)

    def run(self) -> dt.date | None:
        """Write the case; the day after which another case of the person may open (None: no more)."""
        g, rng, add = self.g, self.rng, self.s.rows.add
        opened = self.day(self.after, 0, 20)
        if opened is None:
            return None
        place, county = self.s.place, self.s.place.county
        self.id = g.ids(Case)
        year = next((y for y in reversed(g.years) if y.starts_on <= opened), g.years[0])
        key = (county.code, opened.year)
        serial = g.case_serials[key] = g.case_serials.get(key, 0) + 1
        number = f"{county.code}-{opened.year}-{serial:05d}"
        referred = rng.random() < 0.03  # at intake
        decision, why = (
            ("refer", "需求超出本站服务范围，转介专业部门。")
            if referred
            else ("take_on", "符合服务条件，本人（监护人）同意接受服务。")
        )
        self.s.rows.new(
            Intake,
            self.id,
            rng.choice(Intake.Source.values),
            str(self.texts["problem"]),
            ["独居"] if self.person.category.endswith("elderly") and rng.random() < 0.3 else [],
            decision,
            why,
            opened,
        )
        if referred:
            self.status = "referred"
            self.refer(opened)
        else:
            self.episode(opened)
        worker = self.person.worker
        add(
            Case,
            self.id,
            number,
            self.person.id,
            worker.id,
            place.organisation_id,
            county.pk,
            place.station.pk,
            year.pk,
            year.case_approval_required,
            opened,
            self.stage,
            self.status,
            self.closed_on,
            self.last_service,
        )
        if self.status != "closed" or self.closed_on is None:
            return None
        return self.closed_on + dt.timedelta(days=rng.randint(60, 400))

    def refer(self, day: dt.date) -> None:
        rng = self.rng
        agency, reason = rng.choice(wording.REFERRAL_AGENCIES)
        answered: dt.date | None = day + dt.timedelta(days=rng.randint(3, 20))
        if answered is not None and answered <= self.g.today:
            status = rng.choices(["accepted", "declined"], [85, 15])[0]
            note = "已接收，安排专人跟进。" if status == "accepted" else "不符合受理条件。"
        else:
            status, answered, note = "pending", None, ""
        self.s.rows.new(
            Referral, self.id, day, agency, reason, day + dt.timedelta(days=14), status, answered, note
        )

    def episode(self, opened: dt.date) -> None:
        g, rng, add, new = self.g, self.rng, self.s.rows.add, self.s.rows.new
        exit_on = opened + dt.timedelta(days=rng.randint(10, 150)) if rng.random() < 0.08 else None
        exits = [WITHDREW, MOVED_AWAY] + ([DIED] if "elderly" in self.person.category else [])

        def step(after: dt.date, low: int, high: int) -> dt.date | None:
            day = self.day(after, low, high)
            if day is not None and exit_on is not None and exit_on <= day:
                if (leaving := g.workday_on_or_after(exit_on)) is not None:
                    self.close(leaving, rng.choice(exits))
                return None
            return day

        if (day := step(opened, 3, 12)) is None:
            return
        new(
            Assessment,
            self.id,
            day,
            str(self.texts["needs"]),
            rng.choice(wording.CAUSES),
            str(self.texts["strengths"]),
        )
        self.stage = ASSESSMENT
        if (day := step(day, 3, 10)) is None:
            return
        version = 1
        if rng.random() < 0.08:  # returned once for measurable goals
            drafted = day
            if (day := step(day, 1, 4)) is None:
                self.draft(version, drafted, None)
                return
            self.draft(version, drafted, day, returned=True)
            version += 1
            if (day := step(day, 2, 5)) is None:
                return
        drafted = day
        if (day := step(day, 1, 6)) is None:
            self.draft(version, drafted, None)
            return
        goals = self.draft(version, drafted, day)
        evaluation_on = day + dt.timedelta(days=rng.randint(45, 150))
        while True:
            if (day := step(day, 5, 21)) is None:
                return
            if day >= evaluation_on:
                break
            self.s.service(self.person, day, self.s.worker(self.person.worker), case=self.id)
            self.last_service = day
        evaluation = g.ids(Evaluation)
        add(
            Evaluation,
            evaluation,
            self.id,
            day,
            "介入前：自评 2 分（满分 5 分）",
            f"介入后：自评 {rng.choice((3, 4, 4, 5))} 分",
            rng.choice(wording.FEEDBACK),
            "主要目标基本达成。",
        )
        for goal in goals:
            new(GoalAttainment, evaluation, goal, rng.choices(["met", "partly", "not_met"], [70, 25, 5])[0])
        self.stage = EVALUATION
        if (day := step(day, 2, 14)) is None:
            return
        reason = rng.choices([GOAL_MET, OTHER, REFERRED], [85, 10, 5])[0]
        if reason == REFERRED:
            self.refer(day)
        self.close(day, reason)

    def draft(
        self, version: int, drafted: dt.date, reviewed: dt.date | None, *, returned: bool = False
    ) -> list[int]:
        """A plan version: submitted (not reviewed by today), returned, or approved (intervention)."""
        g, add = self.g, self.s.rows.add
        plan_id = g.ids(CasePlan)
        due: dt.date | None = None
        if reviewed is None:
            status, comment = "submitted", ""
        elif returned:
            status, comment = "returned", "目标需可测量，请补充具体指标后重新提交。"
        else:
            status, comment, due = "approved", "同意按计划介入。", reviewed + dt.timedelta(days=90)
        add(
            CasePlan,
            plan_id,
            self.id,
            version,
            drafted,
            "每两周入户或面谈 1 次，三个月后评估。",
            due,
            status,
            self.at_office_hours(reviewed) if reviewed else None,
            comment,
        )
        goals = []
        for goal, objective in self.texts["goals"]:  # type: ignore[attr-defined]
            goals.append(g.ids(PlanGoal))
            add(
                PlanGoal,
                goals[-1],
                plan_id,
                goal,
                objective,
                "入户探访、面谈、链接资源",
                self.person.worker.name,
                drafted + dt.timedelta(days=90),
            )
        self.stage = INTERVENTION if status == "approved" else PLAN
        return goals

    def close(self, day: dt.date, reason: str) -> None:
        """Submit a closure; approved within days, unless that falls after today."""
        rng, new = self.rng, self.s.rows.new
        approved = day + dt.timedelta(days=rng.randint(1, 5))
        done = approved <= self.g.today
        summary = "服务目标达成，服务对象状况稳定。" if reason == GOAL_MET else "按结案原因结案。"
        new(
            Closure,
            self.id,
            day,
            reason,
            summary,
            "结案后一个月、三个月各回访一次。",
            "approved" if done else "submitted",
            self.at_office_hours(approved) if done else None,
        )
        if not done:
            return
        self.stage, self.status, self.closed_on = CLOSED, "closed", day
        for offset in (30, 90)[: rng.choice((0, 1, 1, 2))]:
            followed = self.g.workday_on_or_after(day + dt.timedelta(days=rng.randint(offset, offset + 20)))
            if followed is not None:
                new(FollowUp, self.id, followed, rng.choice(wording.FOLLOW_UP_NOTES))


# Reset and digest ---------------------------------------------------------------------------


def reset() -> None:
    """Delete the programme data (generated or the demo's), keeping regions, lists and accounts.

    The large tables go first with plain DELETEs (the ORM would load every row to send signals);
    `flush_domain_data` then removes the rest, as `sanqu demo --reset` does.
    """
    with transaction.atomic():
        SupervisionSession.cases.through._default_manager.all()._raw_delete(connection.alias)
        VolunteerService.objects.filter(group_session__isnull=False).update(group_session=None)
        for tally in (ProjectPeopleServed, ProjectBeneficiary):  # the second points at the people
            tally.objects.all()._raw_delete(connection.alias)
        for model in GENERATED:
            model._default_manager.all()._raw_delete(connection.alias)
        for rollup in (ServiceRollup, BeneficiaryRollup, CaseStageRollup):
            rollup.objects.all()._raw_delete(connection.alias)
        flush_domain_data()


def digest_models() -> list[Any]:
    return [
        ProgrammeYear,
        ReceivingCounty,
        Organisation,
        Project,
        Station,
        Person,
        Dispatch,
        *reversed(GENERATED),
        ServiceRollup,
    ]


def digest(models_: Iterable[Any] | None = None) -> str:
    """SHA-256 of every generated row as the application reads it (encrypted fields decrypted), in id
    order, ids included: equal for the same options, seed and working date, on either database."""
    total = hashlib.sha256()
    for model in models_ or digest_models():
        # Not the time a row was written (a project's registration): the same options give the same digest.
        names = [f.attname for f in model._meta.concrete_fields if not getattr(f, "auto_now_add", False)]
        order = ["pk"]
        if model is ServiceRollup:  # written by the upkeep, its ids are not ours: by its key
            names.remove("id")
            order = ["county_id", "service_type_id", "span", "served_on"]
        total.update(model._meta.label.encode())
        rows = model._default_manager.order_by(*order).values_list(*names)
        for row in rows.iterator(chunk_size=5000):
            total.update(repr(tuple(str(value) for value in row)).encode())
    return total.hexdigest()
