"""The drill-down page: the records behind a figure, for a scope within the reader's and a date; Excel too.

`/figures/records/?figure=KEY&part=PART&scope=CODE&as_of=YYYY-MM-DD` (`&format=xlsx` for the file,
`&unmask=1` with it for full ID numbers, audited). Region roles only: the city's roles read
anything in the municipality, a county officer her county and below; any other scope, or any other
role, answers 404. Bad parameters answer 400 with the reason.

Every row shows what the beneficiary list and the people list show: names, masked ID numbers. A
beneficiary the reader may not list (a child under 14, a restricted group, outside her circle)
stays a counted row without a name or a link.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import UNMASK, UNMASK_BENEFICIARY
from sanqu.accounts.scoping import scope_of
from sanqu.cases.models import Beneficiary, Case, CommunityAttendance, GroupSession, ServiceRecord
from sanqu.cases.selectors.beneficiaries import beneficiaries_for, beneficiaries_in_full_for
from sanqu.figures.drilldown import (
    Drill,
    Measure,
    drill,
    figure_value,
    part_label,
    part_labels,
    parts,
    records_url,
)
from sanqu.figures.engine import FIGURE_LABELS, FigureError, compute_figures, parse_as_of, resolve_scope
from sanqu.incentives.models import IncentiveClaim, IncentivePolicy
from sanqu.lib import idnumber
from sanqu.orgs.models import Organisation
from sanqu.projects.models import LivelihoodProject, Project, ProjectEvaluation, ReceivingCounty, VisitAction
from sanqu.regions.models import Region
from sanqu.training.models import Trainee
from sanqu.volunteers.models import VolunteerService
from sanqu.workforce.models import Certificate, Dispatch, Person

PAGE_SIZE = 50
EXPORT_BATCH = 1000


# Who reads which scope ------------------------------------------------------------------------


def _check_reader(user: User) -> None:
    """Only region roles (and superusers) drill into figures; anyone else gets 404."""
    scope = scope_of(user)
    if not (scope.superuser or scope.region_paths):
        raise Http404


def _check_scope(user: User, region: Region) -> None:
    scope = scope_of(user)
    if scope.superuser:
        return
    if not any(region.path.startswith(path) for path in scope.region_paths):
        raise Http404


# The rows, as cells -------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""
    mono: bool = False


@dataclass
class Viewer:
    """What the reader may see of the people on a batch of rows."""

    listed: set[int] = field(default_factory=set)  # beneficiaries she may see listed
    unmask_people: bool = False
    unmask_beneficiaries: set[int] = field(default_factory=set)
    details: dict[int, list[str]] = field(default_factory=dict)
    computed: dict[int, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Column:
    label: str | Promise
    cell: Callable[[Any, Viewer], Cell]


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _url(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


def _person_id(person: Person | None, viewer: Viewer) -> Cell:
    if person is None:
        return Cell("—")
    number = person.id_number or ""
    return Cell((number if viewer.unmask_people else idnumber.mask(number)) or "—", mono=True)


def _person(person: Person | None) -> Cell:
    return Cell(person.name, _url("person_detail", person.pk)) if person is not None else Cell("—")


PROTECTED = gettext_lazy("受保护的服务对象（仅计入统计）")


def _beneficiary(beneficiary: Beneficiary | None, viewer: Viewer) -> Cell:
    if beneficiary is None:
        return Cell("—")
    if beneficiary.pk not in viewer.listed:
        return Cell(str(PROTECTED))
    return Cell(beneficiary.name, _url("beneficiary_detail", beneficiary.pk))


def _beneficiary_id(beneficiary: Beneficiary, viewer: Viewer) -> Cell:
    if beneficiary.pk not in viewer.listed:
        return Cell("—")
    number = beneficiary.id_number or ""
    shown = number if beneficiary.pk in viewer.unmask_beneficiaries else idnumber.mask(number)
    return Cell(shown or "—", mono=True)


def _groups(beneficiary: Beneficiary, viewer: Viewer) -> Cell:
    if beneficiary.pk not in viewer.listed:
        return Cell("—")
    return Cell("、".join(group.name for group in beneficiary.target_groups.all()) or "—")


def _plain(path: str) -> Callable[[Any, Viewer], Cell]:
    """The value at `a.b.c` (choices shown by their label)."""

    def cell(row: Any, viewer: Viewer) -> Cell:
        value = row
        *steps, last = path.split(".")
        for step in steps:
            value = getattr(value, step, None)
            if value is None:
                return Cell("—")
        display = getattr(value, f"get_{last}_display", None)
        return Cell(_text(display() if callable(display) else getattr(value, last, None)))

    return cell


def _linked(path: str, url_name: str, pk_path: str) -> Callable[[Any, Viewer], Cell]:
    plain = _plain(path)

    def cell(row: Any, viewer: Viewer) -> Cell:
        target = row
        for step in pk_path.split("."):
            target = getattr(target, step)
        return Cell(plain(row, viewer).text, _url(url_name, target))

    return cell


def _details(row: Any, viewer: Viewer) -> Cell:
    return Cell("；".join(viewer.details.get(row.pk, [])) or "—")


def _stage(row: Case, viewer: Viewer) -> Cell:
    stage = getattr(row, "stage_as_of", None) or row.stage
    return Cell(str(Case.Stage(stage).label))


DETAILS = gettext_lazy("计入的记录")
COUNTY = gettext_lazy("区县")

COLUMNS: dict[type[models.Model], list[Column]] = {
    Region: [
        Column(gettext_lazy("区县"), _plain("name")),
        Column(gettext_lazy("区划代码"), lambda row, viewer: Cell(row.code, mono=True)),
        Column(DETAILS, _details),
    ],
    Person: [
        Column(gettext_lazy("姓名"), lambda row, viewer: _person(row)),
        Column(gettext_lazy("身份证号"), _person_id),
        Column(gettext_lazy("所属区县"), _plain("county.name")),
        Column(DETAILS, _details),
    ],
    Dispatch: [
        Column(gettext_lazy("社工"), lambda row, viewer: _person(row.person)),
        Column(gettext_lazy("身份证号"), lambda row, viewer: _person_id(row.person, viewer)),
        Column(gettext_lazy("受援区县"), _plain("county.name")),
        Column(gettext_lazy("年度"), _plain("programme_year.year")),
        Column(gettext_lazy("派出机构"), _plain("sending_organisation.name")),
        Column(gettext_lazy("开始日期"), _plain("started_on")),
        Column(gettext_lazy("结束日期"), _plain("ended_on")),
        Column(gettext_lazy("状态"), _plain("status")),
        Column(gettext_lazy("离岗原因"), _plain("leave_reason")),
    ],
    Trainee: [
        Column(gettext_lazy("培养对象"), _linked("person.name", "training_trainee", "pk")),
        Column(gettext_lazy("身份证号"), lambda row, viewer: _person_id(row.person, viewer)),
        Column(gettext_lazy("推荐区县"), _plain("county.name")),
        Column(gettext_lazy("年度"), _plain("programme_year.year")),
        Column(gettext_lazy("结业日期"), _plain("completed_on")),
    ],
    Organisation: [
        Column(gettext_lazy("名称"), _plain("name")),
        Column(gettext_lazy("类型"), _plain("kind")),
        Column(gettext_lazy("所在区县"), _plain("home_county.name")),
        Column(gettext_lazy("登记日期"), _plain("registered_on")),
        Column(gettext_lazy("注销日期"), _plain("deregistered_on")),
    ],
    Beneficiary: [
        Column(gettext_lazy("姓名"), lambda row, viewer: _beneficiary(row, viewer)),
        Column(gettext_lazy("身份证号"), _beneficiary_id),
        Column(gettext_lazy("服务对象类别"), _groups),
        Column(
            gettext_lazy("村（社区）"),
            lambda row, viewer: Cell(row.region.name if row.pk in viewer.listed else "—"),
        ),
    ],
    Case: [
        Column(gettext_lazy("个案编号"), _linked("number", "case_detail", "pk")),
        Column(gettext_lazy("服务对象"), lambda row, viewer: _beneficiary(row.beneficiary, viewer)),
        Column(gettext_lazy("阶段"), _stage),
        Column(COUNTY, _plain("county.name")),
        Column(gettext_lazy("社工"), lambda row, viewer: _person(row.worker)),
        Column(gettext_lazy("开案日期"), _plain("opened_on")),
    ],
    ServiceRecord: [
        Column(gettext_lazy("服务日期"), _plain("served_on")),
        Column(gettext_lazy("服务类型"), _plain("service_type.name")),
        Column(gettext_lazy("服务对象"), lambda row, viewer: _beneficiary(row.beneficiary, viewer)),
        Column(COUNTY, _plain("county.name")),
        Column(gettext_lazy("社工"), lambda row, viewer: _person(row.worker)),
        Column(gettext_lazy("时长（小时）"), _plain("duration_hours")),
    ],
    GroupSession: [
        Column(gettext_lazy("小组"), _linked("group.name", "group_detail", "group_id")),
        Column(gettext_lazy("节次"), _plain("number")),
        Column(gettext_lazy("日期"), _plain("held_on")),
        Column(COUNTY, _plain("group.county.name")),
    ],
    CommunityAttendance: [
        Column(gettext_lazy("活动"), _linked("activity.name", "community_detail", "activity_id")),
        Column(gettext_lazy("日期"), _plain("activity.held_on")),
        Column(COUNTY, _plain("activity.county.name")),
        Column(gettext_lazy("服务对象类别"), _plain("target_group.name")),
        Column(gettext_lazy("参与人次"), _plain("headcount")),
    ],
    LivelihoodProject: [
        Column(gettext_lazy("项目"), _linked("name", "livelihood_detail", "pk")),
        Column(gettext_lazy("类型"), _plain("kind")),
        Column(COUNTY, _plain("county.name")),
        Column(gettext_lazy("开始日期"), _plain("started_on")),
        Column(gettext_lazy("覆盖户数"), _plain("households_reached")),
    ],
    ReceivingCounty: [
        Column(gettext_lazy("年度"), _plain("programme_year.year")),
        Column(COUNTY, _plain("county.name")),
        Column(gettext_lazy("培养名额"), _plain("training_quota")),
    ],
    IncentiveClaim: [
        Column(gettext_lazy("申领人"), _linked("person.name", "incentive_claim", "pk")),
        Column(gettext_lazy("身份证号"), lambda row, viewer: _person_id(row.person, viewer)),
        Column(gettext_lazy("政策"), _plain("policy.name")),
        Column(COUNTY, _plain("policy.county.name")),
        Column(gettext_lazy("金额（元）"), _plain("amount")),
        Column(gettext_lazy("发放日期"), _plain("paid_on")),
    ],
    VolunteerService: [
        Column(gettext_lazy("志愿者"), _linked("volunteer.person.name", "volunteer_detail", "volunteer_id")),
        Column(gettext_lazy("服务日期"), _plain("served_on")),
        Column(COUNTY, _plain("county.name")),
        Column(gettext_lazy("服务内容"), _plain("content")),
        Column(gettext_lazy("服务时长（小时）"), _plain("hours")),
    ],
    Project: [
        Column(gettext_lazy("项目"), _linked("name", "project_detail", "pk")),
        Column(COUNTY, _plain("county.name")),
        Column(gettext_lazy("承接机构"), _plain("organisation.name")),
        Column(gettext_lazy("年度"), _plain("programme_year.year")),
        Column(gettext_lazy("服务期"), lambda row, viewer: Cell(f"{row.starts_on} – {row.ends_on}")),
    ],
    VisitAction: [
        Column(gettext_lazy("整改事项"), _linked("action", "visit_detail", "visit_id")),
        Column(COUNTY, _plain("visit.county.name")),
        Column(gettext_lazy("走访日期"), _plain("visit.visited_on")),
        Column(gettext_lazy("完成期限"), _plain("due_on")),
        Column(gettext_lazy("完成日期"), _plain("closed_on")),
    ],
    ProjectEvaluation: [
        Column(gettext_lazy("项目"), _linked("project.name", "evaluation_detail", "pk")),
        Column(COUNTY, _plain("project.county.name")),
        Column(gettext_lazy("评估类型"), _plain("kind")),
        Column(gettext_lazy("等级"), _plain("grade")),
        Column(gettext_lazy("总分"), _plain("total")),
        Column(gettext_lazy("评估日期"), _plain("evaluated_on")),
    ],
}

# Related rows each model's cells read, and a stable order for paging.
RELATED: dict[type[models.Model], tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    Region: ((), (), ("code",)),
    Person: (("county",), (), ("name", "pk")),
    Dispatch: (("person", "county", "programme_year", "sending_organisation"), (), ("started_on", "pk")),
    Trainee: (("person", "county", "programme_year"), (), ("programme_year__year", "county__code", "pk")),
    Organisation: (("home_county",), (), ("home_county__code", "name", "pk")),
    Beneficiary: (("region",), ("target_groups",), ("registered_on", "pk")),
    Case: (("beneficiary", "county", "worker"), (), ("opened_on", "pk")),
    ServiceRecord: (("service_type", "beneficiary", "county", "worker"), (), ("served_on", "pk")),
    GroupSession: (("group__county",), (), ("held_on", "pk")),
    CommunityAttendance: (("activity__county", "target_group"), (), ("activity__held_on", "pk")),
    LivelihoodProject: (("county",), (), ("started_on", "pk")),
    ReceivingCounty: (("programme_year", "county"), (), ("programme_year__year", "county__code")),
    IncentiveClaim: (("person", "policy__county"), (), ("paid_on", "pk")),
    VolunteerService: (("volunteer__person", "county"), (), ("served_on", "pk")),
    Project: (("county", "organisation", "programme_year"), (), ("county__code", "pk")),
    VisitAction: (("visit__county",), (), ("due_on", "pk")),
    ProjectEvaluation: (("project__county",), (), ("evaluated_on", "pk")),
}


def _ordered(found: Drill) -> models.QuerySet[Any]:
    select, prefetch, order = RELATED[found.model]
    records = found.records.select_related(*select) if select else found.records
    if prefetch:
        records = records.prefetch_related(*prefetch)
    return records.order_by(*order)


def _detail_text(item: Any) -> str:
    """One counted record, beside the person or county it counts for."""
    if isinstance(item, ReceivingCounty):
        return _("%(year)s 年度") % {"year": item.programme_year.year}
    if isinstance(item, Dispatch):
        return f"{item.programme_year.year} {item.county.name} {item.started_on}"
    if isinstance(item, Trainee):
        return _("%(year)s 年度 %(county)s，%(day)s 结业") % {
            "year": item.programme_year.year,
            "county": item.county.name,
            "day": item.completed_on,
        }
    if isinstance(item, Certificate):
        return f"{item.get_level_display()} {item.obtained_on} {item.county.name}"
    if isinstance(item, Organisation | IncentivePolicy):
        return item.name
    return str(item)


DETAIL_RELATED = {
    ReceivingCounty: ("programme_year",),
    Dispatch: ("programme_year", "county"),
    Trainee: ("programme_year", "county"),
    Certificate: ("county",),
    Organisation: (),
    IncentivePolicy: (),
}


def _computed(name: str) -> Callable[[Any, Viewer], Cell]:
    def cell(row: Any, viewer: Viewer) -> Cell:
        return Cell(_text(viewer.computed.get(row.pk, {}).get(name)))

    return cell


def columns_of(found: Drill) -> list[Column]:
    columns = list(COLUMNS[found.model])
    if found.details is None:
        columns = [column for column in columns if column.label != DETAILS]
    for name, label in found.computed_labels.items():
        columns.append(Column(label, _computed(name)))
    if found.amount == "change":
        columns.append(Column(found.amount_label, lambda row, viewer: Cell(f"{row.change:+d}")))
    return columns


def _viewer(user: User, found: Drill, rows: list[Any], *, unmask: bool) -> Viewer:
    """What the reader may see on these rows: a fixed number of queries whatever their number."""
    viewer = Viewer(unmask_people=unmask and user.has_perm(UNMASK))
    people = {row.pk for row in rows if isinstance(row, Beneficiary)}
    people |= {
        row.beneficiary_id for row in rows if isinstance(row, Case | ServiceRecord) and row.beneficiary_id
    }
    if people:
        viewer.listed = set(beneficiaries_for(user).filter(pk__in=people).values_list("pk", flat=True))
        if unmask and user.has_perm(UNMASK_BENEFICIARY):
            viewer.unmask_beneficiaries = set(
                beneficiaries_in_full_for(user).filter(pk__in=people).values_list("pk", flat=True)
            )
    if found.details is not None and rows:
        details = found.details.filter(**{f"{found.details_to}__in": [row.pk for row in rows]})
        related = DETAIL_RELATED.get(found.details.model, ())
        grouped: dict[int, list[str]] = defaultdict(list)
        details = details.select_related(*related) if related else details
        for item in details.order_by("pk"):
            grouped[getattr(item, f"{found.details_to}_id")].append(_detail_text(item))
        viewer.details = dict(grouped)
    if found.computed is not None and rows:
        viewer.computed = found.computed(rows)
    return viewer


def table(user: User, found: Drill, rows: list[Any], *, unmask: bool = False) -> list[list[Cell]]:
    viewer = _viewer(user, found, rows, unmask=unmask)
    columns = columns_of(found)
    return [[column.cell(row, viewer) for column in columns] for row in rows]


# The page -----------------------------------------------------------------------------------


@dataclass
class Request:
    key: str
    part: str | None
    scope: Region
    as_of: dt.date


def _parse(request: HttpRequest) -> Request:
    key = request.GET.get("figure", "")
    if key not in FIGURE_LABELS:
        raise FigureError(_("没有名为“%(key)s”的统计指标。") % {"key": key})
    part = request.GET.get("part") or None
    code = request.GET.get("scope", "").strip()
    if not code:
        raise FigureError(_("请给出统计范围（区划代码）。"))
    scope = resolve_scope(code)
    text = request.GET.get("as_of", "")
    if not text:
        raise FigureError(_("请给出统计日期（YYYY-MM-DD）。"))
    return Request(key, part, scope, parse_as_of(text))


def _show(value: Any) -> str:
    """The engine's number as people read it."""
    if value is None:
        return "—"
    if isinstance(value, dict) and {"goal", "done"} <= set(value):
        percent = "—" if value.get("percent") is None else f"{value['percent']}%"
        return _("完成 %(done)s / 目标 %(goal)s（%(percent)s）") % {**value, "percent": percent}
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    return str(value)


