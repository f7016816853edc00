"""Random programmes for the figures' property tests: plain specs drawn by hypothesis, then saved.

A programme is drawn as plain Python values (`ProgrammeSpec`) over a fixed region tree
(`REGIONS`), so a test can compute every figure from the spec without reading the database, and
`save_programme` writes the same rows with the ORM. Records respect the models' constraints and
the services' rules where a figure depends on them: a case's plans and closures go through the
states the case services give them (a plan awaiting review is superseded by the next version; with
approval off a plan is approved when drafted and a closure when written), in whatever date order.

The region tree: 重庆市 with six counties; 巫溪 (and 城口's 坪坝镇) never hold a record, so they are
the "region with nothing in it" scopes.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from hypothesis import strategies as st

from sanqu.cases import rollups
from sanqu.cases.models import (
    Assessment,
    Beneficiary,
    Case,
    CasePlan,
    Closure,
    CommunityActivity,
    CommunityAttendance,
    Evaluation,
    Group,
    GroupSession,
    ServiceRecord,
    ServiceType,
    TargetGroup,
)
from sanqu.incentives.models import IncentiveClaim, IncentivePolicy
from sanqu.lib import idnumber
from sanqu.orgs.models import Organisation
from sanqu.projects.models import LivelihoodProject, ProgrammeYear, Project, ReceivingCounty
from sanqu.regions.models import Region
from sanqu.training.models import Trainee
from sanqu.volunteers.models import Volunteer, VolunteerService
from sanqu.workforce.models import Certificate, Dispatch, Person

Level = Region.Level

# key: (code, name, level, parent key)
REGIONS: dict[str, tuple[str, str, int, str | None]] = {
    "chongqing": ("500000", "重庆市", Level.PROVINCE, None),
    "chengkou": ("500229", "城口县", Level.COUNTY, "chongqing"),
    "jiming": ("500229212", "鸡鸣乡", Level.TOWNSHIP, "chengkou"),
    "chaping": ("500229212201", "茶坪村", Level.VILLAGE, "jiming"),
    "dongfeng": ("500229212202", "东风村", Level.VILLAGE, "jiming"),
    "pingba": ("500229213", "坪坝镇", Level.TOWNSHIP, "chengkou"),  # nothing in it
    "wanzhou": ("500101", "万州区", Level.COUNTY, "chongqing"),
    "gaosun": ("500101001", "高笋塘街道", Level.TOWNSHIP, "wanzhou"),
    "gaosun_community": ("500101001201", "高笋塘社区", Level.VILLAGE, "gaosun"),
    "kaizhou": ("500154", "开州区", Level.COUNTY, "chongqing"),
    "jiangbei": ("500105", "江北区", Level.COUNTY, "chongqing"),
    "xiushan": ("500241", "秀山土家族苗族自治县", Level.COUNTY, "chongqing"),
    "zhongxi": ("500241101", "钟灵镇", Level.TOWNSHIP, "xiushan"),
    "yun_ai": ("500241101201", "云隘村", Level.VILLAGE, "zhongxi"),
    "wuxi": ("500238", "巫溪县", Level.COUNTY, "chongqing"),  # nothing in it
}
COUNTIES = ["chengkou", "wanzhou", "kaizhou", "jiangbei", "xiushan"]  # the ones records may name
# The places records below county level may name, by county (the county itself first).
PLACES = {
    "chengkou": ["chengkou", "jiming", "chaping", "dongfeng"],
    "wanzhou": ["wanzhou", "gaosun", "gaosun_community"],
    "kaizhou": ["kaizhou"],
    "jiangbei": ["jiangbei"],
    "xiushan": ["xiushan", "zhongxi", "yun_ai"],
}
SCOPES = list(REGIONS)  # every region is a scope worth asking about

FIRST_DAY, LAST_DAY = dt.date(2010, 1, 1), dt.date(2019, 12, 31)
LOCAL = ZoneInfo(settings.TIME_ZONE)


def build_regions() -> dict[str, Region]:
    made: dict[str, Region] = {}
    for key, (code, name, level, parent) in REGIONS.items():
        made[key] = Region.objects.create(
            code=code, name=name, level=level, parent=made[parent] if parent else None
        )
    return made


# The specs ---------------------------------------------------------------------------------------


@dataclass
class YearSpec:
    year: int
    starts_on: dt.date
    ends_on: dt.date
    quotas: dict[str, int]  # receiving county → training quota


@dataclass
class OrgSpec:
    kind: str
    home: str
    registered_on: dt.date
    deregistered_on: dt.date | None
    social_work: bool


@dataclass
class DispatchSpec:
    person: int
    year: int
    sender: int
    county: str
    started_on: dt.date
    status: str
    ended_on: dt.date | None
    leave_reason: str


@dataclass
class TraineeSpec:
    person: int
    year: int
    county: str
    completed_on: dt.date | None


@dataclass
class CertificateSpec:
    person: int
    level: str
    county: str
    obtained_on: dt.date


@dataclass
class PolicySpec:
    county: str
    kind: str
    effective_from: dt.date
    effective_until: dt.date | None


@dataclass
class ClaimSpec:
    certificate: int
    policy: int
    amount: Decimal
    claimed_on: dt.date
    status: str
    paid_on: dt.date | None


@dataclass
class VolunteerServiceSpec:
    volunteer: int  # index into ProgrammeSpec.volunteers (a person each)
    county: str
    served_on: dt.date
    hours: Decimal


@dataclass
class BeneficiarySpec:
    place: str
    registered_on: dt.date
    groups: list[str]


@dataclass
class PlanSpec:
    drafted_on: dt.date
    status: str
    reviewed_at: dt.datetime | None
    approved_on: dt.date | None  # when it was approved, if ever (the truth the figures should read)


@dataclass
class ClosureSpec:
    closed_on: dt.date
    status: str


@dataclass
class CaseSpec:
    beneficiary: int
    county: str
    opened_on: dt.date
    approval_required: bool
    stage: str  # Case.stage as stored today: the figures must not read it
    assessments: list[dt.date] = field(default_factory=list)
    plans: list[PlanSpec] = field(default_factory=list)
    evaluations: list[dt.date] = field(default_factory=list)
    closures: list[ClosureSpec] = field(default_factory=list)

    def dates_of(self) -> list[dt.date]:
        """The dates of the case's records (approvals on their local day)."""
        return [
            self.opened_on,
            *self.assessments,
            *(plan.drafted_on for plan in self.plans),
            *(plan.approved_on for plan in self.plans if plan.approved_on is not None),
            *self.evaluations,
            *(closure.closed_on for closure in self.closures),
        ]


