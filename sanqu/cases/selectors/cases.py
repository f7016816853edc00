"""Who sees which case, and the working views of cases: caseload, review queue, county list, timeline.

The circles are the beneficiaries' (sanqu.cases.selectors.beneficiaries):

- **in full**: the county officer of the case's county, the case's worker, and that worker's
  supervisor;
- **listed**: the city office and leadership, and the manager of the case's organisation; never
  a case of a restricted beneficiary (a child under 14, community correction, released prisoner),
  which exists for them only in aggregate figures.

Everything else answers 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from sanqu.accounts.models import User
from sanqu.accounts.roles import Role
from sanqu.accounts.scoping import Scope, get_or_404, scope_of
from sanqu.cases.models import Beneficiary, Case, CasePlan, Closure, Referral, ServiceRecord
from sanqu.cases.selectors.beneficiaries import restricted_q
from sanqu.cases.services.case_referrals import can_answer_referral
from sanqu.cases.services.case_rules import can_review, is_case_worker, supervisee_ids, worker_person_ids
from sanqu.cases.services.cases import RISK_FLAGS, current_plan
from sanqu.lib import clock

# An open case with no service for this many days is overdue for a visit.
NO_SERVICE_DAYS = 30


def _paths_q(scope: Scope, *roles: str) -> Q:
    paths: tuple[str, ...] = ()
    for role in roles:
        paths += scope.paths_by_role.get(role, ())
    return scope.region_q("county", paths) if paths else Q(pk__in=[])


def _in_full_q(scope: Scope) -> Q:
    query = _paths_q(scope, Role.COUNTY_OFFICER)
    if scope.person_ids:  # a worker herself; a supervisor also covers the supervisees
        query |= Q(worker__in=scope.person_ids)
    return query


def _listed_q(scope: Scope) -> Q:
    query = _paths_q(scope, Role.CITY_ADMIN, Role.CITY_VIEWER)
    if scope.organisation_ids:
        query |= Q(organisation__in=scope.organisation_ids)
    return query


def _restricted_cases_q(today: dt.date) -> Q:
    return Q(beneficiary__in=Beneficiary.objects.filter(restricted_q(today)).values("pk"))


def cases_for(user: User, *, today: dt.date | None = None) -> QuerySet[Case]:
    """Every case the user may see (restricted ones only by the in-full circle)."""
    scope = scope_of(user)
    cases = Case.objects.select_related("beneficiary", "worker", "county", "organisation", "station")
    if scope.superuser:
        return cases
    if scope.is_empty:
        return cases.none()
    today = today or clock.today()
    return cases.filter(_in_full_q(scope) | (_listed_q(scope) & ~_restricted_cases_q(today)))


def cases_in_full_for(user: User) -> QuerySet[Case]:
    scope = scope_of(user)
    cases = Case.objects.select_related("beneficiary", "worker", "county")
    if scope.superuser:
        return cases
    return cases.filter(_in_full_q(scope))


def get_case_for_user(user: User, pk: Any, *, write: bool = False) -> Case:
    """The case, or 404 out of scope; with `write`, 403 unless the user is the case's worker."""
    case = get_or_404(cases_for(user), pk=pk)
    if write and not is_case_worker(user, case):
        raise PermissionDenied
    return case


# Overdue flags.


def with_flags(cases: QuerySet[Case], *, today: dt.date) -> QuerySet[Case]:
    """Annotate each case with what is overdue: no service, plan review, an unanswered referral."""
    last_service = (
        ServiceRecord.objects.filter(case=OuterRef("pk")).order_by("-served_on").values("served_on")[:1]
    )
    review_due = CasePlan.objects.filter(
        case=OuterRef("pk"), status=CasePlan.Status.APPROVED, review_due_on__lt=today
    )
    referral_late = Referral.objects.filter(
        case=OuterRef("pk"), status=Referral.Status.PENDING, answer_due_on__lt=today
    )
    returned = CasePlan.objects.filter(case=OuterRef("pk")).order_by("-version").values("status")[:1]
    cutoff = today - dt.timedelta(days=NO_SERVICE_DAYS)
    cases = cases.annotate(
        last_served=Greatest(
            Coalesce(F("last_service_on"), F("opened_on")),
            Coalesce(last_service, F("opened_on")),
        ),
        last_service_day=Coalesce(last_service, F("last_service_on")),
        plan_review_due=Exists(review_due),
        referral_overdue=Exists(referral_late),
        plan_awaiting=Exists(CasePlan.objects.filter(case=OuterRef("pk"), status=CasePlan.Status.SUBMITTED)),
        closure_awaiting=Exists(Closure.objects.filter(case=OuterRef("pk"), status=Closure.Status.SUBMITTED)),
        latest_plan_status=returned,
    )
    return cases.annotate(
        no_service=Q(status=Case.Status.OPEN, last_served__lt=cutoff),
        overdue=Q(status=Case.Status.OPEN, last_served__lt=cutoff)
        | Q(plan_review_due=True, status=Case.Status.OPEN)
        | Q(referral_overdue=True),
    )


