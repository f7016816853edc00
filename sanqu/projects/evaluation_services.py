"""Writes to performance evaluations (绩效评估) and the rules of their indicator trees.

A scheme (评估指标体系) is kept by the city office in the back office; its weights add up to exactly
100 points and its grade bands fall in order (`check_scheme`). The county section of the project's
county, or the city office, starts an evaluation on an active scheme, scores every indicator with
its evidence, and submits it: the total and grade are computed from the scheme's bands and a copy
of the tree as scored is kept in `frozen`. After that nothing about the evaluation changes.

Keyword-only, permission and scope checked, validated, audited, one transaction each; a refusal
leaves the database (and the evidence files) as they were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import EVALUATE
from sanqu.accounts.services import apply, audited_save, require_perm, snapshot
from sanqu.lib import clock
from sanqu.lib.files import DOCUMENTS, sniff_upload
from sanqu.projects.evaluation_selectors import evaluations_for
from sanqu.projects.models import (
    EvaluationIndicator,
    EvaluationScheme,
    IndicatorScore,
    Project,
    ProjectEvaluation,
)
from sanqu.projects.project_selectors import supervised_projects

FULL_MARKS = Decimal(100)
CENT = Decimal("0.01")
EVALUATION_EDITABLE = ("evaluated_on", "evaluators", "summary")

# (score or None to clear it, evidence note, new evidence file or None to keep the stored one)
Score = tuple[Decimal | None, str, UploadedFile | None]


def points(value: Decimal) -> str:
    """A number of points as people write it: 40, 97.5, 89.99."""
    return format(value.quantize(CENT).normalize(), "f")


def _frozen_message() -> str:
    return _("评估已提交，不能再修改。")


# The indicator tree.


def weights_problem(weights: Iterable[Decimal]) -> str | None:
    """Why a set of indicator weights is not a scheme (None when they add up to exactly 100)."""
    weights = list(weights)
    if not weights:
        return _("评估指标体系至少须有一项指标。")
    total = sum(weights, Decimal(0))
    if total != FULL_MARKS:
        return _("各指标分值合计为 %(total)s 分，须为 100 分。") % {"total": points(total)}
    return None


def check_scheme(scheme: EvaluationScheme) -> None:
    """Refuse a scheme that cannot be scored: no indicator, weights not adding up to 100, bands out
    of order. Works on a scheme being edited (its indicators in memory) as on a stored one."""
    problems: list[str] = []
    indicators = list(scheme.indicators.all())
    problem = weights_problem(indicator.weight for indicator in indicators)
    if problem:
        problems.append(problem)
    bands = (scheme.excellent_from, scheme.good_from, scheme.fair_from)
    if None in bands or not (scheme.excellent_from > scheme.good_from > scheme.fair_from):
        problems.append(_("等级分数线须依次递减：优秀 > 良好 > 一般。"))
    if problems:
        raise ValidationError(problems)


def _indicator_rows(scheme: EvaluationScheme) -> list[tuple[str, str, str, str, int]]:
    return sorted(
        (i.dimension, i.name, points(i.weight), i.guide, i.sort_order) for i in scheme.indicators.all()
    )


@transaction.atomic
def scheme_save(
    *, actor: User, scheme: EvaluationScheme, request: HttpRequest | None = None
) -> EvaluationScheme:
    """Create or update a scheme with its indicators (held in memory by the back office's form).

    A scheme already used by evaluations may still be edited: a submitted evaluation keeps the tree
    it was scored on, and a draft is checked against the current tree when it is submitted.
    """
    creating = scheme._state.adding
    require_perm(actor, "projects.add_evaluationscheme" if creating else "projects.change_evaluationscheme")
    before: dict[str, Any] = {}
    rows_before: list[Any] = []
    if not creating:
        stored = EvaluationScheme.objects.get(pk=scheme.pk)
        before, rows_before = snapshot(stored), _indicator_rows(stored)
    check_scheme(scheme)
    scheme.full_clean()
    used = {i.pk for i in scheme.indicators.all() if i.pk}
    if not creating:
        dropped = (
            EvaluationIndicator.objects.filter(scheme=scheme)
            .exclude(pk__in=used)
            .filter(scores__isnull=False)
            .distinct()
        )
        names = "、".join(f"“{indicator.name}”" for indicator in dropped)
        if names:
            raise ValidationError(_("指标%(names)s已有评分，不能删除。") % {"names": names})
    scheme.save()  # a ClusterableModel saves its indicators with it
    after = snapshot(scheme)
    changed = sorted(n for n, v in after.items() if v not in (None, "") and n != "id") if creating else []
    if not creating:
        changed = audit.changed_fields(before, after)
        if _indicator_rows(scheme) != rows_before:
            changed.append("indicators")
    if creating or changed:
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
            obj=scheme,
            detail={
                "changed": changed,
                "indicators": len(used) if not creating else scheme.indicators.count(),
            },
            request=request,
        )
    return scheme


@transaction.atomic
def scheme_delete(*, actor: User, scheme: EvaluationScheme, request: HttpRequest | None = None) -> None:
    """Delete a scheme no evaluation was scored on (one that was used can be switched off instead)."""
    require_perm(actor, "projects.delete_evaluationscheme")
    used = scheme.evaluations.count()
    if used:
        raise ValidationError(
            _("“%(name)s”已用于 %(count)s 项评估，不能删除；不再使用时请停用。")
            % {"name": scheme.name, "count": used}
        )
    audit.record(actor=actor, action=AuditEntry.Action.DELETE, obj=scheme, request=request)
    scheme.delete()


# Evaluations.


def _supervise(actor: User, project: Project) -> None:
    """The actor evaluates this project: the permission (403), then the county (404)."""
    require_perm(actor, EVALUATE)
    if not supervised_projects(actor).filter(pk=project.pk).exists():
        raise Http404


def _writable(actor: User) -> Any:
    return ProjectEvaluation.objects.filter(project__in=supervised_projects(actor))


def _for_write(actor: User, evaluation: ProjectEvaluation) -> ProjectEvaluation:
    """The evaluation, locked, for a change by the actor; refused once it is submitted."""
    if not evaluations_for(actor).filter(pk=evaluation.pk).exists():
        raise Http404
    _supervise(actor, evaluation.project)
    locked = (
        ProjectEvaluation.objects.select_for_update()
        .select_related("project", "scheme")
        .get(pk=evaluation.pk)
    )
    if locked.is_frozen:
        raise ValidationError(_frozen_message(), code="frozen")
    return locked


def _day(day: dt.date) -> str:
    return day.strftime("%Y-%m-%d")


def _check_date(evaluation: ProjectEvaluation, errors: dict[str, list[str]]) -> None:
    day = evaluation.evaluated_on
    project = evaluation.project
    if day > clock.today():
        errors.setdefault("evaluated_on", []).append(_("评估日期不能晚于今天。"))
    elif day < project.starts_on:
        errors.setdefault("evaluated_on", []).append(
            _("评估日期不能早于项目服务开始日期 %(day)s。") % {"day": _day(project.starts_on)}
        )
    if evaluation.kind == ProjectEvaluation.Kind.FINAL:
        midterm = project.evaluations.filter(kind=ProjectEvaluation.Kind.MIDTERM).first()
        if midterm is not None and day < midterm.evaluated_on:
            errors.setdefault("evaluated_on", []).append(
                _("末期评估日期不能早于中期评估日期 %(day)s。") % {"day": _day(midterm.evaluated_on)}
            )


def _check_evaluators(evaluation: ProjectEvaluation, errors: dict[str, list[str]]) -> None:
    evaluation.evaluators = evaluation.evaluators.strip()
    if not evaluation.evaluators:
        errors.setdefault("evaluators", []).append(_("须填写评估人员。"))


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def evaluation_start(
    *,
    actor: User,
    project: Project,
    kind: str,
    scheme: EvaluationScheme,
    evaluated_on: dt.date,
    evaluators: str,
    request: HttpRequest | None = None,
) -> ProjectEvaluation:
    """Open the mid-term or final evaluation of a project, on an active, complete scheme.

    One evaluation of each kind per project; the final one starts only once the mid-term one is
    submitted (the final evaluation weighs the whole term, mid-term findings included).
    """
    _supervise(actor, project)
    errors: dict[str, list[str]] = {}
    if kind not in ProjectEvaluation.Kind.values:
        errors["kind"] = [_("请选择中期评估或末期评估。")]
    elif project.evaluations.filter(kind=kind).exists():
        errors["kind"] = [_("该项目已有这一类型的评估。")]
    elif (
        kind == ProjectEvaluation.Kind.FINAL
        and not project.evaluations.filter(
            kind=ProjectEvaluation.Kind.MIDTERM, status=ProjectEvaluation.Status.SUBMITTED
        ).exists()
    ):
        errors["kind"] = [_("末期评估须在中期评估提交之后开始。")]
    if not scheme.active:
        errors.setdefault("scheme", []).append(_("评估指标体系“%(name)s”已停用。") % {"name": scheme.name})
    elif scheme.programme_year_id and scheme.programme_year_id != project.programme_year_id:
        errors.setdefault("scheme", []).append(
            _("评估指标体系“%(name)s”只适用于 %(year)s 年度的项目。")
            % {"name": scheme.name, "year": scheme.programme_year.year}  # type: ignore[union-attr]
        )
    else:
        try:
            check_scheme(scheme)
        except ValidationError as error:
            errors.setdefault("scheme", []).extend(error.messages)
    evaluation = ProjectEvaluation(
        project=project,
        scheme=scheme,
        kind=kind,
        evaluated_on=evaluated_on,
        evaluators=evaluators,
        created_by=actor,
    )
    _check_evaluators(evaluation, errors)
    if "kind" not in errors:
        _check_date(evaluation, errors)
    _raise(errors)
    try:
        with transaction.atomic():
            return audited_save(
                actor=actor, instance=evaluation, perm=EVALUATE, writable=_writable(actor), request=request
            )
    except IntegrityError:  # the same kind opened at the same moment by someone else
        raise ValidationError({"kind": _("该项目已有这一类型的评估。")}) from None


@transaction.atomic
def evaluation_update(
    *,
    actor: User,
    evaluation: ProjectEvaluation,
    data: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> ProjectEvaluation:
    """Change the date, the evaluators or the conclusion of a draft evaluation."""
    evaluation = _for_write(actor, evaluation)
    before = snapshot(evaluation)
    apply(evaluation, data, editable=EVALUATION_EDITABLE)
    evaluation.summary = (evaluation.summary or "").strip()
    errors: dict[str, list[str]] = {}
    _check_evaluators(evaluation, errors)
    _check_date(evaluation, errors)
    _raise(errors)
    return audited_save(
        actor=actor,
        instance=evaluation,
        perm=EVALUATE,
        writable=_writable(actor),
        before=before,
        request=request,
    )


def _check_score(
    indicator: EvaluationIndicator, entry: Score, stored: IndicatorScore | None, errors: list[str]
) -> str:
    """Check one indicator's entry; the content type of its new file ('' when none)."""
    score, note, upload = entry
    named = {"indicator": indicator.name, "weight": points(indicator.weight)}
    if score is None:
        if note.strip() or upload is not None:
            errors.append(_("请填写“%(indicator)s”的得分。") % named)
        return ""
    if score < 0 or score > indicator.weight:
        errors.append(_("“%(indicator)s”的得分须在 0 到 %(weight)s 分之间。") % named)
    elif score != score.quantize(CENT):
        errors.append(_("“%(indicator)s”的得分最多保留两位小数。") % named)
    content_type = ""
    if upload is not None:
        try:
            content_type = sniff_upload(
                upload, field="evidence", accepted=DOCUMENTS, kinds=_("PDF、JPEG、PNG 或 Office 文档")
            )
        except ValidationError as error:
            errors.extend(f"{indicator.name}：{message}" for message in error.messages)
    has_file = upload is not None or bool(stored and stored.evidence)
    if not note.strip() and not has_file:
        errors.append(_("“%(indicator)s”须填写评分依据或上传佐证材料。") % named)
    return content_type


def evaluation_score(
    *,
    actor: User,
    evaluation: ProjectEvaluation,
    scores: Mapping[int, Score],
    summary: str | None = None,
    request: HttpRequest | None = None,
) -> ProjectEvaluation:
    """Score indicators of a draft evaluation: {indicator id: (score, evidence note, file or None)}.

    Each score lies between 0 and the indicator's weight and has its evidence: a note, a file, or
    both. A score of None clears the indicator (and its file). A new file replaces the stored one.
    `summary`, when given, is the evaluation's conclusion as drafted so far.
    """
    new_files: list[IndicatorScore] = []
    old_files: list[Any] = []
    try:
        with transaction.atomic():
            evaluation = _score(
                actor, evaluation, scores, summary, request, new_files=new_files, old_files=old_files
            )
    except BaseException:
        for record in new_files:  # the rows are rolled back; their files go too
            record.evidence.delete(save=False)
        raise
    for old in old_files:
        old.storage.delete(old.name)
    return evaluation


def _score(
    actor: User,
    evaluation: ProjectEvaluation,
    scores: Mapping[int, Score],
    summary: str | None,
    request: HttpRequest | None,
    *,
    new_files: list[IndicatorScore],
    old_files: list[Any],
) -> ProjectEvaluation:
    evaluation = _for_write(actor, evaluation)
    indicators = {indicator.pk: indicator for indicator in evaluation.scheme.indicators.all()}
    stored = {score.indicator_id: score for score in evaluation.scores.all()}
    errors: list[str] = []
    checked: list[tuple[EvaluationIndicator, Score, str]] = []
    for indicator_id, entry in scores.items():
        indicator = indicators.get(indicator_id)
        if indicator is None:
            errors.append(_("指标不属于该评估的评估指标体系。"))
            continue
        checked.append((indicator, entry, _check_score(indicator, entry, stored.get(indicator_id), errors)))
    if errors:
        raise ValidationError(errors)
    scored, cleared = [], []
    for indicator, (score, note, upload), content_type in checked:
        record = stored.get(indicator.pk)
        if score is None:
            if record is not None:
                if record.evidence:
                    old_files.append(record.evidence)
                record.delete()
                cleared.append(indicator.pk)
            continue
        record = record or IndicatorScore(evaluation=evaluation, indicator=indicator)
        record.score = score.quantize(CENT)
        record.evidence_note = note.strip()
        if upload is not None:
            if record.evidence:
                old_files.append(record.evidence)
            record.evidence_name = (upload.name or "evidence")[-200:]
            record.evidence_content_type = content_type
            record.evidence.save(upload.name or "evidence", upload, save=False)
            new_files.append(record)
        record.full_clean(exclude=["evaluation", "indicator"])
        record.save()
        scored.append(indicator.pk)
    changed = ["scores"] if scored or cleared else []
    if summary is not None and summary.strip() != evaluation.summary:
        evaluation.summary = summary.strip()
        evaluation.save(update_fields=["summary"])
        changed.append("summary")
    if changed:
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=evaluation,
            detail={"changed": changed, "scored": scored, "cleared": cleared},
            request=request,
        )
    return evaluation


