"""The demo's training courses: the courses the trainees' ledger rows name, their sessions, attendance.

The people builder made 147 trainees, each with a course name and level, hours and a completion
date (the ledger's flat columns). Here each programme year gets the courses those rows name, with
sessions of the four kinds inside the course's dates, and every trainee attends sessions adding up
to exactly its hours, all before its completion date. Nothing the figures count changes: no
trainee, quota or completion date is touched, only the course link is set.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sanqu.training.models import Attendance, CourseSession, Trainee, TrainingCourse

SEED = 4_2018  # this module's own sequence: the shared rng stays as it was
DAY_HOURS = Decimal(8)

Kind = CourseSession.Kind
# (kind, topic) per day, in order; the ministry course is five days, the municipal nine.
MINISTRY_DAYS = [
    (Kind.LECTURE, "社会工作专业人才队伍建设政策解读"),
    (Kind.LECTURE, "农村社会工作与精准扶贫"),
    (Kind.CASE_TEACHING, "困境儿童个案管理案例教学"),
    (Kind.SEMINAR, "“三区”计划本土人才培养经验交流"),
    (Kind.FIELD_VISIT, "社区社会工作服务站点实地考察"),
]
MUNICIPAL_DAYS = [
    (Kind.LECTURE, "社会工作价值伦理与专业方法"),
    (Kind.LECTURE, "个案工作：接案、预估与服务计划"),
    (Kind.CASE_TEACHING, "留守儿童个案服务案例教学"),
    (Kind.LECTURE, "小组工作与社区工作实务"),
    (Kind.CASE_TEACHING, "留守老人精神慰藉案例教学"),
    (Kind.SEMINAR, "乡镇社会工作站建设研讨"),
    (Kind.FIELD_VISIT, "丰都县社会工作发展基地实地考察"),
    (Kind.SEMINAR, "社会工作者职业水平考试备考交流"),
    (Kind.FIELD_VISIT, "城口县鸡鸣乡留守妇女手工作坊实地考察"),
]
ORGANISER = {
    Trainee.CourseLevel.MINISTRY: ("民政部社会工作司", "民政部培训中心（北京）"),
    Trainee.CourseLevel.MUNICIPAL: ("重庆市民政局", "重庆市社会工作人才培训基地"),
}


def _course_start(year: int, level: str) -> dt.date:
    """Before every completion date of the year (mid-October onwards; June in 2018)."""
    if year == 2018:
        return dt.date(2018, 5, 14) if level == Trainee.CourseLevel.MINISTRY else dt.date(2018, 5, 21)
    return dt.date(year, 9, 17) if level == Trainee.CourseLevel.MINISTRY else dt.date(year, 10, 2)


def build_training_courses() -> None:
    """Courses, sessions and attendance matching every trainee's ledger row (one run, bulk writes)."""
    rng = random.Random(SEED)  # noqa: S311 (made-up data that must be the same every run)
    trainees = list(Trainee.objects.select_related("programme_year").order_by("programme_year__year", "id"))
    wanted = sorted({(t.programme_year, t.course_name, t.course_level) for t in trainees if t.course_name},
                    key=lambda key: (key[0].year, key[2], key[1]))  # fmt: skip
    courses: dict[tuple[int, str], TrainingCourse] = {}
    days: dict[int, list[tuple[CourseSession.Kind, str]]] = {}
    for programme_year, name, level in wanted:
        schedule = MINISTRY_DAYS if level == Trainee.CourseLevel.MINISTRY else MUNICIPAL_DAYS
        starts_on = _course_start(programme_year.year, level)
        organiser, place = ORGANISER[Trainee.CourseLevel(level)]
        course = TrainingCourse(
            programme_year=programme_year,
            name=name,
            level=level,
            organiser=organiser,
            place=place,
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=len(schedule) - 1),
            # The ministry course is taken whole; the municipal one asks for seven of its nine days.
            required_hours=DAY_HOURS * (len(schedule) if level == Trainee.CourseLevel.MINISTRY else 7),
        )
        courses[(programme_year.pk, name)] = course
        days[id(course)] = schedule
    TrainingCourse.objects.bulk_create(courses.values())

    sessions: dict[int, list[CourseSession]] = {}
    for course in courses.values():
        sessions[course.pk] = [
            CourseSession(
                course=course,
                held_on=course.starts_on + dt.timedelta(days=day),
                kind=kind,
                topic=topic,
                hours=DAY_HOURS,
            )
            for day, (kind, topic) in enumerate(days[id(course)])
        ]
    CourseSession.objects.bulk_create([s for course_sessions in sessions.values() for s in course_sessions])

    attendance: list[Attendance] = []
    for trainee in trainees:
        if not trainee.course_name:
            continue
        course = courses[(trainee.programme_year_id, trainee.course_name)]
        trainee.course = course
        attendance.extend(_attend(rng, trainee, sessions[course.pk]))
    Trainee.objects.bulk_update(trainees, ["course"], batch_size=500)
    Attendance.objects.bulk_create(attendance, batch_size=1000)


def _attend(rng: random.Random, trainee: Trainee, sessions: list[CourseSession]) -> list[Attendance]:
    """Sessions adding up to the trainee's ledger hours: whole days, the missed ones chosen at random."""
    hours = Decimal(trainee.hours or 0)
    full, part = divmod(hours, DAY_HOURS)
    count = min(int(full) + (1 if part else 0), len(sessions))
    chosen = sorted(rng.sample(range(len(sessions)), count))
    made = [Attendance(session=sessions[i], trainee=trainee, hours=DAY_HOURS) for i in chosen]
    if part and made:
        made[-1].hours = part
    return made
