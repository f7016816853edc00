"""Results reports from the page: asking for one, generating it as a task, publishing it.

Asking (`request_report`) writes a queued `ReportFile` and puts a task on the queue once the row is
committed; the page returns at once and follows the progress the task writes (`run_report`).
Publishing (`publish_report`) freezes the figures the report was written from with a snapshot
(reason 发布报告), so what was published can be reproduced and compared later.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.figures.dashboard import dashboard_paths
from sanqu.figures.engine import FigureError
from sanqu.figures.models import FigureSnapshot, ReportFile
from sanqu.figures.report import render_report
from sanqu.figures.snapshots import can_take, take_snapshot
from sanqu.lib import clock
from sanqu.lib.files import random_name, save_whole
from sanqu.regions.models import Region

log = logging.getLogger(__name__)

VIEW = "figures.view_reportfile"
ASK = "figures.add_reportfile"
PUBLISH = "figures.publish_reportfile"


def _in_reach(user: User, scope: Region) -> bool:
    return any(scope.path.startswith(path) for path in dashboard_paths(user))


def reports_for(user: User) -> models.QuerySet[ReportFile]:
    """The reports of the scopes whose dashboards the user opens, newest first (an interrupted one
    shown as failed, not as still working)."""
    if not user.has_perm(VIEW):
        return ReportFile.objects.none()
    mark_interrupted()
    within = models.Q(pk__in=[])
    for path in dashboard_paths(user):
        within |= models.Q(scope__path__startswith=path)
    return ReportFile.objects.filter(within).select_related("scope", "requested_by", "published_by")


def get_report_for_user(user: User, pk: int) -> ReportFile:
    """One report in the user's reach; 404 otherwise (never saying whether it exists)."""
    found = reports_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def can_publish(user: User, report: ReportFile) -> bool:
    return (
        user.has_perm(PUBLISH)
        and can_take(user, report.scope)
        and report.status == ReportFile.Status.DONE
        and report.published_at is None
    )


def request_report(
    *,
    actor: User,
    scope: Region,
    as_of: dt.date,
    language: str = ReportFile.Language.CHINESE,
    fmt: str = ReportFile.Format.PDF,
    request: HttpRequest | None = None,
) -> ReportFile:
    """Queue the generation of a report; the task starts once this transaction commits."""
    if not actor.has_perm(ASK) or not _in_reach(actor, scope):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if as_of > clock.today():
        errors["as_of"] = _("统计日期不能晚于今天（%(today)s）。") % {"today": clock.today().isoformat()}
    if language not in ReportFile.Language.values:
        errors["language"] = _("语言只能是中文或英文。")
    if fmt not in ReportFile.Format.values:
        errors["format"] = _("格式只能是 PDF 或网页。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = ReportFile.objects.create(
            scope=scope, as_of=as_of, language=language, format=fmt, requested_by=actor, step=_("等待生成")
        )
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            obj=report,
            detail={"scope": scope.code, "as_of": as_of.isoformat(), "language": language, "format": fmt},
            request=request,
        )
        transaction.on_commit(lambda: _enqueue(report.pk))
    return report


def _enqueue(pk: int) -> None:
    from sanqu.figures.report_tasks import generate_report

    generate_report.enqueue(pk)


def _progress(pk: int, percent: int, step: str) -> None:
    # An UPDATE of its own, committed at once, so the page sees each step while the task works.
    ReportFile.objects.filter(pk=pk).update(percent=percent, step=step[:200], heartbeat_at=timezone.now())


# A report makes progress every few seconds; one silent this long lost its worker (a restart, a
# killed process) and would otherwise show 生成中 for ever.
INTERRUPTED_AFTER = dt.timedelta(minutes=15)


def mark_interrupted(*, now: dt.datetime | None = None) -> int:
    """Mark reports whose worker stopped mid-way as failed (asking again makes a new one)."""
    now = now or timezone.now()
    silent_since = now - INTERRUPTED_AFTER
    # A report started before heartbeats were written has none: its request time stands in.
    silent = models.Q(heartbeat_at__lt=silent_since) | models.Q(
        heartbeat_at__isnull=True, requested_at__lt=silent_since
    )
    return ReportFile.objects.filter(silent, status=ReportFile.Status.RUNNING).update(
        status=ReportFile.Status.FAILED,
        error=_("生成过程中被中断（服务重启或进程退出）。请重新申请生成。"),
        step=_("生成失败"),
        finished_at=now,
    )


def run_report(pk: int) -> ReportFile | None:
    """Generate a queued report (the task's body). A failure is written on the report, not raised."""
    with transaction.atomic():
        report = ReportFile.objects.select_for_update().filter(pk=pk, status=ReportFile.Status.QUEUED).first()
        if report is None:  # gone, or another worker took it
            return None
        report.status = ReportFile.Status.RUNNING
        report.percent, report.step, report.heartbeat_at = 5, _("开始生成"), timezone.now()
        report.save(update_fields=["status", "percent", "step", "heartbeat_at"])
    try:
        content = render_report(
            scope=report.scope,
            as_of=report.as_of,
            fmt=report.format,
            language=report.language,
            progress=lambda percent, step: _progress(pk, percent, step),
        )
    except FigureError as error:
        return _failed(report, str(error))
    except Exception:
        log.exception("results report %s failed", pk)
        return _failed(report, _("生成时出错，已记入系统日志。请稍后重试，或联系系统管理员。"))
    try:
        save_whole(report.file, random_name("reports", f"report.{report.format}"), content, save=False)
    except OSError as error:  # e.g. a full disk
        log.exception("results report %s could not be written", pk)
        return _failed(
            report, _("报告文件无法写入（%(reason)s）。请联系系统管理员。") % {"reason": error.strerror}
        )
    report.size = len(content)
    report.status, report.percent, report.step = ReportFile.Status.DONE, 100, _("已生成")
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "size", "status", "percent", "step", "finished_at"])
    return report


def _failed(report: ReportFile, reason: str) -> ReportFile:
    report.status, report.error, report.step = ReportFile.Status.FAILED, reason, _("生成失败")
    report.finished_at = timezone.now()
    report.save(update_fields=["status", "error", "step", "finished_at"])
    return report


@transaction.atomic
def publish_report(*, actor: User, report: ReportFile, request: HttpRequest | None = None) -> ReportFile:
    """Publish a generated report: its figures are frozen in a snapshot taken now."""
    report = ReportFile.objects.select_for_update().get(pk=report.pk)
    if not actor.has_perm(PUBLISH) or not can_take(actor, report.scope):
        raise PermissionDenied
    if report.published_at is not None:
        raise ValidationError(
            _("这份报告已于 %(when)s 发布。")
            % {"when": timezone.localtime(report.published_at).strftime("%Y-%m-%d %H:%M")}
        )
    if report.status != ReportFile.Status.DONE:
        raise ValidationError(_("报告尚未生成完毕，不能发布。"))
    report.snapshot = take_snapshot(
        actor=actor,
        scope=report.scope,
        as_of=report.as_of,
        reason=FigureSnapshot.Reason.REPORT,
        note=_("成效报告 #%(id)s") % {"id": report.pk},
        request=request,
    )
    report.published_by, report.published_at = actor, timezone.now()
    report.save(update_fields=["snapshot", "published_by", "published_at"])
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=report,
        detail={"published": True, "snapshot": report.snapshot.pk},
        request=request,
    )
    return report