@dataclass
class ServiceSpec:
    county: str
    served_on: dt.date
    service_type: str
    hours: Decimal


@dataclass
class GroupSpec:
    county: str
    place: str
    sessions: list[dt.date]


@dataclass
class ActivitySpec:
    county: str
    place: str
    held_on: dt.date
    headcounts: dict[str, int]


@dataclass
class LivelihoodSpec:
    county: str
    place: str
    started_on: dt.date
    households: int


@dataclass
class ProjectSpec:
    year: int
    county: str
    organisation: int
    signed_on: dt.date
    starts_on: dt.date
    ends_on: dt.date


@dataclass
class ProgrammeSpec:
    years: list[YearSpec]
    people: list[str]  # each person's home county
    organisations: list[OrgSpec]
    dispatches: list[DispatchSpec]
    trainees: list[TraineeSpec]
    certificates: list[CertificateSpec]
    policies: list[PolicySpec]
    claims: list[ClaimSpec]
    volunteers: list[int]  # person indexes (one volunteer record each)
    volunteer_services: list[VolunteerServiceSpec]
    beneficiaries: list[BeneficiarySpec]
    cases: list[CaseSpec]
    services: list[ServiceSpec]
    groups: list[GroupSpec]
    activities: list[ActivitySpec]
    livelihoods: list[LivelihoodSpec]
    projects: list[ProjectSpec]
    retired_target_group: str | None
    retired_service_type: str | None

    def dates(self) -> set[dt.date]:
        """Every date the programme names: as-of dates worth trying (with the day either side)."""
        found: set[dt.date] = set()

        def walk(value: Any) -> None:
            if isinstance(value, dt.datetime):
                found.add(value.astimezone(LOCAL).date())
            elif isinstance(value, dt.date):
                found.add(value)
            elif isinstance(value, list | tuple):
                for item in value:
                    walk(item)
            elif isinstance(value, dict):
                for item in value.values():
                    walk(item)
            elif hasattr(value, "__dataclass_fields__"):
                for name in value.__dataclass_fields__:
                    walk(getattr(value, name))

        walk(self)
        return found


