"""The demo's people: certified local social workers, dispatched workers and trainees.

The certified workers of the 17 counties are made first, exactly as many per year as
`plan.CERTIFIED_BY_YEAR` says; dispatched workers who are local hires and half of the trainees
come from them, so reusing a person never changes the count of certified people. Dispatched
workers from outside come from organisations in counties that do not receive (or from
colleges), and any certificate they hold is from their own county, which does not count.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from sanqu.demo import plan
from sanqu.demo.builder import Programme, allocate
from sanqu.demo.people import PeopleMaker, random_date
from sanqu.orgs.models import Organisation
from sanqu.projects.models import ProgrammeYear
from sanqu.regions.models import Region, Station
from sanqu.training.models import Trainee
from sanqu.workforce.models import Certificate, Dispatch, Person, Supervision

Level = Certificate.Level
Status = Dispatch.Status


@dataclass
class Workforce:
    worker: Person  # the 城口 social worker of the demo accounts, serving at 鸡鸣乡
    mentor: Person  # her supervisor


class WorkforceBuilder:
    def __init__(self, rng: random.Random, programme: Programme) -> None:
        self.rng = rng
        self.programme = programme
        self.places = programme.places
        self.people = PeopleMaker.for_database(rng)
        self.certificates: list[Certificate] = []
        self.pool: dict[str, list[Person]] = defaultdict(list)  # certified people by county code
        self.certificate_serial = 0

    # Certificates ----------------------------------------------------------------------------

    def certificate(self, person: Person, county: Region, level: str, year: int) -> None:
        self.certificate_serial += 1
        prefix = "Z" if level == Level.ASSISTANT else "S"
        self.certificates.append(
            Certificate(
                person=person,
                county=county,
                level=level,
                obtained_on=random_date(self.rng, dt.date(year, 10, 20), dt.date(year, 12, 20)),
                number=f"{prefix}{year}{county.code}{self.certificate_serial:05d}",
            )
        )

    def certified_pool(self) -> None:
        """1,077 certified people in the 17 counties, 130 of them certified by 2012."""
        rng = self.rng
        first_years = {
            early: [year for year, count in plan.CERTIFIED_BY_YEAR.items() for _ in range(count)
                    if (year <= 2012) == early]
            for early in (True, False)
        }  # fmt: skip
        baseline = self._allocate(plan.CERTIFIED_BASELINE, minimum=2)
        later = self._allocate(plan.CERTIFIED_TOTAL - plan.CERTIFIED_BASELINE, minimum=20)
        for early, per_county in ((True, baseline), (False, later)):
            years = first_years[early]
            rng.shuffle(years)
            slots = [code for code in plan.RECEIVING for _ in range(per_county[code])]
            for code, year in zip(slots, years, strict=True):
                county = self.places.counties[code]
                local = self.programme.local_organisations.get(code, [])
                employer = rng.choice(local) if local and rng.random() < 0.5 else None
                person = self.people.person(
                    county=county,
                    born=random_date(rng, dt.date(1965, 1, 1), dt.date(year - 22, 6, 30)),
                    organisation_id=employer.pk if employer else None,
                )
                level = Level.INTERMEDIATE if rng.random() < 0.1 else Level.ASSISTANT
                self.certificate(person, county, level, year)
                if level == Level.ASSISTANT and year < 2017 and rng.random() < 0.1:
                    self.certificate(person, county, Level.INTERMEDIATE, rng.randint(year + 1, 2017))
                self.pool[code].append(person)

    def _allocate(self, total: int, *, minimum: int) -> dict[str, int]:
        return allocate(self.rng, total, minimum=minimum)

    # The two people of the demo accounts -------------------------------------------------------

    def mentor_and_worker(self) -> Workforce:
        """城口's supervisor (社会工作师) and the social worker she supervises, both of 扬光."""
        yangguang = self.programme.yangguang
        # People are not saved yet (no pk, so not hashable): they are keyed by id() until then.
        first: dict[int, Certificate] = {}
        for certificate in self.certificates:
            first.setdefault(id(certificate.person), certificate)
        chengkou = [p for p in self.pool[plan.CHENGKOU] if first[id(p)].obtained_on.year >= 2013]
        mentor, worker = chengkou[0], chengkou[1]
        first[id(mentor)].level = Level.INTERMEDIATE
        first[id(worker)].level = Level.ASSISTANT
        # Drop any second certificate of theirs, so each holds exactly the one said above.
        pair = {id(mentor), id(worker)}
        self.certificates = [
            c for c in self.certificates if id(c.person) not in pair or c is first[id(c.person)]
        ]
        for person in (mentor, worker):
            person.organisation_id = yangguang.pk
        self.pool[plan.CHENGKOU] = [p for p in self.pool[plan.CHENGKOU] if id(p) not in pair]
        return Workforce(worker=worker, mentor=mentor)

    # Dispatches --------------------------------------------------------------------------------

    def outsider(self, sender: Organisation, year: int) -> Person:
        """A social worker from a sending organisation outside the receiving counties."""
        rng = self.rng
        college = sender.kind == Organisation.Kind.COLLEGE
        born_in = rng.choice(
            self.places.receiving if rng.random() < 0.6 else list(self.places.counties.values())
        )
        born = random_date(
            rng, dt.date(year - 30 if not college else year - 24, 1, 1), dt.date(year - 22, 8, 31)
        )
        person = self.people.person(
            county=sender.home_county, born=born, born_in=born_in, organisation_id=sender.pk, phone=True
        )
        earliest = max(2009, born.year + 22)
        if (
            not college
            and sender.home_county.code not in plan.RECEIVING
            and earliest < year
            and rng.random() < 0.4
        ):
            self.certificate(person, sender.home_county, Level.ASSISTANT, rng.randint(earliest, year - 1))
        return person

    def sender_for(self, code: str) -> Organisation:
        rng = self.rng
        organisations = self.programme.organisations
        for college, served in plan.COLLEGE_REGIONS.items():
            if code in served and rng.random() < 0.35:
                return organisations[college]
        name = rng.choices(
            ["重庆仁爱社会工作服务中心", "重庆市江北区新扬社会工作服务中心", "重庆城市管理职业学院"],
            weights=[40, 35, 25],
        )[0]
        return organisations[name]

    def dispatches(self, workforce: Workforce) -> list[Dispatch]:
        rng = self.rng
        made: list[Dispatch] = []
        previous: dict[str, list[tuple[Person, Organisation]]] = {}
        reserved = {id(workforce.worker), id(workforce.mentor)}
        dispatched_locals: set[int] = set()
        for year, (starts_on, _, _) in plan.YEARS.items():
            programme_year = self.programme.years[year]
            current: dict[str, list[tuple[Person, Organisation]]] = defaultdict(list)
            for code, count in self.programme.dispatch_counts[year].items():
                county = self.places.counties[code]
                returning = list(previous.get(code, []))
                local_senders = [
                    o
                    for o in self.programme.local_organisations.get(code, [])
                    if o.registered_on <= starts_on
                ]
                if code == plan.CHENGKOU:
                    local_senders = [self.programme.yangguang]
                for slot in range(count):
                    started = starts_on + dt.timedelta(days=rng.randint(0, 20))
                    station: Station | None = None
                    if year == 2018 and code == plan.CHENGKOU and slot == 0:
                        person, sender = workforce.worker, self.programme.yangguang
                        station = self.programme.jiming_station
                    else:
                        local_hire = bool(local_senders) and (code == plan.CHENGKOU or rng.random() < 0.1)
                        if returning and rng.random() < (0.6 if local_hire else 0.2):
                            person, sender = returning.pop(rng.randrange(len(returning)))
                        elif local_hire:
                            taken = dispatched_locals | reserved
                            candidates = [p for p in self.pool[code] if id(p) not in taken]
                            person, sender = rng.choice(candidates), rng.choice(local_senders)
                            dispatched_locals.add(id(person))
                        else:
                            sender = self.sender_for(code)
                            person = self.outsider(sender, year)
                    if station is None:
                        open_stations = [
                            s
                            for s in self.programme.stations[code]
                            if s.opened_on is None or s.opened_on <= started
                        ]
                        station = rng.choice(open_stations)
                    dispatch = self._dispatch(
                        person, programme_year, sender, county, station, started, code, year
                    )
                    made.append(dispatch)
                    if (
                        dispatch.status == Status.COMPLETED
                        and dispatch.assessment != Dispatch.Assessment.FAIL
                    ):
                        current[code].append((person, sender))
            previous = current
        return made

    def _dispatch(
        self,
        person: Person,
        programme_year: ProgrammeYear,
        sender: Organisation,
        county: Region,
        station: Station,
        started: dt.date,
        code: str,
        year: int,
    ) -> Dispatch:
        rng = self.rng
        planned_end = Dispatch.default_planned_end(started)
        dispatch = Dispatch(
            person=person,
            programme_year=programme_year,
            sending_organisation=sender,
            county=county,
            station=station,
            started_on=started,
            planned_end_on=planned_end,
        )
        share = plan.LEFT_EARLY_SHARE_CHENGKOU if code == plan.CHENGKOU else plan.LEFT_EARLY_SHARE
        if year == max(plan.YEARS):
            # Still serving on 2018-07-10, except the odd one who has already left.
            if rng.random() < share / 3 and code != plan.CHENGKOU:
                dispatch.status = Status.LEFT_EARLY
                dispatch.ended_on = random_date(rng, started + dt.timedelta(days=45), dt.date(2018, 6, 30))
                dispatch.leave_reason = rng.choice(plan.LEAVE_REASONS)
        elif rng.random() < share:
            dispatch.status = Status.LEFT_EARLY
            dispatch.ended_on = started + dt.timedelta(days=rng.randint(45, 300))
            dispatch.leave_reason = rng.choice(plan.LEAVE_REASONS)
        else:
            dispatch.status = Status.COMPLETED
            dispatch.ended_on = planned_end
            dispatch.assessment = rng.choices(
                [Dispatch.Assessment.EXCELLENT, Dispatch.Assessment.PASS, Dispatch.Assessment.FAIL],
                weights=[25, 72, 3],
            )[0]
        return dispatch

    # Trainees --------------------------------------------------------------------------------

    def trainees(self, reserved: set[int]) -> list[Trainee]:
        """147 trainees who completed, half of them certified already; ids in `reserved` are left out."""
        rng = self.rng
        made: list[Trainee] = []
        trained: set[int] = set()
        for year, counts in self.programme.trainee_counts.items():
            programme_year = self.programme.years[year]
            for code, count in counts.items():
                county = self.places.counties[code]
                for _ in range(count):
                    taken = trained | reserved
                    candidates = [p for p in self.pool[code] if id(p) not in taken]
                    if candidates and rng.random() < 0.5:
                        person = rng.choice(candidates)
                    else:
                        person = self.people.person(
                            county=county, born=random_date(rng, dt.date(1970, 1, 1), dt.date(1994, 12, 31))
                        )
                    trained.add(id(person))
                    made.append(self._trainee(person, programme_year, county, year))
        return made

    def _trainee(self, person: Person, programme_year: ProgrammeYear, county: Region, year: int) -> Trainee:
        rng = self.rng
        township = rng.choice(self.places.townships[county.code])
        local = self.programme.local_organisations.get(county.code, [])
        employer = next((o for o in local if o.pk == person.organisation_id), None)
        if employer is not None:
            workplace = employer.name
        elif local and rng.random() < 0.3:
            workplace = rng.choice(local).name
        else:
            workplace = township.name + ("办事处" if township.name.endswith("街道") else "人民政府")
        ministry = rng.random() < 0.3
        if year == max(plan.YEARS):
            completed = random_date(rng, dt.date(year, 6, 4), dt.date(year, 6, 29))
        else:
            completed = random_date(rng, dt.date(year, 10, 15), dt.date(year, 11, 30))
        return Trainee(
            person=person,
            programme_year=programme_year,
            county=county,
            workplace=workplace,
            course_name="民政部社会工作专业人才服务“三区”计划培训班"
            if ministry
            else "重庆市“三区”计划本土社会工作人才培养对象培训班",
            course_level=Trainee.CourseLevel.MINISTRY if ministry else Trainee.CourseLevel.MUNICIPAL,
            hours=40 if ministry else rng.choice([56, 64, 72]),
            completed_on=completed,
        )

    # All of it ---------------------------------------------------------------------------------

    def build(self) -> Workforce:
        self.certified_pool()
        workforce = self.mentor_and_worker()
        dispatches = self.dispatches(workforce)
        trainees = self.trainees({id(workforce.worker), id(workforce.mentor)})
        self.people.save()
        Certificate.objects.bulk_create(self.certificates, batch_size=500)
        Dispatch.objects.bulk_create(dispatches, batch_size=500)
        Trainee.objects.bulk_create(trainees, batch_size=500)
        Supervision.objects.create(
            supervisor=workforce.mentor, supervisee=workforce.worker, started_on=dt.date(2018, 3, 15)
        )
        return workforce


def build_workforce(rng: random.Random, programme: Programme) -> Workforce:
    return WorkforceBuilder(rng, programme).build()
