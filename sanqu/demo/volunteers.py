"""The demo's volunteers: a few hundred in the receiving counties, 2013 to 2018-07-10.

Each county has volunteers in proportion to its workforce (`plan.WEIGHTS`): villagers, students
and retired teachers registered at a station, some through a local organisation. Their hours are
service only; about half of them help at the county's community activities (linked, on the
activity's day), the rest visit homes, tutor children and so on. Some took a training, a few were
commended on 5 December (国际志愿者日), and the busiest have a certificate for 2017. Volunteers
join the service teams of their station (or county) if the teams part built any.

Own random generator: nothing drawn here changes what the shared one gives the other parts, and
no figure of the seed changes (volunteers are people, but no figure counts people as such).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from sanqu.cases.models import CommunityActivity
from sanqu.demo import plan
from sanqu.demo.casework import workday
from sanqu.demo.people import PeopleMaker, random_date
from sanqu.orgs.models import Organisation
from sanqu.projects.models import ReceivingCounty
from sanqu.regions.models import Region, Station
from sanqu.volunteers.models import (
    Commendation,
    Volunteer,
    VolunteerCertificate,
    VolunteerService,
    VolunteerTraining,
)
from sanqu.volunteers.services import summarise
from sanqu.workforce.models import Person, Team, TeamMember

SEED = 4403
AS_OF = plan.AS_OF
PER_WEIGHT = 12  # volunteers per unit of a county's weight: about 350 in all
FIRST_DAY = dt.date(2013, 6, 1)

SKILLS = [
    "急救", "手工", "文艺表演", "课业辅导", "心理陪伴", "法律咨询", "理发", "摄影", "电脑维修",
    "农技指导", "厨艺", "书法", "广场舞", "驾驶", "医疗护理", "方言翻译", "家电维修", "编织",
]  # fmt: skip
AVAILABILITY = ["周末", "寒暑假", "每周三下午", "农闲时节", "工作日晚上", "随叫随到", "节假日"]
# What volunteers do when not helping at an activity: content, and where.
WORK = [
    ("入户探访留守老人", "村民家中"),
    ("留守儿童课业辅导", "村社会工作室"),
    ("陪伴困境儿童", "村社会工作室"),
    ("协助开展政策宣传", "村委会院坝"),
    ("为高龄老人理发、打扫卫生", "村民家中"),
    ("协助残疾人康复训练", "村民家中"),
    ("整理服务台账和活动资料", "乡镇社会工作站"),
    ("环境卫生清扫", "村道与院坝"),
    ("协助组织亲子活动", "村小学"),
]
TRAININGS = [
    ("志愿服务基础知识", Decimal(4)),
    ("应急救护培训", Decimal(6)),
    ("留守儿童陪伴技巧", Decimal(3)),
    ("老年人照护常识", Decimal(4)),
    ("社会工作理念与方法入门", Decimal(8)),
]
HOURS = [Decimal(v) for v in ("1", "1.5", "2", "2", "2.5", "3", "3", "4", "5", "6")]
CERTIFICATES = 12


def build_volunteers() -> None:
    """Volunteers with hours, training, commendations, certificates and team places."""
    rng = random.Random(SEED)  # noqa: S311 (made-up data that must be the same every run)
    counties = list(Region.objects.filter(pk__in=ReceivingCounty.objects.values("county")).order_by("code"))
    if not counties:
        return
    volunteers = _register(rng, counties)
    services = _services(rng, volunteers)
    _training_and_commendations(rng, volunteers)
    _certificates(volunteers, services)
    _join_teams(rng, volunteers)


def _register(rng: random.Random, counties: list[Region]) -> list[Volunteer]:
    stations: dict[int, list[Station]] = defaultdict(list)
    for station in Station.objects.select_related("region").order_by("region__code", "name"):
        for county in counties:
            if station.region.path.startswith(county.path):
                stations[county.pk].append(station)
    organisations: dict[int, list[Organisation]] = defaultdict(list)
    for organisation in Organisation.objects.filter(home_county__in=counties).order_by("name"):
        organisations[organisation.home_county_id].append(organisation)
    taken = set(Person.objects.values_list("id_hash", flat=True))
    maker = PeopleMaker.for_database(rng)
    volunteers: list[Volunteer] = []
    for county in counties:
        count = round(plan.WEIGHTS.get(county.code, 1.0) * PER_WEIGHT)
        for _ in range(count):
            born = random_date(rng, dt.date(1950, 1, 1), dt.date(2000, 6, 30))
            person = maker.person(county=county, born=born, phone=rng.random() < 0.7)
            while person.id_hash in taken:  # someone already on file: draw another
                maker.made.pop()
                person = maker.person(county=county, born=born, phone=rng.random() < 0.7)
            taken.add(person.id_hash)
            registered = random_date(rng, max(FIRST_DAY, born.replace(year=born.year + 16)), AS_OF)
            in_county = stations.get(county.pk, [])
            skills = rng.sample(SKILLS, rng.randint(0, 3))
            volunteers.append(
                Volunteer(
                    person=person,
                    county=county,
                    station=rng.choice(in_county) if in_county and rng.random() < 0.8 else None,
                    organisation=rng.choice(organisations[county.pk])
                    if organisations[county.pk] and rng.random() < 0.35
                    else None,
                    registered_on=registered,
                    skills="、".join(skills),
                    availability=rng.choice(AVAILABILITY) if rng.random() < 0.6 else "",
                )
            )
    maker.save()
    for volunteer in volunteers:
        # The person was unsaved when assigned; assigning it again takes the id bulk_create gave it.
        volunteer.person = volunteer.person
    return Volunteer.objects.bulk_create(volunteers, batch_size=500)


def _services(rng: random.Random, volunteers: list[Volunteer]) -> dict[int, list[VolunteerService]]:
    activities: dict[int, list[CommunityActivity]] = defaultdict(list)
    for row in CommunityActivity.objects.order_by("held_on", "id"):
        activities[row.county_id].append(row)
    made: dict[int, list[VolunteerService]] = defaultdict(list)
    for volunteer in volunteers:
        months = max(1, (AS_OF - volunteer.registered_on).days // 30)
        count = min(60, rng.randint(0, 2) + round(months * rng.uniform(0.1, 0.8)))
        near = [a for a in activities[volunteer.county_id] if a.held_on >= volunteer.registered_on]
        helps = rng.random() < 0.5
        per_day: dict[dt.date, Decimal] = defaultdict(Decimal)
        linked: set[int] = set()
        for _ in range(count):
            hours = rng.choice(HOURS)
            activity: CommunityActivity | None = (
                rng.choice(near) if helps and near and rng.random() < 0.4 else None
            )
            if activity is not None and activity.pk not in linked:
                linked.add(activity.pk)
                day, content, place = activity.held_on, activity.name, activity.place
                hours = min(hours, Decimal(activity.duration_hours) + 1)
            else:
                activity = None
                day = workday(random_date(rng, volunteer.registered_on, AS_OF))
                if day > AS_OF:
                    continue
                content, place = rng.choice(WORK)
            if per_day[day] + hours > 24:
                continue
            per_day[day] += hours
            made[volunteer.pk].append(
                VolunteerService(
                    volunteer=volunteer,
                    county_id=volunteer.county_id,
                    served_on=day,
                    hours=hours,
                    content=content,
                    place=place,
                    activity=activity,
                )
            )
    VolunteerService.objects.bulk_create([s for rows in made.values() for s in rows], batch_size=1000)
    return made


def _training_and_commendations(rng: random.Random, volunteers: list[Volunteer]) -> None:
    trainings: list[VolunteerTraining] = []
    commendations: list[Commendation] = []
    for volunteer in volunteers:
        if rng.random() < 0.4:
            for title, hours in rng.sample(TRAININGS, rng.randint(1, 2)):
                trainings.append(
                    VolunteerTraining(
                        volunteer=volunteer,
                        trained_on=workday(random_date(rng, volunteer.registered_on, AS_OF)),
                        title=title,
                        hours=hours,
                    )
                )
        years = [
            y
            for y in range(volunteer.registered_on.year, 2018)
            if dt.date(y, 12, 5) > volunteer.registered_on
        ]
        if years and rng.random() < 0.06:
            county = volunteer.county.short_name or volunteer.county.name
            commendations.append(
                Commendation(
                    volunteer=volunteer,
                    awarded_on=dt.date(rng.choice(years), 12, 5),
                    title=rng.choice(["优秀志愿者", "最美志愿者", "优秀志愿服务个人"]),
                    awarded_by=rng.choice([f"{volunteer.county.name}民政局", f"共青团{county}委员会"]),
                )
            )
    VolunteerTraining.objects.bulk_create([t for t in trainings if t.trained_on <= AS_OF], batch_size=1000)
    Commendation.objects.bulk_create(commendations, batch_size=1000)


def _certificates(volunteers: list[Volunteer], services: dict[int, list[VolunteerService]]) -> None:
    """A 2017 certificate for the busiest volunteers, issued in January 2018 by the county's bureau."""
    start, end = dt.date(2017, 1, 1), dt.date(2017, 12, 31)
    by_hours = []
    for volunteer in volunteers:
        rows = sorted(
            (s for s in services.get(volunteer.pk, []) if start <= s.served_on <= end),
            key=lambda s: s.served_on,
        )
        if rows:
            by_hours.append((sum((s.hours for s in rows), Decimal(0)), volunteer.pk, volunteer, rows))
    by_hours.sort(key=lambda row: (-row[0], row[1]))
    serials: dict[str, int] = defaultdict(int)
    certificates = []
    for total, _pk, volunteer, rows in by_hours[:CERTIFICATES]:
        serials[volunteer.county.code] += 1
        certificates.append(
            VolunteerCertificate(
                volunteer=volunteer,
                number=f"2018-{volunteer.county.code}-{serials[volunteer.county.code]:04d}",
                issued_on=dt.date(2018, 1, 15),
                issuer=f"{volunteer.county.name}民政局",
                period_start=start,
                period_end=end,
                holder_name=volunteer.person.name,
                holder_id_number=volunteer.person.id_number,
                total_hours=total,
                service_count=len(rows),
                content_summary=summarise(rows),
            )
        )
    VolunteerCertificate.objects.bulk_create(certificates)


def _join_teams(rng: random.Random, volunteers: list[Volunteer]) -> None:
    """Volunteers join a team of their station (or of their county) while it exists."""
    teams = list(Team.objects.order_by("id"))
    if not teams:
        return
    by_station: dict[int, list[Team]] = defaultdict(list)
    by_county: dict[int, list[Team]] = defaultdict(list)
    for team in teams:
        by_county[team.county_id].append(team)
        if team.station_id:
            by_station[team.station_id].append(team)
    members: list[TeamMember] = []
    for volunteer in volunteers:
        choices = by_station.get(volunteer.station_id or 0) or by_county.get(volunteer.county_id, [])
        if not choices or rng.random() < 0.4:
            continue
        team = rng.choice(choices)
        joined = max(volunteer.registered_on, team.formed_on)
        end = min(team.disbanded_on or AS_OF, AS_OF)
        if joined > end:
            continue
        left = random_date(rng, joined, end) if rng.random() < 0.2 else team.disbanded_on
        members.append(
            TeamMember(
                team=team,
                person=volunteer.person,
                role=TeamMember.Role.VOLUNTEER,
                joined_on=joined,
                left_on=left,
            )
        )
    TeamMember.objects.bulk_create(members, batch_size=1000)