# The strategy ------------------------------------------------------------------------------------


def _days(draw: st.DrawFn, start: dt.date, most: int) -> dt.date:
    return start + dt.timedelta(days=draw(st.integers(min_value=0, max_value=most)))


def _any_day(draw: st.DrawFn) -> dt.date:
    return draw(st.dates(min_value=dt.date(2011, 1, 1), max_value=dt.date(2018, 12, 31)))


def _years(draw: st.DrawFn) -> list[YearSpec]:
    first = draw(st.integers(min_value=2012, max_value=2014))
    month = draw(st.sampled_from([1, 3, 6]))
    years = []
    for number in range(draw(st.integers(min_value=1, max_value=4))):
        starts = dt.date(first + number, month, 1)
        ends = dt.date(first + number + 1, month, 1) - dt.timedelta(days=1)
        counties = draw(st.lists(st.sampled_from(COUNTIES), unique=True, max_size=4))
        quotas = {county: draw(st.integers(min_value=0, max_value=5)) for county in counties}
        years.append(YearSpec(first + number, starts, ends, quotas))
    return years


# What a worker and a supervisor do on a case (assessing and drafting are the commonest).
CASE_EVENTS = [
    "assess",
    "assess",
    "plan",
    "plan",
    "approve",
    "return",
    "evaluate",
    "close",
    "close_ok",
    "close_no",
]


def _plan_history(draw: st.DrawFn, opened: dt.date, approval_required: bool) -> CaseSpec:
    """The stage records a worker and her supervisor write, in the order the services allow."""
    case = CaseSpec(
        beneficiary=0, county="", opened_on=opened, approval_required=approval_required,
        stage=draw(st.sampled_from(Case.Stage.values)),
    )  # fmt: skip
    events = draw(
        st.lists(
            st.sampled_from(CASE_EVENTS),
            max_size=7,
        )
    )
    Status = CasePlan.Status
    for event in events:
        day = _days(draw, opened, 300)  # any order: records may be written late or backdated
        waiting = [plan for plan in case.plans if plan.status == Status.SUBMITTED]
        if event == "assess":
            case.assessments.append(day)
        elif event == "evaluate":
            case.evaluations.append(day)
        elif event == "plan":
            if approval_required:
                for plan in waiting:
                    plan.status = Status.SUPERSEDED  # replaced before anyone reviewed it
                case.plans.append(PlanSpec(day, Status.SUBMITTED, None, None))
            else:
                for plan in case.plans:
                    if plan.status == Status.APPROVED:
                        plan.status = Status.SUPERSEDED
                case.plans.append(PlanSpec(day, Status.APPROVED, None, day))
        elif event in ("approve", "return") and waiting:
            plan = waiting[-1]
            reviewed_day = _days(draw, plan.drafted_on, 20)
            hour = draw(st.sampled_from([0, 9, 23]))  # local hours either side of UTC midnight
            reviewed_at = dt.datetime.combine(reviewed_day, dt.time(hour, 30), tzinfo=LOCAL)
            plan.reviewed_at = reviewed_at
            if event == "approve":
                for earlier in case.plans:
                    if earlier.status == Status.APPROVED:
                        earlier.status = Status.SUPERSEDED
                plan.status, plan.approved_on = Status.APPROVED, reviewed_day
            else:
                plan.status = Status.RETURNED
        elif event == "close":
            if not any(closure.status == Closure.Status.SUBMITTED for closure in case.closures):
                status = Closure.Status.SUBMITTED if approval_required else Closure.Status.APPROVED
                case.closures.append(ClosureSpec(day, status))
        elif event in ("close_ok", "close_no"):
            for closure in case.closures:
                if closure.status == Closure.Status.SUBMITTED:
                    closure.status = (
                        Closure.Status.APPROVED if event == "close_ok" else Closure.Status.RETURNED
                    )
    return case


