"""The demo's service teams and supervision sessions, read from the dispatches already built.

Every station where dispatched workers served has a team: its dispatched workers for their terms,
one or two local (certified, never dispatched) workers of the county, and the county's supervisor
(城口's is the demo's `mentor`; elsewhere a 社会工作师 of the county). A station with nobody serving
on the demo's today has a disbanded team. Volunteers are added by the volunteers part.

The mentor gives the worker a session every two to three weeks from March 2018, discussing some of
her cases; the follow-ups agreed there are partly done, partly open, some overdue.

Nothing here changes a figure: no person, dispatch, certificate or case is added or changed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db.models import Exists, OuterRef

from sanqu.accounts.models import User
from sanqu.cases.models import Case
from sanqu.demo import plan
from sanqu.regions.models import Station
from sanqu.workforce.models import (
    Certificate,
    Dispatch,
    Person,
    Supervision,
    SupervisionFollowUp,
    SupervisionSession,
    Team,
    TeamMember,
)

SEED = 4402
AS_OF = plan.AS_OF
# Two dispatches of one person at one station this close together are one stay in the team.
CONTINUOUS_DAYS = 45

Role = TeamMember.Role

TEAM_NAMES = [
    "{place}社会工作服务团队",
    "{place}“三区”社工服务队",
    "{place}社工站服务团队",
    "{place}社会工作服务队",
]

TOPICS = [
    ("个案预估：如何评估独居老人的社会支持网络", ["overview", "assessment"]),
    ("服务计划的目标如何写得具体、可测量", ["plan"]),
    ("留守儿童个案的家庭探访技巧", ["visit"]),
    ("与服务对象建立专业关系，把握边界", ["relationship"]),
    ("社工的情绪耗竭与自我照顾", ["selfcare"]),
    ("个案记录的客观表述", ["records"]),
    ("链接村委会和镇卫生院资源", ["resources"]),
    ("结案评估与跟进安排", ["closure"]),
]

NOTES = [
    "社工介绍了近期的服务进展，督导就重点个案逐一讨论，肯定了入户频率，提醒注意记录的及时性。",
    "围绕服务计划的目标设定进行讨论，督导建议把“改善情绪”细化为可观察的行为指标。",
    "社工反映部分家庭对服务有顾虑，督导与社工一起分析原因，商定先通过村干部介绍建立信任。",
    "讨论了社工近期的工作压力，督导分享了时间管理和情绪调适的方法，约定下次督导回顾。",
    "督导查阅了个案记录，指出部分描述带有主观判断，示范了客观表述的写法。",
]

ACTIONS = [
    ("补充服务对象的家庭支持情况评估", "已补充，并更新了预估记录"),
    ("修改服务计划中的目标表述", "已修改并提交督导审核"),
    ("联系村委会了解低保办理进度", "村委会已受理，等待乡镇审核"),
    ("整理近一个月的个案记录", "已整理完毕"),
    ("链接镇卫生院安排上门体检", "卫生院已安排家庭医生上门"),
    ("准备下次督导讨论的个案材料", "已准备"),
    ("阅读《个案工作》相关章节", "已阅读并写了学习心得"),
]
MENTOR_ACTIONS = [
    ("提供个案预估量表", "已发给社工"),
    ("联系机构安排社工参加培训", "已报名 9 月的市级培训"),
]


class TeamBuilder:
    def __init__(self, *, worker: Person, mentor: Person) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 (made-up data that must be the same every run)
        self.worker = worker
        self.mentor = mentor
        self.members: list[TeamMember] = []
        self.used_locals: set[int] = set()
        self.names: set[tuple[int, str]] = set()

    # Teams ----------------------------------------------------------------------------------------

    def stays(self, dispatches: list[Dispatch]) -> list[tuple[Person, dt.date, dt.date | None]]:
        """Each person's time at the station: consecutive dispatches make one stay."""
        by_person: dict[int, list[Dispatch]] = defaultdict(list)
        for dispatch in dispatches:
            by_person[dispatch.person_id].append(dispatch)
        stays: list[tuple[Person, dt.date, dt.date | None]] = []
        for terms in by_person.values():
            terms.sort(key=lambda d: d.started_on)
            start, end = terms[0].started_on, self.term_end(terms[0])
            for term in terms[1:]:
                if end is not None and term.started_on > end + dt.timedelta(days=CONTINUOUS_DAYS):
                    stays.append((terms[0].person, start, end))
                    start = term.started_on
                end = self.term_end(term)
            stays.append((terms[0].person, start, end))
        return stays

    @staticmethod
    def term_end(dispatch: Dispatch) -> dt.date | None:
        """The last day in the team, or None while still serving on the demo's today."""
        end = dispatch.ended_on if dispatch.ended_on is not None else dispatch.planned_end_on
        if dispatch.status == Dispatch.Status.SERVING or end >= AS_OF:
            return None
        return end

    def supervisors(self) -> dict[int, Person]:
        """One supervisor per county: 城口's mentor, elsewhere a 社会工作师 never dispatched."""
        chosen: dict[int, Person] = {self.mentor.county_id: self.mentor}
        intermediate = (
            Certificate.objects.filter(level=Certificate.Level.INTERMEDIATE, obtained_on__lte=AS_OF)
            .filter(~Exists(Dispatch.objects.filter(person=OuterRef("person_id"))))
            .exclude(person__in=[self.worker, self.mentor])
            .select_related("person")
            .order_by("person__county__code", "obtained_on", "person_id")
        )
        for certificate in intermediate:
            chosen.setdefault(certificate.person.county_id, certificate.person)
        return chosen

    def locals_by_county(self, exclude: set[int]) -> dict[int, list[Person]]:
        people: dict[int, list[Person]] = defaultdict(list)
        certified = (
            Person.objects.filter(
                Exists(Certificate.objects.filter(person=OuterRef("pk"), obtained_on__lte=AS_OF)),
                ~Exists(Dispatch.objects.filter(person=OuterRef("pk"))),
            )
            .exclude(pk__in=exclude)
            .order_by("county__code", "id")
        )
        for person in certified:
            people[person.county_id].append(person)
        return people

    def build_teams(self) -> None:
        rng = self.rng
        dispatches = Dispatch.objects.filter(station__isnull=False).select_related(
            "person", "station__region"
        )
        by_station: dict[int, list[Dispatch]] = defaultdict(list)
        for dispatch in dispatches:
            if dispatch.station_id is not None:
                by_station[dispatch.station_id].append(dispatch)
        stations = Station.objects.filter(pk__in=by_station).select_related("region", "organisation")
        supervisors = self.supervisors()
        exclude = {person.pk for person in supervisors.values()} | {self.worker.pk}
        local_pool = self.locals_by_county(exclude)
        for station in sorted(stations, key=lambda s: (s.region.code, s.name)):
            terms = by_station[station.pk]
            county_id = terms[0].county_id
            stays = self.stays(terms)
            formed = min(start for _, start, _ in stays)
            ends = [end for _, _, end in stays]
            disbanded = None if any(end is None for end in ends) else max(e for e in ends if e is not None)
            senders: dict[int, int] = defaultdict(int)
            for term in terms:
                senders[term.sending_organisation_id] += 1
            organisation_id = station.organisation_id or max(senders, key=lambda pk: (senders[pk], -pk))
            name = rng.choice(TEAM_NAMES).format(place=station.region.name)
            if (county_id, name) in self.names:
                name = f"{station.name}服务团队"
            self.names.add((county_id, name))
            team = Team.objects.create(
                name=name,
                county_id=county_id,
                station=station,
                organisation_id=organisation_id,
                formed_on=formed,
                disbanded_on=disbanded,
            )
            supervisor = supervisors.get(county_id)
            if supervisor is not None:
                self.member(team, supervisor, Role.SUPERVISOR, formed, disbanded)
            for person, start, end in stays:
                self.member(team, person, Role.DISPATCHED, start, end)
            pool = [p for p in local_pool.get(county_id, []) if p.pk not in self.used_locals]
            for person in rng.sample(pool, min(len(pool), rng.choice([1, 1, 2]))):
                self.used_locals.add(person.pk)
                last = disbanded or AS_OF
                joined = formed + dt.timedelta(days=rng.randint(0, max(0, min(120, (last - formed).days))))
                left = disbanded
                if left is None and rng.random() < 0.2 and (AS_OF - joined).days > 90:
                    left = joined + dt.timedelta(days=rng.randint(60, (AS_OF - joined).days - 1))
                self.member(team, person, Role.LOCAL, joined, left)
        TeamMember.objects.bulk_create(self.members, batch_size=500)

    def member(self, team: Team, person: Person, role: str, joined: dt.date, left: dt.date | None) -> None:
        self.members.append(TeamMember(team=team, person=person, role=role, joined_on=joined, left_on=left))

    # Supervision -----------------------------------------------------------------------------------

    def build_sessions(self, mentor_user: User | None) -> None:
        rng = self.rng
        link = (
            Supervision.objects.filter(supervisor=self.mentor, supervisee=self.worker)
            .order_by("started_on")
            .first()
        )
        if link is None:
            return
        cases = list(Case.objects.filter(worker=self.worker).order_by("opened_on", "id"))
        day = link.started_on + dt.timedelta(days=5)
        topics = list(TOPICS)
        rng.shuffle(topics)
        number = 0
        while day <= AS_OF - dt.timedelta(days=2):
            held_on = day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)
            if held_on > AS_OF:
                break
            topic, _tags = topics[number % len(topics)]
            session_format = rng.choices(
                [SupervisionSession.Format.INDIVIDUAL, SupervisionSession.Format.ON_SITE,
                 SupervisionSession.Format.REMOTE],
                weights=[5, 3, 2],
            )[0]  # fmt: skip
            session = SupervisionSession.objects.create(
                supervisor=self.mentor,
                county_id=self.mentor.county_id,
                held_on=held_on,
                format=session_format,
                duration_hours=Decimal(rng.choice(["1.0", "1.5", "1.5", "2.0"])),
                topics=topic,
                notes=rng.choice(NOTES),
                recorded_by=mentor_user,
            )
            session.supervisees.set([self.worker])
            open_then = [case for case in cases if case.opened_on <= held_on]
            if open_then:
                session.cases.set(rng.sample(open_then, min(len(open_then), rng.choice([1, 2, 2, 3]))))
            self.follow_ups(session)
            number += 1
            day = held_on + dt.timedelta(days=rng.randint(14, 21))

    def follow_ups(self, session: SupervisionSession) -> None:
        rng = self.rng
        rows = []
        for action, outcome in rng.sample(ACTIONS, rng.choice([1, 2])):
            rows.append((action, outcome, self.worker))
        if rng.random() < 0.3:
            action, outcome = rng.choice(MENTOR_ACTIONS)
            rows.append((action, outcome, self.mentor))
        for action, outcome, owner in rows:
            due = session.held_on + dt.timedelta(days=rng.choice([7, 10, 14, 21]))
            done_on = None
            if due < AS_OF - dt.timedelta(days=10) and rng.random() < 0.8:
                done_on = min(
                    AS_OF,
                    session.held_on + dt.timedelta(days=rng.randint(3, (due - session.held_on).days + 5)),
                )
            SupervisionFollowUp.objects.create(
                session=session,
                action=action,
                owner=owner,
                due_on=due,
                done_on=done_on,
                outcome=outcome if done_on else "",
            )


def build_teams(*, worker: Person, mentor: Person) -> None:
    """Teams at every station where dispatched workers served, and the mentor's sessions for the worker."""
    builder = TeamBuilder(worker=worker, mentor=mentor)
    builder.build_teams()
    builder.build_sessions(User.objects.filter(username="mentor").first())