def overdue_q(kind: str, *, today: dt.date) -> Q:
    """A filter on annotated cases: one kind of overdue ('service', 'plan', 'referral') or any."""
    return {
        "service": Q(no_service=True),
        "plan": Q(plan_review_due=True, status=Case.Status.OPEN),
        "referral": Q(referral_overdue=True),
    }.get(kind, Q(overdue=True))


@dataclass
class StageGroup:
    key: str
    label: str
    cases: list[Case] = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return sum(1 for case in self.cases if getattr(case, "overdue", False))


def caseload_for(worker: User, *, today: dt.date | None = None) -> list[StageGroup]:
    """The worker's open cases by stage, and the cases referred out awaiting an answer."""
    today = today or clock.today()
    cases = with_flags(
        Case.objects.select_related("beneficiary").filter(worker__in=worker_person_ids(worker)),
        today=today,
    )
    groups = [StageGroup(key=stage, label=str(label)) for stage, label in Case.Stage.choices[:-1]]
    by_key = {group.key: group for group in groups}
    referred = StageGroup(key="referred", label=str(_("转介中")))
    pending_referral = Referral.objects.filter(case=OuterRef("pk"), status=Referral.Status.PENDING)
    active = cases.filter(
        Q(status=Case.Status.OPEN) | Q(Exists(pending_referral), status=Case.Status.REFERRED)
    )
    for case in active.order_by("-overdue", "opened_on", "pk"):  # type: ignore[misc]
        if case.status == Case.Status.REFERRED:
            referred.cases.append(case)
        else:
            by_key[case.stage].cases.append(case)
    return [*groups, referred]


# The review queue: plans and closures awaiting approval, referrals awaiting an answer.


@dataclass
class ReviewQueue:
    plans: list[CasePlan]
    closures: list[Closure]
    referrals: list[Referral]

    @property
    def total(self) -> int:
        return len(self.plans) + len(self.closures) + len(self.referrals)


def _reviewable_q(user: User, prefix: str) -> Q:
    scope = scope_of(user)
    query = Q(**{f"{prefix}worker__in": supervisee_ids(user)})
    for path in scope.paths_by_role.get(Role.COUNTY_OFFICER, ()):
        query |= Q(**{f"{prefix}county__path__startswith": path})
    if scope.superuser:
        query = Q()
    return query & ~Q(**{f"{prefix}worker__in": worker_person_ids(user)})


def review_queue_for(user: User) -> ReviewQueue:
    """What awaits this user: supervisees' (or the county's) plans and closures, referrals to answer."""
    scope = scope_of(user)
    plans = (
        CasePlan.objects.filter(status=CasePlan.Status.SUBMITTED)
        .filter(_reviewable_q(user, "case__"))
        .select_related("case__beneficiary", "case__worker")
        .prefetch_related("goals")
        .order_by("drafted_on", "pk")
    )
    closures = (
        Closure.objects.filter(status=Closure.Status.SUBMITTED)
        .filter(_reviewable_q(user, "case__"))
        .select_related("case__beneficiary", "case__worker")
        .order_by("closed_on", "pk")
    )
    answerable = Q(pk__in=[])
    for path in scope.paths_by_role.get(Role.COUNTY_OFFICER, ()):
        answerable |= Q(case__county__path__startswith=path)
    if scope.organisation_ids:
        answerable |= Q(to_organisation__in=scope.organisation_ids)
        answerable |= Q(to_station__organisation__in=scope.organisation_ids)
    if scope.superuser:
        answerable = Q()
    referrals = (
        Referral.objects.filter(status=Referral.Status.PENDING)
        .filter(answerable)
        .select_related("case__beneficiary", "case__worker", "to_organisation", "to_station")
        .order_by("answer_due_on", "pk")
    )
    return ReviewQueue(plans=list(plans), closures=list(closures), referrals=list(referrals))


def has_review_queue(user: User) -> bool:
    """Whether anything can await this user: supervisors, county sections and sending organisations."""
    return scope_of(user).has_role(Role.SUPERVISOR, Role.COUNTY_OFFICER, Role.ORG_MANAGER)


def review_label_for(user: User) -> str:
    """The review queue's name in the navigation: a supervisor reviews; others answer referrals too."""
    scope = scope_of(user)
    if scope.superuser:
        return ""
    if Role.SUPERVISOR in scope.roles:
        return str(_("督导审批"))
    if scope.roles & {Role.COUNTY_OFFICER, Role.ORG_MANAGER}:
        return str(_("审批与转介"))
    return ""


def sees_county_cases(user: User) -> bool:
    return Role.COUNTY_OFFICER in scope_of(user).roles


def get_plan_for_review(user: User, pk: Any) -> CasePlan:
    plan = get_or_404(CasePlan.objects.select_related("case"), pk=pk)
    get_case_for_user(user, plan.case_id)
    return plan


def get_closure_for_review(user: User, pk: Any) -> Closure:
    closure = get_or_404(Closure.objects.select_related("case"), pk=pk)
    get_case_for_user(user, closure.case_id)
    return closure