@st.composite
def programmes(draw: st.DrawFn) -> ProgrammeSpec:
    years = _years(draw)
    last_year = len(years) - 1
    people = draw(st.lists(st.sampled_from(COUNTIES), min_size=1, max_size=8))
    person = st.integers(min_value=0, max_value=len(people) - 1)
    year = st.integers(min_value=0, max_value=last_year)

    organisations = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        registered = _any_day(draw)
        deregistered = draw(
            st.none() | st.integers(0, 1500).map(lambda n, r=registered: r + dt.timedelta(days=n))
        )
        organisations.append(
            OrgSpec(
                kind=draw(st.sampled_from(Organisation.Kind.values)),
                home=draw(st.sampled_from(COUNTIES)),
                registered_on=registered,
                deregistered_on=deregistered,
                social_work=draw(st.booleans() | st.just(True)),
            )
        )
    organisation = st.integers(min_value=0, max_value=len(organisations) - 1)

    dispatches = []
    for who, which in draw(st.lists(st.tuples(person, year), max_size=8, unique=True)):
        spec_year = years[which]
        county = draw(st.sampled_from(sorted(spec_year.quotas) or COUNTIES))
        started = _days(draw, spec_year.starts_on, 200)
        status = draw(st.sampled_from(Dispatch.Status.values))
        ended = None
        if status == Dispatch.Status.COMPLETED:
            ended = started + dt.timedelta(days=draw(st.sampled_from([364, 365, 400])))
        elif status == Dispatch.Status.LEFT_EARLY:
            ended = _days(draw, started, 360)
        reason = (
            draw(st.sampled_from(Dispatch.LeaveReason.values)) if status == Dispatch.Status.LEFT_EARLY else ""
        )
        dispatches.append(
            DispatchSpec(who, which, draw(organisation), county, started, status, ended, reason)
        )

    trainees = []
    for who, which in draw(st.lists(st.tuples(person, year), max_size=8, unique=True)):
        spec_year = years[which]
        county = draw(st.sampled_from(sorted(spec_year.quotas) or COUNTIES))
        completed = draw(
            st.none() | st.integers(0, 500).map(lambda n, s=spec_year: s.starts_on + dt.timedelta(days=n))
        )
        trainees.append(TraineeSpec(who, which, county, completed))

    certificates = [
        CertificateSpec(who, level, draw(st.sampled_from(COUNTIES)), _any_day(draw))
        for who, level in draw(
            st.lists(st.tuples(person, st.sampled_from(Certificate.Level.values)), max_size=10, unique=True)
        )
    ]

    policies = []
    for _ in range(draw(st.integers(min_value=0, max_value=5))):
        starts = _any_day(draw)
        until = draw(st.none() | st.integers(0, 1000).map(lambda n, s=starts: s + dt.timedelta(days=n)))
        policies.append(
            PolicySpec(
                draw(st.sampled_from(COUNTIES)),
                draw(st.sampled_from(IncentivePolicy.Kind.values)),
                starts,
                until,
            )
        )

    claims, claimed = [], set()
    if certificates and policies:
        for _ in range(draw(st.integers(min_value=0, max_value=5))):
            certificate = draw(st.integers(0, len(certificates) - 1))
            policy = draw(st.integers(0, len(policies) - 1))
            status = draw(st.sampled_from(IncentiveClaim.Status.values))
            key = (certificate, policies[policy].kind)
            if status != IncentiveClaim.Status.REFUSED:
                if key in claimed:
                    continue
                claimed.add(key)
            claimed_on = _any_day(draw)
            paid_on = _days(draw, claimed_on, 90) if status == IncentiveClaim.Status.PAID else None
            cents = draw(st.integers(min_value=1, max_value=500_000))
            claims.append(ClaimSpec(certificate, policy, Decimal(cents) / 100, claimed_on, status, paid_on))

    volunteers = draw(st.lists(person, unique=True, max_size=3))
    volunteer_services = [
        VolunteerServiceSpec(
            draw(st.integers(0, len(volunteers) - 1)),
            draw(st.sampled_from(COUNTIES)),
            _any_day(draw),
            Decimal(draw(st.integers(min_value=1, max_value=240))) / 10,
        )
        for _ in range(draw(st.integers(0, 5) if volunteers else st.just(0)))
    ]

    group_codes = list(TargetGroup.objects.order_by("sort_order", "id").values_list("code", flat=True))
    type_codes = list(ServiceType.objects.order_by("sort_order", "id").values_list("code", flat=True))

    def place(county: str) -> str:
        return draw(st.sampled_from(PLACES[county]))

    beneficiaries = []
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        county = draw(st.sampled_from(COUNTIES))
        groups = draw(st.lists(st.sampled_from(group_codes), unique=True, max_size=3))
        beneficiaries.append(BeneficiarySpec(place(county), _any_day(draw), groups))

    cases = []
    if beneficiaries:
        for _ in range(draw(st.integers(min_value=0, max_value=6))):
            opened = _any_day(draw)
            case = _plan_history(draw, opened, draw(st.booleans()))
            case.beneficiary = draw(st.integers(0, len(beneficiaries) - 1))
            case.county = draw(st.sampled_from(COUNTIES))
            cases.append(case)

    services = [
        ServiceSpec(
            draw(st.sampled_from(COUNTIES)),
            _any_day(draw),
            draw(st.sampled_from(type_codes)),
            Decimal(draw(st.integers(min_value=1, max_value=80))) / 10,
        )
        for _ in range(draw(st.integers(min_value=0, max_value=10)))
    ]

    groups = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        county = draw(st.sampled_from(COUNTIES))
        start = _any_day(draw)
        sessions = [_days(draw, start, 200) for _ in range(draw(st.integers(1, 4)))]
        groups.append(GroupSpec(county, place(county), sessions))

    activities = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        county = draw(st.sampled_from(COUNTIES))
        headcounts = draw(
            st.dictionaries(st.sampled_from(group_codes), st.integers(min_value=0, max_value=60), max_size=3)
        )
        activities.append(ActivitySpec(county, place(county), _any_day(draw), headcounts))

    livelihoods = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        county = draw(st.sampled_from(COUNTIES))
        livelihoods.append(LivelihoodSpec(county, place(county), _any_day(draw), draw(st.integers(0, 80))))

    projects = []
    for which, county, org in draw(
        st.lists(st.tuples(year, st.sampled_from(COUNTIES), organisation), unique=True, max_size=4)
    ):
        signed = _days(draw, years[which].starts_on - dt.timedelta(days=60), 120)
        starts = _days(draw, signed, 30)
        projects.append(ProjectSpec(which, county, org, signed, starts, starts + dt.timedelta(days=364)))

    return ProgrammeSpec(
        years=years,
        people=people,
        organisations=organisations,
        dispatches=dispatches,
        trainees=trainees,
        certificates=certificates,
        policies=policies,
        claims=claims,
        volunteers=volunteers,
        volunteer_services=volunteer_services,
        beneficiaries=beneficiaries,
        cases=cases,
        services=services,
        groups=groups,
        activities=activities,
        livelihoods=livelihoods,
        projects=projects,
        retired_target_group=draw(st.none() | st.sampled_from(group_codes)),
        retired_service_type=draw(st.none() | st.sampled_from(type_codes)),
    )


