"""The authorization matrix's world: one record of every kind in 城口 and the same in 万州.

城口's records belong to the personas of `sanqu.testing` (the worker 李晓梅 at 鸡鸣乡's station, her
supervisor, 阳光 and its manager, 城口's county section); 万州's to a worker, a supervisor and a
manager of 万州's association made here, so the county officers of each side have the other's ids
to probe. Records are made through the services where a stage depends on the one before (cases,
claims, evaluations, visits), and directly where a plain row is all a page needs.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from sanqu.accounts.models import User
from sanqu.accounts.roles import Role
from sanqu.api.models import ApiToken
from sanqu.api.tokens import token_create
from sanqu.bulletins.models import Bulletin, Recipient
from sanqu.bulletins.services import bulletin_create
from sanqu.cases.models import CommunityActivity, Group, GroupMember, ServiceRecord, ServiceType
from sanqu.cases.services import case_closure, case_referrals
from sanqu.cases.services.service_records import service_record_create
from sanqu.cases.tests.case_factories import evaluate, in_intervention
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.figures.models import ReportFile
from sanqu.figures.snapshots import take_snapshot
from sanqu.incentives.services import claim_file
from sanqu.incentives.tests.factories import make_certificate, make_policy, scan
from sanqu.ledgers.models import LedgerImport
from sanqu.lib import idnumber
from sanqu.orgs.models import Organisation
from sanqu.projects import evaluation_services, project_services, visit_services
from sanqu.projects.models import (
    IndicatorScore,
    LivelihoodProject,
    MonitoringVisit,
    ProgrammeYear,
    ReceivingCounty,
    ReportTemplate,
)
from sanqu.projects.report_services import report_start
from sanqu.projects.tests.factories import make_project, make_scheme, make_template
from sanqu.publicity.tests.factories import make_article, news_tree
from sanqu.regions.models import Region, Station
from sanqu.testing import World, make_person, make_user
from sanqu.training.models import CourseSession, Trainee, TrainingCourse
from sanqu.volunteers.models import Volunteer, VolunteerService
from sanqu.volunteers.services import certificate_issue
from sanqu.workforce import team_services
from sanqu.workforce.models import (
    Dispatch,
    Person,
    Supervision,
    SupervisionFollowUp,
    SupervisionSession,
    TeamMember,
)

TODAY = dt.date(2018, 7, 10)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_volunteer_numbers = itertools.count(40)


@dataclass
class Side:
    """The people of one county: its section, a manager, a worker and her supervisor."""

    county: Region
    township: Region
    station: Station
    organisation: Organisation
    officer: User
    manager: User
    worker: User
    mentor: User
    worker_person: Person
    mentor_person: Person


@dataclass
class Records:
    """One record of each kind of one county, by the name the URL table uses for its id."""

    ids: dict[str, int | str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> int | str:
        return self.ids[key]


@dataclass
class AuthzWorld:
    world: World
    chengkou: Records
    wanzhou: Records
    common: Records  # city-wide records: bulletins, recipients, courses, the persona's own token


def build(world: World) -> AuthzWorld:
    year = ProgrammeYear.objects.create(
        year=2018, starts_on=dt.date(2018, 1, 1), ends_on=dt.date(2018, 12, 31), case_approval_required=True
    )
    ProgrammeYear.objects.create(year=2017, starts_on=dt.date(2017, 1, 1), ends_on=dt.date(2017, 12, 31))
    chengkou = Side(
        county=world.chengkou,
        township=world.jiming,
        station=world.station,
        organisation=world.yangguang,
        officer=world["chengkou"],
        manager=world["yangguang"],
        worker=world["worker"],
        mentor=world["mentor"],
        worker_person=world.worker_person,
        mentor_person=world.mentor_person,
    )
    wanzhou = _wanzhou_side(world)
    common = _common(world, year)
    return AuthzWorld(
        world=world,
        chengkou=_county_records(world, chengkou, year, common),
        wanzhou=_county_records(world, wanzhou, year, common),
        common=common,
    )


def _wanzhou_side(world: World) -> Side:
    town = Region.objects.create(
        code="500101001", name="高笋塘街道", level=Region.Level.TOWNSHIP, parent=world.wanzhou
    )
    station = Station.objects.create(name="高笋塘社会工作站", kind=Station.Kind.STATION, region=town)
    worker_person = make_person("赵万州", world.wanzhou, organisation=world.wanzhou_org, address="500101")
    mentor_person = make_person(
        "钱督导", world.wanzhou, organisation=world.wanzhou_org, address="500101", born=dt.date(1976, 4, 4)
    )
    Supervision.objects.create(
        supervisor=mentor_person, supervisee=worker_person, started_on=dt.date(2017, 3, 1)
    )
    return Side(
        county=world.wanzhou,
        township=town,
        station=station,
        organisation=world.wanzhou_org,
        officer=world["wanzhou"],
        manager=make_user(
            "wz_manager", (Role.ORG_MANAGER, world.wanzhou, {"organisation": world.wanzhou_org})
        ),
        worker=make_user("wz_worker", (Role.SOCIAL_WORKER, town, {"person": worker_person})),
        mentor=make_user("wz_mentor", (Role.SUPERVISOR, world.wanzhou, {"person": mentor_person})),
        worker_person=worker_person,
        mentor_person=mentor_person,
    )


def _common(world: World, year: ProgrammeYear) -> Records:
    records = Records()
    course = TrainingCourse.objects.create(
        programme_year=year,
        name="重庆市“三区”计划本土社会工作人才培养对象培训班",
        level=TrainingCourse.Level.MUNICIPAL,
        organiser="重庆市民政局",
        place="重庆市社会工作培训基地",
        starts_on=dt.date(2018, 5, 14),
        ends_on=dt.date(2018, 5, 18),
        required_hours=Decimal(8),
    )
    session = CourseSession.objects.create(
        course=course,
        held_on=dt.date(2018, 5, 14),
        kind=CourseSession.Kind.LECTURE,
        topic="社会工作伦理与价值",
        hours=Decimal(8),
    )
    records.ids.update(course=course.pk, course_session=session.pk)
    tree = news_tree()
    article = make_article(tree.columns["local"], editor=world["editor"], reviewer=world["reviewer"])
    recipient = Recipient.objects.create(department="市委办公厅", email="swbgt@example.cn", kind="report")
    bulletin = bulletin_create(
        actor=world["editor"],
        title="2018年上半年工作动态",
        scope=world.chongqing,
        as_of=TODAY,
        articles=[article],
        foreword="现将今年上半年各地“三区”计划实施中的几项工作编发如下。",
    )
    issued = bulletin_create(
        actor=world["editor"],
        title="2018年第一季度工作动态",
        scope=world.chongqing,
        as_of=dt.date(2018, 3, 31),
        articles=[article],
    )
    issued.status, issued.year, issued.number, issued.issued_on = Bulletin.Status.ISSUED, 2018, 1, TODAY
    issued.pdf.save("bulletin-2018-1.pdf", ContentFile(PDF), save=False)
    issued.save()
    records.ids.update(bulletin=bulletin.pk, issued_bulletin=issued.pk, recipient=recipient.pk)
    tokens = {
        username: token_create(actor=world[username], name="对接", origin=ApiToken.Origin.SESSION).token.pk
        for username in world.users
    }
    records.ids.update({f"token:{username}": pk for username, pk in tokens.items()})
    return records


def _county_records(world: World, side: Side, year: ProgrammeYear, common: Records) -> Records:
    r = Records()
    ids = r.ids
    ReceivingCounty.objects.create(
        programme_year=year, county=side.county, dispatch_quota=5, training_quota=5
    )
    ids.update(
        person=side.worker_person.pk,
        region_code=side.county.code,
        station=side.station.pk,
        organisation=side.organisation.pk,
    )
    dispatch = Dispatch.objects.create(
        person=side.worker_person,
        programme_year=year,
        sending_organisation=side.organisation,
        county=side.county,
        station=side.station,
        started_on=dt.date(2018, 2, 20),
        planned_end_on=dt.date(2019, 2, 19),
    )
    ids["dispatch"] = dispatch.pk

    # Team work and supervision.
    team = team_services.team_create(
        actor=side.officer,
        name=f"{side.township.name}社会工作服务团队",
        county=side.county,
        station=side.station,
        organisation=side.organisation,
        formed_on=dt.date(2018, 3, 1),
    )
    member = team_services.team_member_add(
        actor=side.officer,
        team=team,
        person=side.worker_person,
        role=TeamMember.Role.DISPATCHED,
        joined_on=dt.date(2018, 3, 1),
    )
    session = team_services.supervision_session_record(
        actor=side.mentor,
        supervisees=[side.worker_person],
        held_on=dt.date(2018, 6, 20),
        format=SupervisionSession.Format.INDIVIDUAL,
        duration_hours=Decimal("1.5"),
        topics="个案预估的方法",
        notes="讨论了如何与独居老人建立关系。",
        cases=[],
        follow_ups=[
            team_services.FollowUpInput(
                action="补充家庭支持评估", owner=side.worker_person, due_on=dt.date(2018, 7, 31)
            )
        ],
    )
    follow_up = SupervisionFollowUp.objects.get(session=session)
    ids.update(team=team.pk, team_member=member.pk, session=session.pk, follow_up=follow_up.pk)

    # Volunteers.
    volunteer_person = Person(name=f"{side.county.name}志愿者", county=side.county)
    volunteer_person.set_id_number(
        idnumber.make(side.county.code, dt.date(1996, 3, 8), 2 * next(_volunteer_numbers))
    )
    volunteer_person.save()
    volunteer = Volunteer.objects.create(
        person=volunteer_person,
        county=side.county,
        station=side.station,
        organisation=side.organisation,
        registered_on=dt.date(2016, 3, 1),
        skills="急救",
    )
    VolunteerService.objects.create(
        volunteer=volunteer,
        county=side.county,
        served_on=dt.date(2018, 3, 5),
        hours=Decimal(4),
        content="探访",
    )
    certificate = certificate_issue(
        actor=side.officer,
        volunteer=volunteer,
        period_start=dt.date(2018, 1, 1),
        period_end=dt.date(2018, 6, 30),
        issuer=f"{side.county.name}民政局",
    )
    ids.update(volunteer=volunteer.pk, volunteer_certificate=certificate.pk)

    # Training: a trainee of the county on the city's course.
    trainee_person = make_person(
        f"{side.county.name}学员", side.county, address=side.county.code, born=dt.date(1988, 3, 9)
    )
    trainee = Trainee.objects.create(
        person=trainee_person,
        programme_year=year,
        county=side.county,
        course_id=common["course"],
        workplace="乡人民政府",
    )
    ids["trainee"] = trainee.pk

    # Incentives: a policy of the county and the worker's claim under it, with a scanned certificate.
    policy = make_policy(side.county, effective_from=dt.date(2016, 1, 1))
    work_certificate = make_certificate(side.worker_person)
    claim = claim_file(
        actor=side.worker,
        person=side.worker_person,
        policy=policy,
        certificate=work_certificate,
        claimed_on=dt.date(2018, 6, 1),
        evidence=[scan()],
    )
    ids.update(policy=policy.pk, claim=claim.pk, claim_evidence=claim.evidence.get().pk)

    # Case work: a case in intervention, one closed (its closure awaiting review), a referral.
    case_world = _as_world(world, side)
    mine = make_beneficiary(f"{side.county.name}对象", side.township, worker=side.worker_person)
    case = in_intervention(case_world, mine)
    ids.update(beneficiary=mine.pk, case=case.pk, plan=case.plans.get().pk)
    second = evaluate(case_world, in_intervention(case_world))
    closure = case_closure.closure_submit(
        actor=side.worker,
        case=second,
        closed_on=dt.date(2018, 7, 5),
        reason=case_closure.Closure.Reason.GOAL_MET,
        summary="目标达成",
    )
    ids["closure"] = closure.pk
    referral = case_referrals.referral_create(
        actor=side.worker,
        case=case,
        referred_on=dt.date(2018, 7, 1),
        reason="需要法律援助",
        receiver=case_referrals.ReceiverInput(to_station=side.station),
    )
    ids["referral"] = referral.pk
    service_type = ServiceType.objects.filter(active=True).order_by("pk").first()
    assert service_type is not None
    record = service_record_create(
        actor=side.worker,
        served_on=dt.date(2018, 6, 1),
        service_type=service_type,
        method=ServiceRecord.Method.CASE,
        duration_hours=Decimal(1),
        case=case,
    )
    ids["service_record"] = record.pk

    # Group work and a community activity.
    group = Group.objects.create(
        name=f"{side.township.name}留守儿童合唱团",
        county=side.county,
        region=side.township,
        station=side.station,
        organisation=side.organisation,
        worker=side.worker_person,
        purpose="每周一次合唱练习。",
        planned_sessions=8,
        started_on=dt.date(2018, 5, 2),
    )
    group_member = GroupMember.objects.create(group=group, beneficiary=mine, joined_on=dt.date(2018, 5, 2))
    activity = CommunityActivity.objects.create(
        name="重阳节敬老活动",
        kind=CommunityActivity.Kind.CULTURAL,
        held_on=dt.date(2017, 10, 28),
        place="敬老院",
        county=side.county,
        region=side.township,
        station=side.station,
        organisation=side.organisation,
        worker=side.worker_person,
    )
    ids.update(group=group.pk, group_member=group_member.pk, activity=activity.pk)

    # Projects: the organisation's project with a milestone, a report, a visit with an action closed
    # with a file, an evaluation scored with a file; a livelihood project.
    project = make_project(case_world, county=side.county, organisation=side.organisation, year=2018)
    project.plan_document.save("实施方案.pdf", ContentFile(PDF), save=False)
    project.plan_document_name, project.plan_content_type = "实施方案.pdf", "application/pdf"
    project.save()
    milestone = project_services.milestone_add(
        actor=world["city"], project=project, title="完成需求评估", due_on=dt.date(2018, 9, 30)
    )
    template = ReportTemplate.objects.filter(programme_year=year).first() or make_template(year)
    report = report_start(
        actor=side.manager, project=project, template=template, period_start=dt.date(2018, 6, 1)
    )
    visit = visit_services.visit_plan(
        actor=side.officer,
        project=project,
        kind=MonitoringVisit.Kind.INSPECTION,
        planned_on=dt.date(2018, 6, 1),
        visitors="督查组",
        purpose="季度督查",
        visited_on=dt.date(2018, 6, 5),
        findings="个案记录不完整。",
    )
    action = visit_services.action_add(
        actor=side.officer,
        visit=visit,
        action="补齐个案记录",
        owner=side.manager,
        due_on=dt.date(2018, 7, 30),
    )
    action = visit_services.action_close(
        actor=side.manager,
        action=action,
        outcome="已补齐。",
        evidence=SimpleUploadedFile("整改报告.pdf", PDF, content_type="application/pdf"),
        closed_on=dt.date(2018, 7, 1),
    )
    scheme = make_scheme(f"{side.county.name}评估指标")
    evaluation = evaluation_services.evaluation_start(
        actor=side.officer,
        project=project,
        kind="midterm",
        scheme=scheme,
        evaluated_on=dt.date(2018, 7, 1),
        evaluators="张某、李某",
    )
    indicator = scheme.indicators.order_by("sort_order").first()
    assert indicator is not None
    evaluation_services.evaluation_score(
        actor=side.officer,
        evaluation=evaluation,
        scores={
            indicator.pk: (
                Decimal(30),
                "",
                SimpleUploadedFile("台账.pdf", PDF, content_type="application/pdf"),
            )
        },
    )
    livelihood = LivelihoodProject.objects.create(
        name=f"{side.township.name}蜂蜜合作社",
        kind=LivelihoodProject.Kind.COOPERATIVE,
        county=side.county,
        region=side.township,
        organisation=side.organisation,
        started_on=dt.date(2018, 3, 1),
        households_reached=12,
    )
    ids.update(
        project=project.pk,
        milestone=milestone.pk,
        report=report.pk,
        visit=visit.pk,
        action=action.pk,
        evaluation=evaluation.pk,
        score=IndicatorScore.objects.get(evaluation=evaluation).pk,
        livelihood=livelihood.pk,
    )

    # Figures: a snapshot and a written results report of the county; a ledger import by its officer.
    snapshot = take_snapshot(actor=side.officer, scope=side.county, as_of=TODAY, reason="manual")
    report_file = ReportFile.objects.create(
        scope=side.county,
        as_of=TODAY,
        format=ReportFile.Format.PDF,
        status=ReportFile.Status.DONE,
        percent=100,
        requested_by=side.officer,
    )
    report_file.file.save(f"results-{side.county.code}.pdf", ContentFile(PDF), save=False)
    report_file.size = len(PDF)
    report_file.save()
    entry = LedgerImport(
        kind="organisation",
        file_name="组织台账.csv",
        sha256="0" * 64,
        size=10,
        imported_by=side.officer,
        outcome=LedgerImport.Outcome.PREVIEWED,
        rows=1,
        rejected=1,
        errors=[{"row": 2, "column": "名称", "message": "必填"}],
    )
    entry.file.save(
        "ledger.csv", ContentFile("名称,类型,区县,登记日期\n,社会团体,城口,2018-01-02\n".encode()), save=False
    )
    entry.save()
    ids.update(snapshot=snapshot.pk, results_report=report_file.pk, ledger_import=entry.pk)
    return r


def _as_world(world: World, side: Side) -> World:
    """The shared world with this side's worker and supervisor as `worker` and `mentor`, for the
    case factories (which act as those two)."""
    clone = World(
        world.chongqing,
        side.county,
        side.township,
        world.wanzhou,
        side.organisation,
        world.wanzhou_org,
        side.station,
        side.worker_person,
        side.mentor_person,
    )
    clone.users = {**world.users, "worker": side.worker, "mentor": side.mentor, "city": world["city"]}
    return clone