@login_required
@require_GET
def figure_records(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    _check_reader(user)
    try:
        asked = _parse(request)
        _check_scope(user, asked.scope)
        found = drill(asked.key, asked.part, scope=asked.scope, as_of=asked.as_of)
    except FigureError as error:
        return render(request, "figures/records/error.html", {"message": str(error)}, status=400)
    figures = compute_figures(scope=asked.scope, as_of=asked.as_of)
    value = figure_value(figures, asked.key, found.part)
    if request.GET.get("format") == "xlsx":
        return _export(request, user, asked, found, value)
    page = Paginator(_ordered(found), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    labels = part_labels(asked.key)
    columns = [str(column.label) for column in columns_of(found)]
    breakdown = [
        {
            "label": labels.get(part, part),
            "value": _show(figure_value(figures, asked.key, part)),
            "url": records_url(asked.key, part, scope=asked.scope, as_of=asked.as_of),
            "current": part == found.part,
        }
        for part in parts(asked.key)
    ]
    query = {"figure": asked.key, "scope": asked.scope.code, "as_of": asked.as_of.isoformat()}
    if asked.part:
        query["part"] = asked.part
    return render(
        request,
        "figures/records/list.html",
        {
            "label": FIGURE_LABELS[asked.key],
            "nav_section": "figures",
            "part_label": labels.get(found.part, found.part) if found.part else "",
            "scope": asked.scope,
            "as_of": asked.as_of,
            "value": _show(value) if not isinstance(value, dict) else "",
            "drill": found,
            "is_count": found.measure in {Measure.COUNT, Measure.DISTINCT},
            "columns": columns,
            "rows": [list(zip(columns, cells, strict=True)) for cells in table(user, found, rows)],
            "page": page,
            "query": urlencode(query),
            "breakdown": breakdown,
            "export_url": "?" + urlencode({**query, "format": "xlsx"}),
            "unmask_url": "?" + urlencode({**query, "format": "xlsx", "unmask": "1"})
            if user.has_perm(UNMASK)
            else "",
        },
    )


# The Excel file -----------------------------------------------------------------------------


def _batches(records: models.QuerySet[Any]) -> Iterable[list[Any]]:
    paginator = Paginator(records, EXPORT_BATCH)
    for number in paginator.page_range:
        yield list(paginator.page(number).object_list)


def _export(request: HttpRequest, user: User, asked: Request, found: Drill, value: Any) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    unmask = request.GET.get("unmask") == "1" and user.has_perm(UNMASK)
    label = str(FIGURE_LABELS[asked.key])
    if found.part:
        label = f"{label} · {part_label(asked.key, found.part)}"
    book = Workbook()
    sheet = book.active
    sheet.title = _("记录")
    where = {
        "figure": label,
        "scope": asked.scope.name,
        "code": asked.scope.code,
        "day": asked.as_of.isoformat(),
    }
    sheet.append([_("%(figure)s — %(scope)s（%(code)s），截至 %(day)s") % where])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_("数值"), "" if isinstance(value, dict) else _show(value), str(found.basis)])
    columns = columns_of(found)
    sheet.append([str(column.label) for column in columns])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    count = 0
    for rows in _batches(_ordered(found)):
        for cells in table(user, found, rows, unmask=unmask):
            sheet.append([cell.text for cell in cells])
        count += len(rows)
    audit.record(
        actor=user,
        action=AuditEntry.Action.EXPORT,
        detail={
            "figure": asked.key,
            "part": found.part or "",
            "scope": asked.scope.code,
            "as_of": asked.as_of.isoformat(),
            "count": count,
            "format": "xlsx",
            "unmasked": unmask,
        },
        request=request,
    )
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"{label}_{asked.scope.name}_{asked.as_of.isoformat()}.xlsx".replace("/", "／").replace(" · ", "_")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    add_never_cache_headers(response)
    return response