def get_referral_for_answer(user: User, pk: Any) -> Referral:
    """The referral for its receiver (who may not otherwise see the case); 404 for anyone else."""
    referral = get_or_404(
        Referral.objects.select_related("case__beneficiary", "case__county", "to_organisation", "to_station"),
        pk=pk,
    )
    if not can_answer_referral(user, referral):
        get_case_for_user(user, referral.case_id)  # 404 out of scope
        raise PermissionDenied
    return referral


# The county officer's list.


def county_cases_for(
    user: User,
    *,
    stage: str = "",
    worker: int | None = None,
    overdue: str = "",
    today: dt.date | None = None,
) -> QuerySet[Case]:
    """The cases of the county officer's counties, with the filters of the list."""
    today = today or clock.today()
    scope = scope_of(user)
    cases = Case.objects.select_related("beneficiary", "worker", "organisation")
    if not scope.superuser:
        cases = cases.filter(_paths_q(scope, Role.COUNTY_OFFICER))
    cases = with_flags(cases, today=today)
    if stage:
        cases = cases.filter(stage=stage)
    if worker:
        cases = cases.filter(worker=worker)
    if overdue:
        cases = cases.filter(overdue_q(overdue, today=today))
    return cases.order_by("-overdue", "-opened_on", "-pk")  # type: ignore[misc]


# One case's timeline.


@dataclass(frozen=True)
class TimelineEntry:
    day: dt.date
    kind: str
    obj: Any
    order: int = 0


def case_timeline(case: Case) -> list[TimelineEntry]:
    """Everything recorded on the case, oldest first (a day's records in the order of the stages)."""
    entries: list[TimelineEntry] = []
    if hasattr(case, "intake"):
        labels = dict(RISK_FLAGS)
        case.intake.risk_labels = [str(labels.get(flag, flag)) for flag in case.intake.risk_flags]  # type: ignore[attr-defined]
        entries.append(TimelineEntry(case.intake.recorded_on, "intake", case.intake, 0))
    entries += [TimelineEntry(a.assessed_on, "assessment", a, 1) for a in case.assessments.all()]
    entries += [
        TimelineEntry(p.drafted_on, "plan", p, 2)
        for p in case.plans.select_related("reviewed_by").prefetch_related("goals")
    ]
    entries += [
        TimelineEntry(s.served_on, "service", s, 3)
        for s in case.service_records.select_related("service_type", "worker").order_by("served_on", "pk")
    ]
    entries += [TimelineEntry(r.referred_on, "referral", r, 4) for r in case.referrals.select_related(
        "to_organisation", "to_station")]  # fmt: skip
    entries += [
        TimelineEntry(e.evaluated_on, "evaluation", e, 5)
        for e in case.evaluations.prefetch_related("attainments__goal")
    ]
    entries += [
        TimelineEntry(c.closed_on, "closure", c, 6) for c in case.closures.select_related("reviewed_by")
    ]
    entries += [TimelineEntry(f.followed_on, "follow_up", f, 7) for f in case.follow_ups.all()]
    return sorted(entries, key=lambda entry: (entry.day, entry.order, entry.obj.pk))


@dataclass(frozen=True)
class CaseActions:
    """What the user may do on the case now (the buttons of the case page)."""

    assessment: bool = False
    plan: bool = False
    evaluation: bool = False
    closure: bool = False
    follow_up: bool = False
    referral: bool = False
    reopen: bool = False
    service: bool = False
    review_plan: CasePlan | None = None
    review_closure: Closure | None = None
    answer_referral: Referral | None = None

    @property
    def any(self) -> bool:
        return any(
            (self.assessment, self.plan, self.evaluation, self.closure, self.follow_up, self.referral,
             self.reopen, self.review_plan, self.review_closure, self.answer_referral)
        )  # fmt: skip


def case_actions(user: User, case: Case) -> CaseActions:
    pending_referral = case.referrals.filter(status=Referral.Status.PENDING).first()
    answer = pending_referral if pending_referral and can_answer_referral(user, pending_referral) else None
    reviewer = can_review(user, case)
    review_plan = case.plans.filter(status=CasePlan.Status.SUBMITTED).first() if reviewer else None
    review_closure = case.closures.filter(status=Closure.Status.SUBMITTED).first() if reviewer else None
    if not is_case_worker(user, case):
        return CaseActions(review_plan=review_plan, review_closure=review_closure, answer_referral=answer)
    is_open = case.status == Case.Status.OPEN
    has_plan = current_plan(case) is not None
    closure_pending = case.closures.filter(status=Closure.Status.SUBMITTED).exists()
    return CaseActions(
        assessment=is_open,
        plan=is_open and case.assessments.exists(),
        evaluation=is_open and has_plan,
        closure=is_open and not closure_pending,
        follow_up=case.status == Case.Status.CLOSED,
        referral=is_open,
        reopen=case.status != Case.Status.OPEN and pending_referral is None,
        service=is_open and has_plan,
        answer_referral=answer,
    )


def case_workers_in(cases: QuerySet[Case]) -> list[tuple[int, str]]:
    """The workers holding the listed cases (the worker filter's choices)."""
    rows = cases.order_by().values_list("worker_id", "worker__name").distinct()
    return sorted(set(rows), key=lambda row: row[1])
