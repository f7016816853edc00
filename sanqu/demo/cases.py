"""The demo's cases: intake, assessment, plan and approval, intervention, evaluation, closure.

`CaseMaker.case` runs one case forward from its opening, a stage at a time, and stops at whatever
would come after 2018-07-10 (a plan drafted but not yet approved stays submitted, a closure not
yet approved keeps the case in evaluation). `demo_caseload` gives the `worker` account her 2018
caseload, one case per stage, with one overdue and one plan waiting for the `mentor`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from sanqu.cases.models import (
    Assessment,
    Beneficiary,
    Case,
    CasePlan,
    Closure,
    Evaluation,
    FollowUp,
    GoalAttainment,
    Intake,
    PlanGoal,
    Referral,
    ServiceRecord,
)
from sanqu.demo import plan, wording
from sanqu.demo.casework import AS_OF, Casework, Posting, Work, workday

Stage = Case.Stage
Reason = Closure.Reason


def days(low: int, high: int, rng: random.Random) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(low, high))


def at_office_hours(day: dt.date, rng: random.Random) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(9, 17), rng.choice((0, 15, 30)))))


@dataclass
class Running:
    """One case while it is being built: its records so far and who holds it now."""

    case: Case
    beneficiary: Beneficiary
    main: str
    posting: Posting
    stage: str = Stage.INTAKE
    plans: list[CasePlan] = field(default_factory=list)
    approved: CasePlan | None = None
    closed_on: dt.date | None = None
    last_service: dt.date | None = None


class CaseMaker:
    def __init__(self, casework: Casework) -> None:
        self.casework = casework
        self.rng = casework.rng
        self.work: Work = casework.work
        self.goals_of: dict[int, list[PlanGoal]] = defaultdict(list)  # id(plan) → goals

    # Records ------------------------------------------------------------------------------------

    def texts(self, running: Running) -> dict[str, object]:
        return wording.CASE_TEXTS[running.main]

    def holder(self, running: Running, day: dt.date) -> bool:
        """Hand the case to whoever serves in the county that day; False when nobody does."""
        posting = self.casework.worker_on(running.posting.county, day, running.posting)
        if posting is None:
            return False
        running.posting = posting
        return True

    def open(self, beneficiary: Beneficiary, posting: Posting, opened: dt.date) -> Running:
        county = posting.county
        case = Case(
            number="",  # given in order of opening when saved
            beneficiary=beneficiary,
            worker=posting.person,
            organisation=posting.organisation,
            county=self.casework.places.counties[county],
            station=posting.station,
            programme_year=posting.year,
            approval_required=posting.year.case_approval_required,
            opened_on=opened,
        )
        self.work.cases.append(case)
        running = Running(case, beneficiary, self.work.main_group[id(beneficiary)], posting)
        texts = self.texts(running)
        self.work.intakes.append(
            Intake(
                case=case,
                source=self.rng.choice(list(Intake.Source.values)),
                presenting_problem=str(texts["problem"]),
                risk_flags=["独居"] if running.main.endswith("elderly") and self.rng.random() < 0.3 else [],
                decision_reason="符合服务条件，本人（监护人）同意接受服务。",
                recorded_on=opened,
            )
        )
        return running

    def assess(self, running: Running, day: dt.date) -> None:
        texts = self.texts(running)
        self.work.assessments.append(
            Assessment(
                case=running.case,
                assessed_on=day,
                problems_needs=str(texts["needs"]),
                causes=self.rng.choice(wording.CAUSES),
                strengths_resources=str(texts["strengths"]),
                family_map_notes="与户籍家庭成员同住；主要支持来自祖辈/邻里。",
            )
        )
        running.stage = Stage.ASSESSMENT

    def draft(self, running: Running, day: dt.date) -> CasePlan:
        version = len(running.plans) + 1
        casePlan = CasePlan(
            case=running.case,
            version=version,
            drafted_on=day,
            schedule="每两周入户或面谈 1 次，三个月后评估。",
            status=CasePlan.Status.SUBMITTED,
        )
        running.plans.append(casePlan)
        self.work.plans.append(casePlan)
        for goal, objective in self.texts(running)["goals"]:  # type: ignore[attr-defined]
            made = PlanGoal(
                plan=casePlan,
                goal=goal,
                objective=objective,
                tasks="入户探访、面谈、链接资源",
                responsible=running.posting.person.name,
                due_on=day + dt.timedelta(days=90),
            )
            self.goals_of[id(casePlan)].append(made)
            self.work.goals.append(made)
        if running.stage != Stage.INTERVENTION:
            running.stage = Stage.PLAN
        return casePlan

    def review(self, running: Running, case_plan: CasePlan, day: dt.date, *, approve: bool = True) -> None:
        case_plan.reviewed_at = at_office_hours(day, self.rng)
        if running.posting.person.pk == self.casework.demo_worker.pk:
            case_plan.reviewed_by = self.casework.mentor_user
        if not approve:
            case_plan.status = CasePlan.Status.RETURNED
            case_plan.review_comment = "目标需可测量，请补充具体指标后重新提交。"
            return
        case_plan.status = CasePlan.Status.APPROVED
        case_plan.review_comment = "同意按计划介入。"
        case_plan.review_due_on = day + dt.timedelta(days=90)
        if running.approved is not None:
            running.approved.status = CasePlan.Status.SUPERSEDED
        running.approved = case_plan
        running.stage = Stage.INTERVENTION

    def serve(self, running: Running, day: dt.date) -> None:
        self.casework.service(running.beneficiary, running.posting, day, method=ServiceRecord.Method.CASE,
                              case=running.case)  # fmt: skip
        running.last_service = day

    def evaluate(self, running: Running, day: dt.date) -> None:
        rng = self.rng
        evaluation = Evaluation(
            case=running.case,
            evaluated_on=day,
            before_measure="介入前：自评 2 分（满分 5 分）",
            after_measure=f"介入后：自评 {rng.choice((3, 4, 4, 5))} 分",
            feedback=rng.choice(wording.FEEDBACK),
            summary="主要目标基本达成。",
        )
        self.work.evaluations.append(evaluation)
        assert running.approved is not None  # noqa: S101 (no evaluation without an approved plan)
        for goal in self.goals_of[id(running.approved)]:
            level = rng.choices(list(GoalAttainment.Level.values), weights=[70, 25, 5])[0]
            self.work.attainments.append(GoalAttainment(evaluation=evaluation, goal=goal, level=level))
        running.stage = Stage.EVALUATION

    def close(self, running: Running, day: dt.date, reason: str) -> bool:
        """Submit a closure and approve it if that happens by the demo's today; True when closed."""
        closure = Closure(
            case=running.case,
            closed_on=day,
            reason=reason,
            summary="服务目标达成，服务对象状况稳定。" if reason == Reason.GOAL_MET else "按结案原因结案。",
            follow_up_plan="结案后一个月、三个月各回访一次。",
        )
        self.work.closures.append(closure)
        approved_on = day + days(1, 5, self.rng)
        if approved_on > AS_OF:
            return False
        closure.status = Closure.Status.APPROVED
        closure.reviewed_at = at_office_hours(approved_on, self.rng)
        if running.posting.person.pk == self.casework.demo_worker.pk:
            closure.reviewed_by = self.casework.mentor_user
        running.stage = Stage.CLOSED
        running.closed_on = day
        for offset in (30, 90)[: self.rng.choice((0, 1, 1, 2))]:
            followed = workday(day + days(offset, offset + 20, self.rng))
            if followed <= AS_OF:
                self.work.follow_ups.append(
                    FollowUp(
                        case=running.case,
                        followed_on=followed,
                        notes=self.rng.choice(wording.FOLLOW_UP_NOTES),
                    )
                )
        return True

    def refer(self, running: Running, day: dt.date, *, answer_in: int | None) -> None:
        agency, reason = self.rng.choice(wording.REFERRAL_AGENCIES)
        referral = Referral(
            case=running.case, referred_on=day, to_agency=agency, reason=reason,
            answer_due_on=day + dt.timedelta(days=14),
        )  # fmt: skip
        if answer_in is not None and day + dt.timedelta(days=answer_in) <= AS_OF:
            referral.answered_on = day + dt.timedelta(days=answer_in)
            referral.status = self.rng.choices(
                [Referral.Status.ACCEPTED, Referral.Status.DECLINED], [85, 15]
            )[0]
            referral.answer_note = (
                "已接收，安排专人跟进。" if referral.status == "accepted" else "不符合受理条件。"
            )
        self.work.referrals.append(referral)

    # One case, forward in time -----------------------------------------------------------------

    def case(self, beneficiary: Beneficiary, posting: Posting) -> None:
        rng = self.rng
        opened = workday(beneficiary.registered_on + days(0, 20, rng))
        if opened > AS_OF or not posting.serves_on(opened):
            return self.casework.visits(beneficiary, posting, count=rng.randint(2, 6))
        running = self.open(beneficiary, posting, opened)
        if rng.random() < 0.04:  # referred at intake
            running.case.status = Case.Status.REFERRED
            self.work.intakes[-1].decision = Intake.Decision.REFER
            self.work.intakes[-1].decision_reason = "需求超出本站服务范围，转介专业部门。"
            self.refer(running, opened, answer_in=rng.randint(3, 20))
            return self.finish(running)
        self.episode(running, opened)
        if running.stage == Stage.CLOSED and running.closed_on and rng.random() < 0.05:
            reopened = workday(running.closed_on + days(60, 240, rng))
            if reopened <= AS_OF and self.holder(running, reopened):
                running.case.reopened_times = 1
                self.episode(running, reopened, reopening=True)
        return self.finish(running)

    def episode(self, running: Running, start: dt.date, *, reopening: bool = False) -> None:
        """From intake (or a reopening) to closure, stopping at the demo's today."""
        rng = self.rng
        main = running.main
        exit_on = start + days(10, 150, rng) if rng.random() < 0.08 else None
        exit_reason = rng.choice(
            [Reason.WITHDREW, Reason.MOVED_AWAY] + ([Reason.DIED] if main.endswith("elderly") else [])
        )

        def step(day: dt.date) -> dt.date | None:
            """The working day, if it is not after today and someone holds the case then."""
            day = workday(day)
            if exit_on is not None and exit_on <= day:
                exit_day = workday(exit_on)
                if exit_day <= AS_OF and self.holder(running, exit_day):
                    self.close(running, exit_day, exit_reason)
                return None
            if day > AS_OF or not self.holder(running, day):
                return None
            return day

        if (day := step(start + days(0 if reopening else 3, 12, rng))) is None:
            return
        self.assess(running, day)
        if (day := step(day + days(3, 10, rng))) is None:
            return
        case_plan = self.draft(running, day)
        if rng.random() < 0.08:
            if (day := step(day + days(1, 4, rng))) is None:
                return
            self.review(running, case_plan, day, approve=False)
            if (day := step(day + days(2, 5, rng))) is None:
                return
            case_plan = self.draft(running, day)
        if (day := step(day + days(1, 6, rng))) is None:
            return
        self.review(running, case_plan, day)
        evaluation_on = day + days(45, 150, rng)
        revise_on = day + days(30, 60, rng) if rng.random() < 0.1 else None
        refer_on = day + days(10, 40, rng) if rng.random() < 0.06 else None
        while True:
            if (day := step(day + days(5, 21, rng))) is None:
                return
            if day >= evaluation_on:
                break
            self.serve(running, day)
            if revise_on is not None and day >= revise_on:
                revise_on = None
                revision = self.draft(running, day)
                if (approved := step(day + days(1, 4, rng))) is None:
                    return
                self.review(running, revision, approved)
            if refer_on is not None and day >= refer_on:
                refer_on = None
                self.refer(running, day, answer_in=rng.choice((None, rng.randint(3, 12), rng.randint(3, 12))))
        self.evaluate(running, day)
        if (day := step(day + days(2, 14, rng))) is None:
            return
        reason = rng.choices([Reason.GOAL_MET, Reason.OTHER, Reason.REFERRED], weights=[85, 10, 5])[0]
        if reason == Reason.REFERRED:
            self.refer(running, day - dt.timedelta(days=7), answer_in=3)
        self.close(running, day, reason)

    def finish(self, running: Running) -> None:
        """Stage, status and holder as of the demo's today."""
        case = running.case
        case.stage = running.stage
        case.last_service_on = running.last_service
        if running.stage == Stage.CLOSED:
            case.status, case.closed_on = Case.Status.CLOSED, running.closed_on
        elif case.status != Case.Status.REFERRED and not running.posting.serves_on(AS_OF):
            # Still open: the county's serving worker holds it now.
            self.holder(running, AS_OF)
        case.worker = running.posting.person
        case.station = running.posting.station

    # The `worker` account's caseload ------------------------------------------------------------

    def demo_caseload(self) -> None:
        """Her 2018 cases at 鸡鸣乡, one per stage: one overdue, one plan and one closure for the mentor."""
        casework = self.casework
        posting = next(p for p in casework.postings[plan.CHENGKOU] if p.person.pk == casework.demo_worker.pk)
        villages = casework.villages_by_township[plan.JIMING]
        d = dt.date

        def person(kind: str, registered: dt.date, index: int, main: str) -> Beneficiary:
            made = casework.household(posting, registered, kind=kind, village=villages[index % len(villages)])
            return next((b for b in made if self.work.main_group[id(b)] == main), made[0])

        def run(running: Running, *, assessed: dt.date, drafted: dt.date | None = None,
                approved: dt.date | None = None, served: tuple[dt.date, ...] = ()) -> None:  # fmt: skip
            self.assess(running, assessed)
            if drafted is not None:
                case_plan = self.draft(running, drafted)
                if approved is not None:
                    self.review(running, case_plan, approved)
            for day in served:
                self.serve(running, day)

        # 1. Intake only: a left-behind child found at the school last week.
        child = person("grandparents_children", d(2018, 7, 4), 1, "left_behind_children")
        first = self.open(child, posting, d(2018, 7, 5))
        self.finish(first)
        # 2. Assessed, no plan yet.
        elder = person("elderly_alone", d(2018, 6, 8), 2, "left_behind_elderly")
        second = self.open(elder, posting, d(2018, 6, 11))
        run(second, assessed=d(2018, 6, 19))
        self.finish(second)
        # 3. A plan waiting for the mentor's approval.
        mother = person("mother_children", d(2018, 5, 10), 3, "left_behind_women")
        third = self.open(mother, posting, d(2018, 5, 14))
        run(third, assessed=d(2018, 5, 22), drafted=d(2018, 7, 2))
        self.finish(third)
        # 4. Intervention with recent services.
        boy = person("child_in_difficulty", d(2018, 3, 21), 4, "children_in_difficulty")
        fourth = self.open(boy, posting, d(2018, 3, 26))
        services = tuple(d(2018, month, day) for month, day in ((4, 18), (5, 3), (5, 17), (6, 1), (6, 15),
                                                                  (6, 29), (7, 6)))  # fmt: skip
        run(fourth, assessed=d(2018, 4, 2), drafted=d(2018, 4, 9), approved=d(2018, 4, 12), served=services)
        self.finish(fourth)
        # 5. Overdue: no service since 25 May, and the plan's review date has passed.
        woman = person("woman_in_difficulty", d(2018, 4, 4), 5, "women_in_difficulty")
        fifth = self.open(woman, posting, d(2018, 4, 9))
        run(fifth, assessed=d(2018, 4, 13), drafted=d(2018, 4, 18), approved=d(2018, 4, 20),
            served=(d(2018, 4, 27), d(2018, 5, 11), d(2018, 5, 25)))  # fmt: skip
        fifth.approved.review_due_on = d(2018, 7, 1)  # type: ignore[union-attr]
        self.finish(fifth)
        # 6. A referral to the disabled persons' federation, unanswered past its due date.
        disabled = person("disabled", d(2018, 4, 16), 0, "disabled")
        sixth = self.open(disabled, posting, d(2018, 4, 19))
        run(sixth, assessed=d(2018, 4, 25), drafted=d(2018, 5, 2), approved=d(2018, 5, 4),
            served=(d(2018, 5, 16), d(2018, 6, 4), d(2018, 6, 20), d(2018, 7, 4)))  # fmt: skip
        self.work.referrals.append(
            Referral(case=sixth.case, referred_on=d(2018, 6, 4), to_agency="城口县残疾人联合会",
                     reason="需辅具适配和康复评估", answer_due_on=d(2018, 6, 18))
        )  # fmt: skip
        self.finish(sixth)
        # 7. Evaluated; the closure waits for the mentor.
        grandma = person("elderly_alone", d(2018, 3, 14), 1, "left_behind_elderly")
        seventh = self.open(grandma, posting, d(2018, 3, 19))
        run(
            seventh,
            assessed=d(2018, 3, 23),
            drafted=d(2018, 3, 28),
            approved=d(2018, 3, 30),
            served=(
                d(2018, 4, 10),
                d(2018, 4, 24),
                d(2018, 5, 8),
                d(2018, 5, 22),
                d(2018, 6, 5),
                d(2018, 6, 19),
            ),
        )
        self.evaluate(seventh, d(2018, 7, 3))
        self.work.closures.append(
            Closure(case=seventh.case, closed_on=d(2018, 7, 6), reason=Reason.GOAL_MET,
                    summary="孤独感明显缓解，邻里互助照看已建立。", follow_up_plan="一个月后电话回访。")
        )  # fmt: skip
        self.finish(seventh)
        # 8. Closed in June, goals met.
        girl = person("mother_children", d(2018, 3, 7), 2, "left_behind_children")
        eighth = self.open(girl, posting, d(2018, 3, 12))
        run(eighth, assessed=d(2018, 3, 15), drafted=d(2018, 3, 20), approved=d(2018, 3, 23),
            served=(d(2018, 4, 3), d(2018, 4, 17), d(2018, 5, 2), d(2018, 5, 16)))  # fmt: skip
        self.evaluate(eighth, d(2018, 6, 12))
        self.close(eighth, d(2018, 6, 20), Reason.GOAL_MET)
        self.finish(eighth)
        # And the visits of her other beneficiaries.
        for index, registered in enumerate((d(2018, 3, 28), d(2018, 4, 23), d(2018, 5, 28), d(2018, 6, 13))):
            for beneficiary in casework.household(
                posting, registered, kind="elderly_alone", village=villages[index]
            ):
                day = registered
                while (day := workday(day + dt.timedelta(days=20))) <= AS_OF:
                    casework.service(beneficiary, posting, day, method=ServiceRecord.Method.CASE)


def build_casework(rng: random.Random, casework: Casework) -> None:
    """Cases and visits for the beneficiaries of every receiving county, then the demo caseload."""
    cases = CaseMaker(casework)
    total = sum(plan.WEIGHTS.values())
    for code in plan.RECEIVING:
        casework.county(code, round(plan.HOUSEHOLDS * plan.WEIGHTS[code] / total), cases.case)
    cases.demo_caseload()
