"""Loading the demo into the database: emptiness check, reset and the whole build in one go."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Model, ProtectedError, Q, RestrictedError
from django.utils.translation import gettext as _

from sanqu.accounts.models import Membership, User
from sanqu.bulletins.demo import build_bulletins
from sanqu.bulletins.models import Bulletin, BulletinDelivery, BulletinItem, Recipient
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
    FollowUp,
    GoalAttainment,
    Group,
    GroupAttendance,
    GroupMember,
    GroupSession,
    Household,
    Intake,
    PlanGoal,
    Referral,
    ServiceRecord,
)
from sanqu.demo import plan
from sanqu.demo.accounts import USERNAMES, build_accounts
from sanqu.demo.builder import build_programme
from sanqu.demo.cases import build_casework
from sanqu.demo.casework import Casework
from sanqu.demo.dispatch_terms import build_dispatch_terms
from sanqu.demo.groupwork import build_groupwork
from sanqu.demo.incentives import build_incentives
from sanqu.demo.projects import build_projects
from sanqu.demo.teams import build_teams
from sanqu.demo.training import build_training_courses
from sanqu.demo.volunteers import build_volunteers
from sanqu.demo.workforce import build_workforce
from sanqu.incentives.models import ClaimEvidence, ExamAttempt, IncentiveClaim, IncentivePolicy, PolicyRate
from sanqu.orgs.models import Organisation
from sanqu.projects.models import (
    EvaluationIndicator,
    EvaluationScheme,
    IndicatorScore,
    LivelihoodMeasure,
    LivelihoodProject,
    Milestone,
    MonitoringVisit,
    PeriodicReport,
    ProgrammeYear,
    Project,
    ProjectEvaluation,
    ReceivingCounty,
    ReportEvent,
    ReportField,
    ReportReminder,
    ReportTemplate,
    VisitAction,
)
from sanqu.publicity.demo import build_publicity
from sanqu.regions.models import Station
from sanqu.training.models import Attendance, CourseSession, Trainee, TrainingCourse
from sanqu.volunteers.models import (
    Commendation,
    Volunteer,
    VolunteerCertificate,
    VolunteerService,
    VolunteerTraining,
)
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

# The domain records the demo writes, in an order that deletes children before parents. Regions
# stay (load_regions is idempotent and records elsewhere may point at them), and so do user
# accounts and the audit trail: accounts are refreshed, the audit trail is never edited.
DOMAIN_MODELS: list[type[Model]] = [
    BulletinDelivery,
    BulletinItem,
    Bulletin,
    Recipient,
    # issue 5 models: projects
    VisitAction,
    MonitoringVisit,
    IndicatorScore,
    ProjectEvaluation,
    EvaluationIndicator,
    EvaluationScheme,
    ReportReminder,
    ReportEvent,
    PeriodicReport,
    ReportField,
    ReportTemplate,
    Milestone,
    Project,
    ClaimEvidence,
    IncentiveClaim,
    PolicyRate,
    ExamAttempt,
    Attendance,
    CourseSession,
    Trainee,
    TrainingCourse,
    VolunteerCertificate,
    Commendation,
    VolunteerTraining,
    VolunteerService,
    Volunteer,
    SupervisionFollowUp,
    SupervisionSession,
    TeamMember,
    Team,
    ServiceRecord,
    GroupAttendance,
    GroupSession,
    GroupMember,
    Group,
    CommunityAttendance,
    CommunityActivity,
    LivelihoodMeasure,
    LivelihoodProject,
    GoalAttainment,
    Evaluation,
    PlanGoal,
    CasePlan,
    Assessment,
    Intake,
    Closure,
    FollowUp,
    Referral,
    Case,
    Beneficiary,
    Household,
    Supervision,
    Certificate,
    Dispatch,
    Trainee,
    IncentivePolicy,
    ReceivingCounty,
    ProgrammeYear,
    Station,
    Person,
    Organisation,
]


def database_is_empty() -> bool:
    """No programme data yet (regions and user accounts alone do not count)."""
    return not any(model._default_manager.exists() for model in (ProgrammeYear, Organisation, Person))


def flush_domain_data() -> None:
    """Delete the programme's records, and the memberships that point at them or at demo users."""
    Membership.objects.filter(
        Q(user__username__in=USERNAMES) | Q(organisation__isnull=False) | Q(person__isnull=False)
    ).delete()
    for model in DOMAIN_MODELS:
        try:
            model._default_manager.all().delete()
        except (ProtectedError, RestrictedError) as error:
            blocking = sorted({str(obj._meta.verbose_name) for obj in error.args[1]})
            raise CommandError(
                _("无法清空%(model)s：仍有%(blocking)s记录引用它们。")
                % {"model": model._meta.verbose_name, "blocking": "、".join(blocking)}
            ) from error


def refresh_statistics() -> None:
    """On PostgreSQL, the planner's statistics of the tables just filled (in this transaction): with
    those of the empty tables it chose nested loops that took minutes for the teams' look-ups."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@dataclass(frozen=True)
class Loaded:
    memberships: list[Membership]
    regions_report: str


def load_demo(*, reset: bool, password: str) -> Loaded:
    """Regions, then the programme, people and accounts, all in one transaction."""
    with transaction.atomic(), rollups.deferred():
        regions_output = io.StringIO()
        call_command("load_regions", stdout=regions_output)
        if not database_is_empty():
            if not reset:
                raise CommandError(
                    _("数据库中已有业务数据，未载入演示数据。要清空后重新载入，请使用 --reset。")
                )
            flush_domain_data()
        rng = random.Random(plan.SEED)  # noqa: S311 (made-up data that must be the same every run)
        programme = build_programme(rng)
        workforce = build_workforce(rng, programme)
        memberships = build_accounts(programme=programme, workforce=workforce, password=password)
        casework = Casework(
            rng, programme, worker=workforce.worker, mentor_user=User.objects.get(username="mentor")
        )
        build_casework(rng, casework)
        build_groupwork(rng, casework)
        build_dispatch_terms()
        refresh_statistics()
        build_teams(worker=workforce.worker, mentor=workforce.mentor)
        build_volunteers()
        build_training_courses()
        build_incentives(worker=workforce.worker)
        # issue 5 demo: projects
        build_projects()
        # issue 8 demo: the public news column, written and reviewed by the demo's editor and reviewer
        build_publicity()
        build_bulletins()  # two issued bulletins made from that news, sent through the mail backend
    return Loaded(memberships=memberships, regions_report=regions_output.getvalue())
