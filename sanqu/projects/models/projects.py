"""County projects (项目): one receiving county × programme year × organisation, from the service
agreement (服务协议), with its targets, budget and implementation plan (实施方案) and milestones.

Progress against the targets is computed from the records (`sanqu.projects.progress`), never typed.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from sanqu.lib.files import private_storage, random_name


class Target(models.TextChoices):
    """What a service agreement sets a number for; each is counted from the records."""

    BENEFICIARIES = "beneficiaries", _("服务对象(人)")
    CASES = "cases", _("个案(个)")
    GROUP_SESSIONS = "group_sessions", _("小组活动(节)")
    COMMUNITY_ACTIVITIES = "community_activities", _("社区活动(场)")
    TRAINEES = "trainees", _("培养本土人才(人)")
    VOLUNTEER_HOURS = "volunteer_hours", _("志愿服务(小时)")


def _plan_path(instance: Project, filename: str) -> str:
    return random_name(f"projects/{instance.programme_year_id}", filename)


class Project(models.Model):
    programme_year = models.ForeignKey(
        "projects.ProgrammeYear", on_delete=models.PROTECT, related_name="projects", verbose_name=_("年度")
    )
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="projects", verbose_name=_("受援区县")
    )
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="projects", verbose_name=_("承接机构")
    )
    name = models.CharField(_("项目名称"), max_length=100)
    agreement_no = models.CharField(_("服务协议编号"), max_length=50, blank=True)
    signed_on = models.DateField(_("协议签订日期"))
    starts_on = models.DateField(_("服务开始日期"))
    ends_on = models.DateField(_("服务结束日期"))
    budget = models.DecimalField(_("项目经费(元)"), max_digits=12, decimal_places=2)
    target_beneficiaries = models.PositiveIntegerField(_("目标：服务对象(人)"), default=0)
    target_cases = models.PositiveIntegerField(_("目标：个案(个)"), default=0)
    target_group_sessions = models.PositiveIntegerField(_("目标：小组活动(节)"), default=0)
    target_community_activities = models.PositiveIntegerField(_("目标：社区活动(场)"), default=0)
    target_trainees = models.PositiveIntegerField(_("目标：培养本土人才(人)"), default=0)
    target_volunteer_hours = models.PositiveIntegerField(_("目标：志愿服务(小时)"), default=0)
    plan_document = models.FileField(
        _("实施方案"), storage=private_storage, upload_to=_plan_path, max_length=200, blank=True
    )
    plan_document_name = models.CharField(_("实施方案原文件名"), max_length=200, blank=True)
    plan_content_type = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["-programme_year__year", "county__code", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme_year", "county", "organisation"],
                name="project_unique_per_year_county_org",
                violation_error_message=_("该机构在这一年度、这一区县已有项目。"),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="project_ends_after_start",
                violation_error_message=_("服务结束日期须晚于开始日期。"),
            ),
            models.CheckConstraint(
                condition=models.Q(budget__gte=0),
                name="project_budget_not_negative",
                violation_error_message=_("项目经费不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def target(self, key: str) -> int:
        value: Any = getattr(self, f"target_{key}")
        return int(value)


class ProjectBeneficiary(models.Model):
    """A person a project has served, and the first day it served them (项目服务对象).

    One row per project and person with a service record of the project: in its county, within its
    dates, done under its organisation (the case's, or the worker's for a record without a case).
    The project's people served as of a date are its rows whose first day is by then, which
    `ProjectPeopleServed` counts by day, so the progress figure adds up a few hundred numbers instead
    of finding distinct people among the records.
    `sanqu.projects.served` keeps the rows equal to the records on every write; `sanqu figures
    --recompute` checks them and `--rebuild-rollups` rewrites them.
    """

    # No index of its own: the unique key (beneficiary, project) serves a person's rows.
    beneficiary = models.ForeignKey(
        "cases.Beneficiary", on_delete=models.CASCADE, related_name="+", db_index=False,
        verbose_name=_("服务对象"),
    )  # fmt: skip
    # No index of its own: (project, first_served_on) below serves a project's rows.
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("项目")
    )
    first_served_on = models.DateField(_("首次服务日期"))

    class Meta:
        verbose_name = _("项目服务对象")
        verbose_name_plural = _("项目服务对象")
        constraints = [
            models.UniqueConstraint(fields=["beneficiary", "project"], name="project_beneficiary_key"),
        ]
        # A project's rows: refilled when its county, organisation or dates change.
        indexes = [models.Index(fields=["project", "first_served_on"], name="project_beneficiary_day_idx")]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.beneficiary_id}: {self.first_served_on}"


class ProjectPeopleServed(models.Model):
    """How many of a project's people it first served on each day (项目服务对象日汇总).

    The rows of `ProjectBeneficiary` counted by project and first day, kept with them by
    `sanqu.projects.served`: a project's people served as of a date add up its days up to the date,
    a few hundred rows at most, however many people it served.
    """

    # No index of its own: the unique key (project, first_served_on) serves every read.
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("项目")
    )
    first_served_on = models.DateField(_("首次服务日期"))
    # A plain integer, not a positive one: a tally that drifted (a bulk write outside the upkeep) must
    # not make a user's save fail on a check; `sanqu figures --recompute` finds the drift.
    people = models.IntegerField(_("服务对象（人）"))

    class Meta:
        verbose_name = _("项目服务对象日汇总")
        verbose_name_plural = _("项目服务对象日汇总")
        constraints = [
            models.UniqueConstraint(fields=["project", "first_served_on"], name="project_people_served_key"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.first_served_on}: {self.people}"


class Milestone(models.Model):
    """A key date of the implementation plan (实施方案的关键节点)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("项目")
    )
    title = models.CharField(_("节点"), max_length=100)
    due_on = models.DateField(_("计划完成日期"))
    done_on = models.DateField(_("实际完成日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("实施节点")
        verbose_name_plural = _("实施节点")
        ordering = ["project", "due_on", "id"]

    def __str__(self) -> str:
        return self.title
