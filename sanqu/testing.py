"""The test world: a small programme and the named personas every view test uses.

城口 (500229) and 万州 (500101) are two receiving counties; `worker` is a social worker posted in
城口, `mentor` supervises her, `chengkou` is 城口's county officer and `wanzhou` the outsider from
万州; `yangguang` manages the sending organisation; `city` and `leader` sit at the municipality.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from sanqu.accounts.models import Membership, User
from sanqu.accounts.roles import Role
from sanqu.lib import creditcode, idnumber
from sanqu.orgs.models import Organisation
from sanqu.regions.models import Region, Station
from sanqu.workforce.models import Person, Supervision

PASSWORD = "Test-password-2026"  # noqa: S105


@dataclass
class World:
    chongqing: Region
    chengkou: Region
    jiming: Region
    wanzhou: Region
    yangguang: Organisation
    wanzhou_org: Organisation
    station: Station
    worker_person: Person
    mentor_person: Person
    users: dict[str, User] = field(default_factory=dict)

    def __getitem__(self, username: str) -> User:
        return self.users[username]


# Sequence codes for made-up ID numbers: 900 per birth date, then the next day (a test process
# of the whole suite makes more than 900 people).
_sequence = itertools.count()


def make_person(
    name: str,
    county: Region,
    *,
    organisation: Organisation | None = None,
    born: dt.date | None = None,
    address: str = "500229",
) -> Person:
    person = Person(name=name, county=county, organisation=organisation)
    number = next(_sequence)
    day = (born or dt.date(1990, 5, 17)) + dt.timedelta(days=number // 900)
    person.set_id_number(idnumber.make(address, day, 100 + number % 900))
    person.full_clean()
    person.save()
    return person


def make_user(username: str, *memberships: tuple[str, Region, dict[str, object]]) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=username)
    for role, region, extra in memberships:
        Membership.objects.create(user=user, role=role, region=region, **extra)
    return user


def build_world() -> World:
    chongqing = Region.objects.create(code="500000", name="重庆市", level=Region.Level.PROVINCE)
    chengkou = Region.objects.create(
        code="500229", name="城口县", level=Region.Level.COUNTY, parent=chongqing
    )
    jiming = Region.objects.create(
        code="500229212", name="鸡鸣乡", level=Region.Level.TOWNSHIP, parent=chengkou
    )
    wanzhou = Region.objects.create(code="500101", name="万州区", level=Region.Level.COUNTY, parent=chongqing)
    yangguang = Organisation.objects.create(
        name="重庆扬光社会工作服务中心",
        kind=Organisation.Kind.SOCIAL_SERVICE_AGENCY,
        credit_code=creditcode.make("52", "500105", "MJ0000001"),
        home_county=chengkou,
        registered_on=dt.date(2012, 6, 1),
    )
    wanzhou_org = Organisation.objects.create(
        name="万州区社会工作协会",
        kind=Organisation.Kind.ASSOCIATION,
        home_county=wanzhou,
        registered_on=dt.date(2015, 3, 1),
    )
    station = Station.objects.create(name="鸡鸣乡社会工作站", kind=Station.Kind.STATION, region=jiming)
    worker_person = make_person("李晓梅", chengkou, organisation=yangguang)
    mentor_person = make_person("王建国", chengkou, organisation=yangguang, born=dt.date(1975, 2, 3))
    Supervision.objects.create(
        supervisor=mentor_person, supervisee=worker_person, started_on=dt.date(2017, 3, 1)
    )
    world = World(
        chongqing, chengkou, jiming, wanzhou, yangguang, wanzhou_org, station, worker_person, mentor_person
    )
    world.users = {
        "city": make_user("city", (Role.CITY_ADMIN, chongqing, {})),
        "leader": make_user("leader", (Role.CITY_VIEWER, chongqing, {})),
        "chengkou": make_user("chengkou", (Role.COUNTY_OFFICER, chengkou, {})),
        "wanzhou": make_user("wanzhou", (Role.COUNTY_OFFICER, wanzhou, {})),
        "yangguang": make_user("yangguang", (Role.ORG_MANAGER, chengkou, {"organisation": yangguang})),
        "worker": make_user("worker", (Role.SOCIAL_WORKER, jiming, {"person": worker_person})),
        "mentor": make_user("mentor", (Role.SUPERVISOR, chengkou, {"person": mentor_person})),
        "editor": make_user("editor", (Role.EDITOR, chongqing, {})),
        "reviewer": make_user("reviewer", (Role.REVIEWER, chongqing, {})),
    }
    return world