# Saving ------------------------------------------------------------------------------------------

_numbers = itertools.count()


def _person(name: str, county: Region) -> Person:
    """A person with a valid, never repeated ID number."""
    number = next(_numbers)
    born = dt.date(1970, 1, 1) + dt.timedelta(days=number // 800)
    someone = Person(name=name, county=county)
    someone.set_id_number(idnumber.make(county.code, born, 100 + number % 800))
    return someone


def save_programme(spec: ProgrammeSpec, regions: dict[str, Region]) -> None:
    """Write the spec's rows (inside the caller's transaction, which the test rolls back)."""
    if spec.retired_target_group:
        TargetGroup.objects.filter(code=spec.retired_target_group).update(active=False)
    if spec.retired_service_type:
        ServiceType.objects.filter(code=spec.retired_service_type).update(active=False)
    groups = {group.code: group for group in TargetGroup.objects.all()}
    types = {kind.code: kind for kind in ServiceType.objects.all()}

    years = [
        ProgrammeYear.objects.create(year=year.year, starts_on=year.starts_on, ends_on=year.ends_on)
        for year in spec.years
    ]
    ReceivingCounty.objects.bulk_create(
        ReceivingCounty(programme_year=made, county=regions[county], training_quota=quota)
        for made, year in zip(years, spec.years, strict=True)
        for county, quota in year.quotas.items()
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"机构{index}",
            kind=org.kind,
            home_county=regions[org.home],
            registered_on=org.registered_on,
            deregistered_on=org.deregistered_on,
            social_work=org.social_work,
        )
        for index, org in enumerate(spec.organisations)
    )
    people = Person.objects.bulk_create(
        _person(f"人员{index}", regions[home]) for index, home in enumerate(spec.people)
    )
    worker = _person("社工", regions["chengkou"])
    worker.save()

    Dispatch.objects.bulk_create(
        Dispatch(
            person=people[term.person],
            programme_year=years[term.year],
            sending_organisation=organisations[term.sender],
            county=regions[term.county],
            started_on=term.started_on,
            planned_end_on=term.started_on + dt.timedelta(days=365),
            ended_on=term.ended_on,
            status=term.status,
            leave_reason=term.leave_reason,
        )
        for term in spec.dispatches
    )
    Trainee.objects.bulk_create(
        Trainee(
            person=people[trainee.person],
            programme_year=years[trainee.year],
            county=regions[trainee.county],
            completed_on=trainee.completed_on,
        )
        for trainee in spec.trainees
    )
    certificates = Certificate.objects.bulk_create(
        Certificate(
            person=people[held.person],
            level=held.level,
            county=regions[held.county],
            obtained_on=held.obtained_on,
        )
        for held in spec.certificates
    )
    policies = IncentivePolicy.objects.bulk_create(
        IncentivePolicy(
            county=regions[policy.county],
            name=f"政策{index}",
            kind=policy.kind,
            effective_from=policy.effective_from,
            effective_until=policy.effective_until,
        )
        for index, policy in enumerate(spec.policies)
    )
    Status = IncentiveClaim.Status
    IncentiveClaim.objects.bulk_create(
        IncentiveClaim(
            person=certificates[claim.certificate].person,
            policy=policies[claim.policy],
            kind=policies[claim.policy].kind,
            certificate=certificates[claim.certificate],
            amount=claim.amount,
            claimed_on=claim.claimed_on,
            status=claim.status,
            decided_on=None if claim.status == Status.SUBMITTED else claim.claimed_on,
            reason="材料不全" if claim.status == Status.REFUSED else "",
            paid_on=claim.paid_on,
        )
        for claim in spec.claims
    )
    volunteers = Volunteer.objects.bulk_create(
        Volunteer(person=people[index], county=regions[spec.people[index]], registered_on=dt.date(2011, 1, 1))
        for index in spec.volunteers
    )
    VolunteerService.objects.bulk_create(
        VolunteerService(
            volunteer=volunteers[service.volunteer],
            county=regions[service.county],
            served_on=service.served_on,
            hours=service.hours,
            content="入户探访",
        )
        for service in spec.volunteer_services
    )

    beneficiaries = Beneficiary.objects.bulk_create(
        Beneficiary(name=f"对象{index}", region=regions[person.place], registered_on=person.registered_on)
        for index, person in enumerate(spec.beneficiaries)
    )
    Beneficiary.target_groups.through.objects.bulk_create(
        Beneficiary.target_groups.through(beneficiary=made, targetgroup=groups[code])
        for made, person in zip(beneficiaries, spec.beneficiaries, strict=True)
        for code in person.groups
    )
    _save_cases(spec, regions, beneficiaries, worker)
    rollups.count_created_beneficiaries(made.pk for made in beneficiaries)  # bulk_create sends no signals
    for service in spec.services:  # one by one: each save keeps the service rollups current
        ServiceRecord.objects.create(
            served_on=service.served_on,
            worker=worker,
            method=ServiceRecord.Method.CASE,
            service_type=types[service.service_type],
            duration_hours=service.hours,
            county=regions[service.county],
        )
    for index, group in enumerate(spec.groups):
        made_group = Group.objects.create(
            name=f"小组{index}", county=regions[group.county], region=regions[group.place], worker=worker,
            purpose="…", started_on=min(group.sessions),
        )  # fmt: skip
        GroupSession.objects.bulk_create(
            GroupSession(group=made_group, number=number, held_on=day, phase=Group.Phase.FORMING, topic="…")
            for number, day in enumerate(group.sessions, start=1)
        )
    for index, activity in enumerate(spec.activities):
        held = CommunityActivity.objects.create(
            name=f"活动{index}", kind=CommunityActivity.Kind.CULTURAL, held_on=activity.held_on,
            county=regions[activity.county], region=regions[activity.place], worker=worker,
        )  # fmt: skip
        CommunityAttendance.objects.bulk_create(
            CommunityAttendance(activity=held, target_group=groups[code], headcount=headcount)
            for code, headcount in activity.headcounts.items()
        )
    LivelihoodProject.objects.bulk_create(
        LivelihoodProject(
            name=f"生计{index}",
            kind=LivelihoodProject.Kind.WORKSHOP,
            county=regions[project.county],
            region=regions[project.place],
            organisation=organisations[0],
            started_on=project.started_on,
            households_reached=project.households,
        )
        for index, project in enumerate(spec.livelihoods)
    )
    Project.objects.bulk_create(
        Project(
            programme_year=years[project.year],
            county=regions[project.county],
            organisation=organisations[project.organisation],
            name=f"项目{index}",
            signed_on=project.signed_on,
            starts_on=project.starts_on,
            ends_on=project.ends_on,
            budget=Decimal("100000.00"),
        )
        for index, project in enumerate(spec.projects)
    )