def _frozen(
    evaluation: ProjectEvaluation, scores: dict[int, IndicatorScore], total: Decimal
) -> dict[str, Any]:
    scheme = evaluation.scheme
    return {
        "scheme": {"id": scheme.pk, "name": scheme.name},
        "bands": {
            "excellent_from": points(scheme.excellent_from),
            "good_from": points(scheme.good_from),
            "fair_from": points(scheme.fair_from),
        },
        "indicators": [
            {
                "indicator": indicator.pk,
                "dimension": indicator.dimension,
                "name": indicator.name,
                "guide": indicator.guide,
                "weight": points(indicator.weight),
                "score": points(scores[indicator.pk].score),
                "note": scores[indicator.pk].evidence_note,
                "score_id": scores[indicator.pk].pk,
                "evidence_name": scores[indicator.pk].evidence_name if scores[indicator.pk].evidence else "",
            }
            for indicator in scheme.indicators.order_by("sort_order", "id")
        ],
        "total": points(total),
        "grade": evaluation.grade,
    }


@transaction.atomic
def evaluation_submit(
    *, actor: User, evaluation: ProjectEvaluation, request: HttpRequest | None = None
) -> ProjectEvaluation:
    """Submit a fully scored evaluation with its conclusion: total, grade, frozen copy of the sheet."""
    evaluation = _for_write(actor, evaluation)
    scheme = evaluation.scheme
    errors: list[str] = []
    try:
        check_scheme(scheme)
    except ValidationError as error:
        errors.extend(
            _("评估指标体系“%(name)s”有误：%(problem)s") % {"name": scheme.name, "problem": message}
            for message in error.messages
        )
    indicators = list(scheme.indicators.order_by("sort_order", "id"))
    scores = {score.indicator_id: score for score in evaluation.scores.all()}
    missing = [indicator.name for indicator in indicators if indicator.pk not in scores]
    if missing:
        errors.append(_("以下指标尚未评分：%(names)s。") % {"names": "、".join(missing)})
    for indicator in indicators:
        score = scores.get(indicator.pk)
        if score is not None and score.score > indicator.weight:
            errors.append(
                _("“%(indicator)s”的得分 %(score)s 超过现在的分值 %(weight)s 分，请重新评分。")
                % {
                    "indicator": indicator.name,
                    "score": points(score.score),
                    "weight": points(indicator.weight),
                }
            )
    if not evaluation.summary.strip():
        errors.append(_("须填写评估结论。"))
    if errors:
        raise ValidationError(errors)
    before = snapshot(evaluation)
    total = sum((scores[indicator.pk].score for indicator in indicators), Decimal(0))
    evaluation.total = total
    evaluation.grade = scheme.grade_for(total)
    evaluation.frozen = _frozen(evaluation, scores, total)
    evaluation.status = ProjectEvaluation.Status.SUBMITTED
    evaluation.submitted_at = timezone.now()
    evaluation.submitted_by = actor
    return audited_save(
        actor=actor,
        instance=evaluation,
        perm=EVALUATE,
        writable=_writable(actor),
        before=before,
        request=request,
    )


def evidence_open(
    *, actor: User, evaluation: ProjectEvaluation, score_id: int, request: HttpRequest | None = None
) -> IndicatorScore:
    """The evidence file of one score of an evaluation the actor sees (404 otherwise); the read is
    audited (evidence may show the people served)."""
    if not evaluations_for(actor).filter(pk=evaluation.pk).exists():
        raise Http404
    try:
        record = IndicatorScore.objects.get(pk=score_id, evaluation=evaluation)
    except (IndicatorScore.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not record.evidence:
        raise Http404
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UNMASK,
        obj=evaluation,
        detail={"evidence": record.pk, "indicator": record.indicator_id},
        request=request,
    )
    return record
