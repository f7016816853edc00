"""The roles of DESIGN.md §1 and what each may do.

A permission here is a Django permission string, so Wagtail's admin, the workbench and the
templates all ask the same question (`user.has_perm(...)`). `RoleBackend` grants them from the
user's memberships; there are no per-user or per-group permission rows to drift out of date.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市级管理员")
    CITY_VIEWER = "city_viewer", _("市级领导")
    COUNTY_OFFICER = "county_officer", _("区县专门科室")
    ORG_MANAGER = "org_manager", _("机构负责人")
    SOCIAL_WORKER = "social_worker", _("社工")
    SUPERVISOR = "supervisor", _("专业督导")
    EDITOR = "editor", _("信息编辑")
    REVIEWER = "reviewer", _("信息审核")


# Registries kept in the back office, by app label and model name.
REGISTRIES = [
    ("regions", "region"),
    ("regions", "regioncode"),
    ("regions", "station"),
    ("orgs", "organisation"),
    ("workforce", "person"),
    ("workforce", "dispatch"),
    ("workforce", "certificate"),
    ("training", "trainee"),
    ("incentives", "incentivepolicy"),
    ("projects", "programmeyear"),
    ("projects", "receivingcounty"),
]
# The region tree is loaded from the division dataset, never typed: only superusers write it.
LOADED_REGISTRIES = [("regions", "region"), ("regions", "regioncode")]
# What a county officer keeps for its county.
COUNTY_REGISTRIES = [
    ("regions", "station"),
    ("orgs", "organisation"),
    ("workforce", "person"),
    ("workforce", "dispatch"),
    ("workforce", "certificate"),
    ("training", "trainee"),
    ("incentives", "incentivepolicy"),
]


def _perms(actions: tuple[str, ...], models_: list[tuple[str, str]]) -> set[str]:
    return {f"{app}.{action}_{model}" for app, model in models_ for action in actions}


# Group work, community activities and livelihood projects: recorded in the field, in scope.
COMMUNITY_WORK = [("cases", "group"), ("cases", "communityactivity"), ("projects", "livelihoodproject")]

ADMIN_ACCESS = "wagtailadmin.access_admin"
VIEW_AUDIT = "accounts.view_auditentry"
# Seeing sensitive fields unmasked (always audited).
UNMASK = "workforce.unmask_person"

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.CITY_ADMIN: {ADMIN_ACCESS, VIEW_AUDIT, UNMASK}
    | _perms(("view",), REGISTRIES)
    | _perms(("add", "change", "delete"), [m for m in REGISTRIES if m not in LOADED_REGISTRIES])
    | _perms(("add", "change", "delete", "view"), [("accounts", "membership")])
    | _perms(("view",), COMMUNITY_WORK),
    Role.CITY_VIEWER: {ADMIN_ACCESS} | _perms(("view",), [*REGISTRIES, *COMMUNITY_WORK]),
    Role.COUNTY_OFFICER: {ADMIN_ACCESS, UNMASK}
    | _perms(("view",), REGISTRIES)
    | _perms(("add", "change"), COUNTY_REGISTRIES)
    | _perms(("add", "change", "view"), COMMUNITY_WORK),
    Role.ORG_MANAGER: {UNMASK}
    | _perms(("view",), [("orgs", "organisation"), ("workforce", "person"), *COMMUNITY_WORK]),
    Role.SOCIAL_WORKER: _perms(("add", "change", "view"), COMMUNITY_WORK),
    # Supervisors follow their supervisees' groups and activities; livelihood projects are not theirs.
    Role.SUPERVISOR: _perms(("view",), [("cases", "group"), ("cases", "communityactivity")]),
    Role.EDITOR: set(),
    Role.REVIEWER: set(),
}

# Beneficiaries and their service records. Revealing a beneficiary's sensitive fields is further
# limited to the in-full circle (sanqu.cases.selectors.beneficiaries); the managed lists (target
# groups, service types) are the city office's.
UNMASK_BENEFICIARY = "cases.unmask_beneficiary"
ADD_SERVICE = "cases.add_servicerecord"
MANAGED_LISTS = [("cases", "targetgroup"), ("cases", "servicetype")]
_REGISTER = {"cases.add_beneficiary", "cases.change_beneficiary"}
_SEE = _perms(("view",), [("cases", "beneficiary"), ("cases", "servicerecord")])
ROLE_PERMISSIONS[Role.CITY_ADMIN] |= _SEE | _perms(("add", "change", "delete", "view"), MANAGED_LISTS)
ROLE_PERMISSIONS[Role.CITY_VIEWER] |= _SEE
ROLE_PERMISSIONS[Role.COUNTY_OFFICER] |= _SEE | _REGISTER | {UNMASK_BENEFICIARY}
ROLE_PERMISSIONS[Role.ORG_MANAGER] |= _SEE
ROLE_PERMISSIONS[Role.SOCIAL_WORKER] |= _SEE | _REGISTER | {UNMASK_BENEFICIARY, ADD_SERVICE}
ROLE_PERMISSIONS[Role.SUPERVISOR] |= _SEE | {UNMASK_BENEFICIARY, ADD_SERVICE}

# Roles whose scope is the region of the membership (and everything under it).
REGION_ROLES = {Role.CITY_ADMIN, Role.CITY_VIEWER, Role.COUNTY_OFFICER}
READ_ONLY_ROLES = {Role.CITY_VIEWER}

# Workforce: dispatch terms, teams and supervision sessions (issue 4).
# Dispatches: the sending organisation's manager and the worker read theirs (never change them).
ROLE_PERMISSIONS[Role.ORG_MANAGER] |= {"workforce.view_dispatch"}
ROLE_PERMISSIONS[Role.SOCIAL_WORKER] |= {"workforce.view_dispatch"}
VIEW_TEAM = "workforce.view_team"
VIEW_SESSION = "workforce.view_supervisionsession"
_TEAM_WRITE = {"workforce.add_team", "workforce.change_team"}
_SESSION_WRITE = {"workforce.add_supervisionsession", "workforce.add_supervisionfollowup"}
FOLLOW_UP_DONE = "workforce.change_supervisionfollowup"
ROLE_PERMISSIONS[Role.CITY_ADMIN] |= {VIEW_TEAM, VIEW_SESSION} | _TEAM_WRITE
ROLE_PERMISSIONS[Role.CITY_VIEWER] |= {VIEW_TEAM, VIEW_SESSION}
ROLE_PERMISSIONS[Role.COUNTY_OFFICER] |= {VIEW_TEAM, VIEW_SESSION} | _TEAM_WRITE
ROLE_PERMISSIONS[Role.ORG_MANAGER] |= {VIEW_TEAM} | _TEAM_WRITE  # its own organisation's teams
# A worker sees the sessions she received and marks her own follow-ups done.
ROLE_PERMISSIONS[Role.SOCIAL_WORKER] |= {VIEW_TEAM, VIEW_SESSION, FOLLOW_UP_DONE}
ROLE_PERMISSIONS[Role.SUPERVISOR] |= {VIEW_TEAM, VIEW_SESSION, FOLLOW_UP_DONE} | _SESSION_WRITE

# Volunteers (issue 4).
# The county officer, the city office and an organisation manager keep the registry (training,
# commendations, certificates); a worker registers volunteers and records their hours in her
# county; the leadership reads. A certificate carries the full ID number, so issuing or
# downloading one also needs UNMASK.
VIEW_VOLUNTEER = "volunteers.view_volunteer"
_VOLUNTEER_REGISTER = {
    "volunteers.add_volunteer",
    "volunteers.change_volunteer",
    "volunteers.add_volunteerservice",
}
_VOLUNTEER_MANAGE = _VOLUNTEER_REGISTER | {
    "volunteers.add_volunteertraining",
    "volunteers.add_commendation",
    "volunteers.add_volunteercertificate",
}
ROLE_PERMISSIONS[Role.CITY_ADMIN] |= {VIEW_VOLUNTEER} | _VOLUNTEER_MANAGE
ROLE_PERMISSIONS[Role.CITY_VIEWER] |= {VIEW_VOLUNTEER}
ROLE_PERMISSIONS[Role.COUNTY_OFFICER] |= {VIEW_VOLUNTEER} | _VOLUNTEER_MANAGE
ROLE_PERMISSIONS[Role.ORG_MANAGER] |= {VIEW_VOLUNTEER} | _VOLUNTEER_MANAGE
ROLE_PERMISSIONS[Role.SOCIAL_WORKER] |= {VIEW_VOLUNTEER} | _VOLUNTEER_REGISTER

# Training courses (issue 4).
# The city office organises courses and their sessions (quotas are ReceivingCounty, above); the
# county officer recommends its trainees (add/change trainee, above) and takes their attendance;
# the city viewer reads.
VIEW_COURSE = "training.view_trainingcourse"
VIEW_ATTENDANCE = "training.view_attendance"
_COURSE_WRITE = _perms(
    ("add", "change", "delete"), [("training", "trainingcourse"), ("training", "coursesession")]
)
_ATTENDANCE_WRITE = _perms(("add", "change", "delete"), [("training", "attendance")])
ROLE_PERMISSIONS[Role.CITY_ADMIN] |= {VIEW_COURSE, VIEW_ATTENDANCE} | _COURSE_WRITE | _ATTENDANCE_WRITE
ROLE_PERMISSIONS[Role.CITY_VIEWER] |= {VIEW_COURSE, VIEW_ATTENDANCE}
ROLE_PERMISSIONS[Role.COUNTY_OFFICER] |= {VIEW_COURSE, VIEW_ATTENDANCE} | _ATTENDANCE_WRITE

# Certification and incentive claims (issue 4).
# Exam results are recorded by the county officer (its county) and the city office; a worker reads
# her own. Claims are filed by the worker for herself or by the county officer on someone's behalf,
# and decided and paid by the officer of the policy's county; the city office reads them all.
VIEW_EXAMS = "incentives.view_examattempt"
_EXAM_WRITE = {"incentives.add_examattempt", "incentives.change_examattempt"}
VIEW_CLAIMS = "incentives.view_incentiveclaim"
FILE_CLAIM = "incentives.add_incentiveclaim"
DECIDE_CLAIM = "incentives.decide_incentiveclaim"
PAY_CLAIM = "incentives.pay_incentiveclaim"
ROLE_PERMISSIONS[Role.CITY_ADMIN] |= {VIEW_EXAMS, VIEW_CLAIMS} | _EXAM_WRITE
ROLE_PERMISSIONS[Role.CITY_VIEWER] |= {VIEW_EXAMS, VIEW_CLAIMS}
ROLE_PERMISSIONS[Role.COUNTY_OFFICER] |= {VIEW_EXAMS, VIEW_CLAIMS, FILE_CLAIM, DECIDE_CLAIM, PAY_CLAIM}
ROLE_PERMISSIONS[Role.COUNTY_OFFICER] |= _EXAM_WRITE
ROLE_PERMISSIONS[Role.SOCIAL_WORKER] |= {
    VIEW_EXAMS,
    VIEW_CLAIMS,
    FILE_CLAIM,
    "incentives.view_incentivepolicy",
}

# Project supervision (issue 5).
# The city office signs projects and keeps the configuration (report templates, evaluation
# schemes); the county section follows its county's projects: reviews periodic reports, visits,
# evaluates; the organisation (its manager and its workers posted there) files the reports and
# closes the actions it owns; the leadership reads.
VIEW_PROJECT = "projects.view_project"
_PROJECT_WRITE = _perms(("add", "change"), [("projects", "project"), ("projects", "milestone")])
VIEW_REPORT = "projects.view_periodicreport"
FILE_REPORT = "projects.add_periodicreport"
REVIEW_REPORT = "projects.review_periodicreport"
VIEW_VISIT = "projects.view_monitoringvisit"
RECORD_VISIT = "projects.add_monitoringvisit"
CLOSE_ACTION = "projects.close_visitaction"
VIEW_EVALUATION = "projects.view_projectevaluation"
EVALUATE = "projects.add_projectevaluation"
_CONFIGURATION = _perms(
    ("add", "change", "delete", "view"), [("projects", "reporttemplate"), ("projects", "evaluationscheme")]
)
_READ_ALL = {VIEW_PROJECT, VIEW_REPORT, VIEW_VISIT, VIEW_EVALUATION}
ROLE_PERMISSIONS[Role.CITY_ADMIN] |= _READ_ALL | _PROJECT_WRITE | _CONFIGURATION
ROLE_PERMISSIONS[Role.CITY_ADMIN] |= {REVIEW_REPORT, RECORD_VISIT, CLOSE_ACTION, EVALUATE}
ROLE_PERMISSIONS[Role.CITY_VIEWER] |= _READ_ALL
ROLE_PERMISSIONS[Role.COUNTY_OFFICER] |= _READ_ALL | {"projects.change_milestone"}
ROLE_PERMISSIONS[Role.COUNTY_OFFICER] |= {REVIEW_REPORT, RECORD_VISIT, CLOSE_ACTION, EVALUATE}
ROLE_PERMISSIONS[Role.ORG_MANAGER] |= _READ_ALL | {FILE_REPORT, CLOSE_ACTION, "projects.change_milestone"}
ROLE_PERMISSIONS[Role.SOCIAL_WORKER] |= {VIEW_PROJECT, VIEW_REPORT, FILE_REPORT, CLOSE_ACTION}
# issue 5 roles: projects
# The city office, which sets a plan's milestones, removes one that was not reached.
ROLE_PERMISSIONS[Role.CITY_ADMIN] |= {"projects.delete_milestone"}
# issue 5 roles: reports
# issue 5 roles: visits
# A posted worker reads the visits to her organisation's projects and her station (she may own actions).
ROLE_PERMISSIONS[Role.SOCIAL_WORKER] |= {VIEW_VISIT}
# issue 5 roles: evaluations
# A posted worker reads her organisation's evaluations, as its manager does (the project page shows them).
ROLE_PERMISSIONS[Role.SOCIAL_WORKER] |= {VIEW_EVALUATION}
# Issue 6: snapshots.
# The city office freezes and reads the figures of the municipality (or any county in it); the county
# section freezes and reads its county's; the leadership reads (sanqu.figures.snapshots).
_SNAPSHOT_READ = {"figures.view_figuresnapshot"}
_SNAPSHOT_TAKE = {"figures.add_figuresnapshot"}
ROLE_PERMISSIONS[Role.CITY_ADMIN] |= _SNAPSHOT_READ | _SNAPSHOT_TAKE
ROLE_PERMISSIONS[Role.COUNTY_OFFICER] |= _SNAPSHOT_READ | _SNAPSHOT_TAKE
ROLE_PERMISSIONS[Role.CITY_VIEWER] |= _SNAPSHOT_READ
# Issue 6: results reports.
# Whoever opens a dashboard generates and reads the results reports of her scopes; whoever freezes
# figures publishes one (publishing takes a snapshot: sanqu.figures.report_services).
_REPORT_READ = {"figures.view_reportfile", "figures.add_reportfile"}
_REPORT_PUBLISH = {"figures.publish_reportfile"}
ROLE_PERMISSIONS[Role.CITY_ADMIN] |= _REPORT_READ | _REPORT_PUBLISH
ROLE_PERMISSIONS[Role.COUNTY_OFFICER] |= _REPORT_READ | _REPORT_PUBLISH
ROLE_PERMISSIONS[Role.CITY_VIEWER] |= _REPORT_READ
# Issue 7: ledgers.
# A ledger (DESIGN §6) is exported by whoever may read its records: the view permission of its model
# decides, and the records are those of the reader's scope within a region of her memberships (a
# manager's county, a worker's township). So the city office, the leadership and the
# county section export every kind over their region; an organisation manager its organisation's
# dispatches, organisations, beneficiaries and service records; a social worker her dispatches, her
# beneficiaries and service records and her county's incentive policies; a supervisor the beneficiaries
# and service records of her circle. ID numbers and phones stay masked unless the role may unmask
# (UNMASK for people, UNMASK_BENEFICIARY and the in-full circle for beneficiaries), and every export is
# audited. No new grant: the ledgers read through the permissions above.
LEDGER_VIEW = {
    "dispatch": "workforce.view_dispatch",
    "trainee": "training.view_trainee",
    "organisation": "orgs.view_organisation",
    "certificate": "workforce.view_certificate",
    "beneficiary": "cases.view_beneficiary",
    "service": "cases.view_servicerecord",
    "incentive": "incentives.view_incentivepolicy",
}
# A service-record ledger is imported by the county section for its county's workers and by the city
# office (back-filling the services kept in Excel); a worker or supervisor imports only her own
# services (ADD_SERVICE), the worker column being her own ID number (sanqu.ledgers.adapters.services).
IMPORT_SERVICES = "cases.import_servicerecord"
ROLE_PERMISSIONS[Role.CITY_ADMIN] |= {IMPORT_SERVICES}
ROLE_PERMISSIONS[Role.COUNTY_OFFICER] |= {IMPORT_SERVICES}
# Issue 8: news column.
# Editors write news items and submit them; reviewers approve (which publishes) or return them with a
# comment (sanqu.publicity.review). Both work in Wagtail's admin. Wagtail asks page and image
# permissions of groups, not of the user's backend: a membership of these roles puts the user in the
# group named here (kept in step by sanqu.publicity.review.sync_groups).
ROLE_PERMISSIONS[Role.EDITOR] |= {ADMIN_ACCESS}
ROLE_PERMISSIONS[Role.REVIEWER] |= {ADMIN_ACCESS}
WAGTAIL_GROUPS = {Role.EDITOR: "信息编辑", Role.REVIEWER: "信息审核"}
# Issue 8: bulletins.
# A bulletin (简报) is drafted by an editor and issued and sent by a reviewer (the two steps of the
# news); the city office does both. The leadership reads them. The distribution list is kept by
# whoever sends (sanqu.bulletins.services).
BULLETIN_VIEW = "bulletins.view_bulletin"
BULLETIN_DRAFT = {"bulletins.add_bulletin", "bulletins.change_bulletin", "bulletins.delete_bulletin"}
BULLETIN_ISSUE = "bulletins.issue_bulletin"
BULLETIN_SEND = "bulletins.send_bulletin"
RECIPIENTS = _perms(("view", "add", "change"), [("bulletins", "recipient")])
_BULLETIN_REVIEW = {BULLETIN_VIEW, BULLETIN_ISSUE, BULLETIN_SEND} | RECIPIENTS
ROLE_PERMISSIONS[Role.CITY_ADMIN] |= _BULLETIN_REVIEW | BULLETIN_DRAFT
ROLE_PERMISSIONS[Role.CITY_VIEWER] |= {BULLETIN_VIEW}
ROLE_PERMISSIONS[Role.EDITOR] |= {BULLETIN_VIEW} | BULLETIN_DRAFT
ROLE_PERMISSIONS[Role.REVIEWER] |= _BULLETIN_REVIEW