def _save_cases(
    spec: ProgrammeSpec, regions: dict[str, Region], beneficiaries: list[Beneficiary], worker: Person
) -> None:
    cases = Case.objects.bulk_create(
        Case(
            number=f"P{index}",
            beneficiary=beneficiaries[case.beneficiary],
            worker=worker,
            county=regions[case.county],
            opened_on=case.opened_on,
            approval_required=case.approval_required,
            stage=case.stage,
        )
        for index, case in enumerate(spec.cases)
    )
    Assessment.objects.bulk_create(
        Assessment(case=made, assessed_on=day, problems_needs="…")
        for made, case in zip(cases, spec.cases, strict=True)
        for day in case.assessments
    )
    CasePlan.objects.bulk_create(
        CasePlan(
            case=made,
            version=version,
            drafted_on=plan.drafted_on,
            status=plan.status,
            reviewed_at=plan.reviewed_at,
        )
        for made, case in zip(cases, spec.cases, strict=True)
        for version, plan in enumerate(case.plans, start=1)
    )
    Evaluation.objects.bulk_create(
        Evaluation(case=made, evaluated_on=day)
        for made, case in zip(cases, spec.cases, strict=True)
        for day in case.evaluations
    )
    Closure.objects.bulk_create(
        Closure(
            case=made,
            closed_on=closure.closed_on,
            reason=Closure.Reason.GOAL_MET,
            summary="…",
            status=closure.status,
        )
        for made, case in zip(cases, spec.cases, strict=True)
        for closure in case.closures
    )
    rollups.count_created_cases(made.pk for made in cases)  # bulk_create sends no signals
