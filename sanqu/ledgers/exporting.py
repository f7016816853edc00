"""Ledgers out: the records of a scope written in the template of their kind, and blank templates.

`export_ledger` writes one sheet, named by the kind's title, whose first row is the template's header
(`Column.name`, in the order of DESIGN §6) and whose rows are the records of the scope (the region and
everything under it) that the actor may read, through the same scoped selectors as the pages. Dates are
Excel dates shown yyyy-mm-dd, ID numbers text, choices their Chinese labels, regions their names: a file
the importer reads back as it is.

ID numbers and phones are masked as on the pages unless the export asks to unmask and the role may
(UNMASK for people; UNMASK_BENEFICIARY and the in-full circle for beneficiaries). A masked file says so
in a second sheet, 说明, and in its name, so nobody imports masked numbers by mistake (the ID check would
refuse them anyway). Every export is written to the audit log with its kind, scope and row count.

The actor `None` is the operator at the command line (`sanqu export-ledger`): every record of the scope,
unmasked only when asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import LEDGER_VIEW, UNMASK, UNMASK_BENEFICIARY
from sanqu.accounts.scoping import scope_of
from sanqu.cases.models import Beneficiary, ServiceRecord, ServiceType, TargetGroup
from sanqu.cases.selectors.beneficiaries import beneficiaries_for, beneficiaries_in_full_for
from sanqu.cases.selectors.services import service_records_for
from sanqu.incentives.models import IncentivePolicy
from sanqu.incentives.selectors import policies_for
from sanqu.ledgers.kinds import KINDS, LEDGER_LANGUAGE, Column, LedgerKind
from sanqu.lib import clock, idnumber
from sanqu.orgs.models import Organisation
from sanqu.orgs.selectors import organisations_for
from sanqu.regions.models import Region
from sanqu.training.models import Trainee
from sanqu.training.selectors import trainees_for
from sanqu.workforce.dispatch_selectors import dispatches_for
from sanqu.workforce.models import Certificate, Dispatch, Person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
TEXT_KINDS = {"id_number", "credit_code", "phone"}  # digits that must stay text
NOTE_SHEET = "说明"
GUIDE_SHEET = "填写说明"
CHUNK = 2000
TEMPLATE_ROWS = 2000  # rows of the blank template that carry the validation lists
YES, NO = "是", "否"
LEVEL_RANK = {level: rank for rank, level in enumerate(Certificate.Level.values)}


class LedgerError(Exception):
    """A request for a ledger that cannot be met; the message is for the user."""


# Who exports what ---------------------------------------------------------------------------


def kind_of(code: str) -> LedgerKind:
    try:
        return KINDS[code]
    except KeyError:
        raise LedgerError(
            _("没有名为“%(kind)s”的台账。可用的台账：%(kinds)s。") % {"kind": code, "kinds": "、".join(KINDS)}
        ) from None


def may_export(user: User, kind: str) -> bool:
    """Whether the user may read the records of this kind (the ledger follows the page's permission)."""
    return kind in LEDGER_VIEW and user.has_perm(LEDGER_VIEW[kind])


def exportable_kinds(user: User) -> list[LedgerKind]:
    return [kind for code, kind in KINDS.items() if may_export(user, code)]


def may_unmask(user: User | None, kind: str) -> bool:
    """Whether asking to unmask reveals anything of this kind to the user (the operator: everything)."""
    if user is None:
        return True
    if kind in {"beneficiary", "service"}:
        return user.has_perm(UNMASK_BENEFICIARY) or user.has_perm(UNMASK)
    return user.has_perm(UNMASK)


def scope_allowed(user: User, region: Region) -> bool:
    """The region lies in one of the user's memberships (a region role's subtree, or her own place)."""
    scope = scope_of(user)
    return scope.superuser or any(region.path.startswith(path) for path in scope.home_paths)


def ledger_scopes(user: User) -> list[Region]:
    """The scopes to pick from: the user's own regions, then the receiving counties under them."""
    from sanqu.figures.dashboard import dashboard_scopes

    scope = scope_of(user)
    regions = dashboard_scopes(user)
    if scope.superuser:
        return regions
    seen = {region.pk for region in regions}
    own = Region.objects.filter(path__in=scope.home_paths).order_by("level", "code")
    return [*regions, *(region for region in own if region.pk not in seen)]


# The records ------------------------------------------------------------------------------


def _under(region: Region, *lookups: str) -> Q:
    """Records whose region (reached by any of the lookups) lies in the region's subtree."""
    query = Q(pk__in=[])
    for lookup in lookups:
        query |= Q(**{f"{lookup}__path__startswith": region.path})
    return query


def _records(actor: User | None, kind: str, scope: Region) -> QuerySet[Any]:
    """The records of the kind the actor may read in the scope, with what their cells read."""
    if kind == "dispatch":
        dispatches = Dispatch.objects.all() if actor is None else dispatches_for(actor)
        return (
            # A township or village scope takes the dispatches posted to its stations.
            dispatches.filter(_under(scope, "county", "station__region"))
            .select_related("person", "programme_year", "county", "station", "sending_organisation")
            .prefetch_related(
                Prefetch("person__certificates", queryset=Certificate.objects.only("person", "level"))
            )
            .order_by("programme_year__year", "county__code", "started_on", "pk")
        )
    if kind == "trainee":
        trainees = Trainee.objects.all() if actor is None else trainees_for(actor)
        return (
            trainees.filter(_under(scope, "county"))
            .select_related("person", "programme_year", "county", "course")
            .order_by("programme_year__year", "county__code", "person__name", "pk")
        )
    if kind == "organisation":
        organisations = Organisation.objects.all() if actor is None else organisations_for(actor)
        # The organisations based in the scope (not those that only sent workers into it).
        return (
            organisations.filter(_under(scope, "home_county"))
            .select_related("home_county")
            .order_by("home_county__code", "registered_on", "name", "pk")
        )
    if kind == "certificate":
        certificates = Certificate.objects.all()
        if actor is not None:
            # As the person page shows them: by the county of the certificate, or the reader's people.
            certificates = scope_of(actor).filter(
                certificates, region="county", organisation="person__organisation", person="person"
            )
        return (
            certificates.filter(_under(scope, "county"))
            .select_related("person", "county")
            .order_by("county__code", "obtained_on", "pk")
        )
    if kind == "beneficiary":
        beneficiaries = Beneficiary.objects.all() if actor is None else beneficiaries_for(actor)
        return (
            beneficiaries.filter(_under(scope, "region"))
            .select_related("region__parent__parent", "household", "responsible_worker")
            .prefetch_related("target_groups")
            .order_by("region__code", "registered_on", "pk")
        )
    if kind == "service":
        records = ServiceRecord.objects.all() if actor is None else service_records_for(actor)
        # Only services to a person fit the ledger, whose beneficiary ID number is required: a
        # community activity's services without one stay on the activity.
        return (
            records.filter(beneficiary__isnull=False)
            .filter(_under(scope, "county", "beneficiary__region"))
            .select_related("service_type", "worker", "beneficiary")
            .order_by("served_on", "pk")
        )
    if kind == "incentive":
        policies = IncentivePolicy.objects.all() if actor is None else policies_for(actor)
        return (
            policies.filter(_under(scope, "county"))
            .select_related("county")
            .order_by("county__code", "effective_from", "pk")
        )
    raise LedgerError(_("没有名为“%(kind)s”的台账。") % {"kind": kind})


# The cells --------------------------------------------------------------------------------


@dataclass
class Reader:
    """What the export may show of the people on its rows, and which columns it had to mask."""

    unmask_people: bool = False
    unmask_beneficiaries: set[int] | None = None  # None: every one
    listed_beneficiaries: set[int] | None = None  # None: every one
    masked: set[str] = field(default_factory=set)  # keys of columns with a masked value

    def person_id(self, key: str, number: str) -> str:
        if not number or self.unmask_people:
            return number
        self.masked.add(key)
        return idnumber.mask(number)

    def person_phone(self, key: str, phone: str) -> str:
        if not phone or self.unmask_people:
            return phone
        self.masked.add(key)
        return _mask_phone(phone)

    def beneficiary_value(
        self, key: str, beneficiary: Beneficiary, value: str, mask: Callable[[str], str]
    ) -> str:
        if not value:
            return value
        if self.listed_beneficiaries is not None and beneficiary.pk not in self.listed_beneficiaries:
            self.masked.add(key)  # someone the reader may not list: nothing of them
            return ""
        if self.unmask_beneficiaries is None or beneficiary.pk in self.unmask_beneficiaries:
            return value
        self.masked.add(key)
        return mask(value)


def _mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "*" * len(phone)


def _reader(actor: User | None, kind: str, records: QuerySet[Any], *, unmask: bool) -> Reader:
    if actor is None:
        return Reader(unmask_people=unmask, unmask_beneficiaries=None if unmask else set())
    reader = Reader(unmask_people=unmask and actor.has_perm(UNMASK), unmask_beneficiaries=set())
    if kind in {"beneficiary", "service"}:
        ids = records.values("pk") if kind == "beneficiary" else records.values("beneficiary_id")
        if kind == "service":
            reader.listed_beneficiaries = set(
                beneficiaries_for(actor).filter(pk__in=ids).values_list("pk", flat=True)
            )
        if unmask and actor.has_perm(UNMASK_BENEFICIARY):
            reader.unmask_beneficiaries = set(
                beneficiaries_in_full_for(actor).filter(pk__in=ids).values_list("pk", flat=True)
            )
    return reader


def _yes_no(value: bool) -> str:
    return YES if value else NO


def _label(choices: Any, value: str) -> str:
    """A choice's label, as the template writes it (`_write` renders the rows in Chinese)."""
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:  # a value the choices no longer hold: as stored
        return value


def _dispatch_row(row: Dispatch, reader: Reader) -> list[Any]:
    person = row.person
    levels = [certificate.level for certificate in person.certificates.all()]
    top = max(levels, key=LEVEL_RANK.__getitem__) if levels else ""
    reason = _label(Dispatch.LeaveReason, row.leave_reason)
    if reason and row.leave_note:
        reason = f"{reason}：{row.leave_note}"  # the importer reads the reason before the colon
    return [
        row.programme_year.year,
        person.name,
        reader.person_id("id_number", person.id_number or ""),
        _label(Person.Sex, person.sex),
        reader.person_phone("phone", person.phone or ""),
        row.sending_organisation.name,
        row.county.name,
        row.station.name if row.station else "",
        row.started_on,
        # The actual end once the term ended, else the planned one (the status tells which).
        row.ended_on or row.planned_end_on,
        _label(Dispatch.Status, row.status),
        reason,
        _label(Dispatch.Assessment, row.assessment),
        _label(Certificate.Level, top),
    ]


def _trainee_row(row: Trainee, reader: Reader) -> list[Any]:
    course = row.course
    level = row.course_level or (course.level if course else "")
    return [
        row.programme_year.year,
        row.person.name,
        reader.person_id("id_number", row.person.id_number or ""),
        row.county.name,
        row.workplace,
        row.course_name or (course.name if course else ""),
        _label(Trainee.CourseLevel, level),
        row.hours,
        _yes_no(row.completed),
        row.completed_on,
    ]


def _organisation_row(row: Organisation, reader: Reader) -> list[Any]:
    return [
        row.credit_code,
        row.name,
        _label(Organisation.Kind, row.kind),
        row.home_county.name,
        row.registered_on,
        row.deregistered_on,
        row.supervising_unit,
    ]


def _certificate_row(row: Certificate, reader: Reader) -> list[Any]:
    return [
        row.person.name,
        reader.person_id("id_number", row.person.id_number or ""),
        _label(Certificate.Level, row.level),
        row.obtained_on,
        row.county.name,
        row.number,
    ]


def _places(region: Region) -> tuple[str, str, str]:
    """County, township and village names of a beneficiary's place (its parents up to the county loaded)."""
    names = {Region.Level.COUNTY: "", Region.Level.TOWNSHIP: "", Region.Level.VILLAGE: ""}
    node: Region | None = region
    while node is not None and node.level >= Region.Level.COUNTY:
        names[Region.Level(node.level)] = node.name
        # Stop at the county: its parent is not loaded, and not needed.
        node = node.parent if node.level > Region.Level.COUNTY else None
    return names[Region.Level.COUNTY], names[Region.Level.TOWNSHIP], names[Region.Level.VILLAGE]


def _beneficiary_row(row: Beneficiary, reader: Reader) -> list[Any]:
    county, township, village = _places(row.region)
    groups = list(row.target_groups.all())
    # 建档立卡: the household's registration, or the target group of the same name.
    poor = (row.household is not None and row.household.poverty_registered) or any(
        group.code == "registered_poor" for group in groups
    )
    worker = row.responsible_worker
    return [
        row.name,
        reader.beneficiary_value("id_number", row, row.id_number or "", idnumber.mask),
        county,
        township,
        village,
        "、".join(group.name for group in groups),
        reader.beneficiary_value("phone", row, row.phone or "", _mask_phone),
        _yes_no(poor),
        reader.person_id("worker_id_number", worker.id_number or "") if worker else "",
        row.registered_on,
        row.consent_on,
        row.get_consent_by_display() if row.consent_by else "",
        row.guardian_name,
        row.guardian_relation,
    ]


def _service_row(row: ServiceRecord, reader: Reader) -> list[Any]:
    beneficiary = row.beneficiary
    assert beneficiary is not None  # noqa: S101 (the query keeps only services to a person)
    return [
        row.served_on,
        reader.beneficiary_value(
            "beneficiary_id_number", beneficiary, beneficiary.id_number or "", idnumber.mask
        ),
        reader.person_id("worker_id_number", row.worker.id_number or ""),
        _label(ServiceRecord.Method, row.method),
        row.service_type.name,
        row.duration_hours,
        row.place,
        row.notes,
    ]


def _incentive_row(row: IncentivePolicy, reader: Reader) -> list[Any]:
    return [
        row.county.name,
        row.name,
        _label(IncentivePolicy.Kind, row.kind),
        row.effective_from,
        row.effective_until,
        row.amount,
    ]


ROWS: dict[str, Callable[[Any, Reader], list[Any]]] = {
    "dispatch": _dispatch_row,
    "trainee": _trainee_row,
    "organisation": _organisation_row,
    "certificate": _certificate_row,
    "beneficiary": _beneficiary_row,
    "service": _service_row,
    "incentive": _incentive_row,
}


# The file ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFile:
    content: bytes
    filename: str
    rows: int
    masked: tuple[str, ...]  # headers of the columns holding masked values


def filename(kind: LedgerKind, scope: Region, *, masked: bool) -> str:
    suffix = "（脱敏）" if masked else ""
    return f"{kind.title}_{scope.name}_{clock.today().isoformat()}{suffix}.xlsx"


def _width(column: Column) -> float:
    if column.kind in {"id_number", "credit_code"}:
        return 22
    if column.kind == "date":
        return 13
    return max(10, min(40, 2.2 * len(column.name) + 2))


class _CellWriter:
    """Turns a row's values into write-only cells where the format matters (dates, ID numbers)."""

    def __init__(self, sheet: WriteOnlyWorksheet, kind: LedgerKind) -> None:
        self.sheet = sheet
        self.formats = [
            DATE_FORMAT if column.kind == "date" else TEXT_FORMAT if column.kind in TEXT_KINDS else ""
            for column in kind.columns
        ]

    def cells(self, values: list[Any]) -> list[Any]:
        out: list[Any] = []
        for value, number_format in zip(values, self.formats, strict=True):
            if value is None or value == "":
                out.append(None)
            elif number_format:
                cell = WriteOnlyCell(self.sheet, value=value)
                cell.number_format = number_format
                out.append(cell)
            elif isinstance(value, Decimal):
                out.append(int(value) if value == value.to_integral_value() else float(value))
            else:
                out.append(value)
        return out


def _write(
    actor: User | None, kind: LedgerKind, records: QuerySet[Any], reader: Reader
) -> tuple[Workbook, int]:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(kind.title)
    for index, column in enumerate(kind.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _width(column)
    sheet.freeze_panes = "A2"
    header = []
    for column in kind.columns:
        cell = WriteOnlyCell(sheet, value=column.name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    writer = _CellWriter(sheet, kind)
    row_of = ROWS[kind.code]
    count = 0
    # The ledger's values are Chinese whatever the reader's language: choices are read back by label.
    with translation.override(LEDGER_LANGUAGE):
        for record in records.iterator(chunk_size=CHUNK):
            sheet.append(writer.cells(row_of(record, reader)))
            count += 1
    return book, count


def _note(book: Workbook, kind: LedgerKind, scope: Region, masked: list[str], count: int) -> None:
    sheet = book.create_sheet(NOTE_SHEET)
    sheet.column_dimensions["A"].width = 90
    lines = [
        _("本文件为脱敏导出：以下列中的身份证号、电话已部分隐去（以 * 代替），不能用于导入。"),
        _("脱敏的列：%(columns)s") % {"columns": "、".join(masked)},
        _("需要导入时，请由有权限的人员勾选“导出完整身份证号和电话”重新导出（导出会记入审计日志）。"),
        _("台账：%(title)s；范围：%(scope)s（%(code)s）；记录：%(count)s 条；导出日期：%(day)s")
        % {
            "title": kind.title,
            "scope": scope.name,
            "code": scope.code,
            "count": count,
            "day": clock.today().isoformat(),
        },
    ]
    first = WriteOnlyCell(sheet, value=lines[0])
    first.font = Font(bold=True, color="9C0006")
    sheet.append([first])
    for line in lines[1:]:
        sheet.append([line])


def export_ledger_file(
    *,
    actor: User | None,
    kind: str,
    scope: Region,
    unmask: bool = False,
    request: HttpRequest | None = None,
) -> LedgerFile:
    """The ledger of a kind for a scope, as the actor may read it; audited. See the module's docstring."""
    ledger = kind_of(kind)
    if actor is not None and not (may_export(actor, kind) and scope_allowed(actor, scope)):
        raise LedgerError(_("您无权导出此范围的%(title)s。") % {"title": ledger.title})
    records = _records(actor, kind, scope)
    reader = _reader(actor, kind, records, unmask=unmask)
    book, count = _write(actor, ledger, records, reader)
    masked = [column.name for column in ledger.columns if column.key in reader.masked]
    if masked:
        _note(book, ledger, scope, masked, count)
    audit.record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        detail={
            "ledger": kind,
            "scope": scope.code,
            "count": count,
            "format": "xlsx",
            "unmasked": unmask and may_unmask(actor, kind),
            "masked_columns": masked,
            "via": "command" if actor is None else "web",
        },
        request=request,
    )
    buffer = BytesIO()
    book.save(buffer)
    return LedgerFile(buffer.getvalue(), filename(ledger, scope, masked=bool(masked)), count, tuple(masked))


def export_ledger(
    *,
    actor: User | None,
    kind: str,
    scope: Region,
    unmask: bool = False,
    request: HttpRequest | None = None,
) -> bytes:
    """The .xlsx bytes of `export_ledger_file`."""
    return export_ledger_file(actor=actor, kind=kind, scope=scope, unmask=unmask, request=request).content


# Blank templates ----------------------------------------------------------------------------


def _managed_list(column: Column) -> list[str]:
    """The names of the managed list a column takes (service types, target groups), from the database."""
    if column.key == "service_type":
        return list(ServiceType.objects.filter(active=True).values_list("name", flat=True))
    if column.key == "target_groups":
        return list(TargetGroup.objects.filter(active=True).values_list("name", flat=True))
    return []


def _accepted(column: Column) -> str:
    """How a column's cells may be written, for the guide sheet."""
    forms: dict[str, str] = {
        "date": _("日期：2018-03-01、2018/3/1、2018.3.1、2018年3月1日，或 Excel 日期"),
        "region": _("行政区划：简称（城口）、全称（城口县）或区划代码（500229），曾用代码也可"),
        "id_number": _("18 位公民身份号码，末位 X 大小写均可；按校验位核对"),
        "phone": _("11 位手机号或带区号的固定电话"),
        "credit_code": _("18 位统一社会信用代码，按校验位核对；没有可空"),
        "choice": _("从下拉列表中选一项"),
        "multi": _("可填多项，用“、”或逗号分隔"),
        "boolean": _("是 / 否"),
        "integer": _("整数，如 2018"),
        "decimal": _("数字，可带小数"),
        "text": _("文字"),
    }
    return forms.get(column.kind, forms["text"])


def _choices(column: Column) -> list[str]:
    return list(column.choices) or _managed_list(column)


def _guide(book: Workbook, kind: LedgerKind) -> tuple[Worksheet, dict[str, str]]:
    """The 填写说明 sheet: each column, required or not, its accepted forms and values.

    Returns the sheet and, for each column with a list of values, the range holding them (the data
    validation of the ledger sheet refers to it, so a long list is no problem).
    """
    sheet = book.create_sheet(GUIDE_SHEET)
    bold = Font(bold=True)
    sheet.append([_("%(title)s 填写说明") % {"title": kind.title}])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(
        [
            _(
                "第一张表的第一行是列名，请勿修改列名；从第二行起每行一条记录。列的先后可以调整，多余的列导入时忽略。"
            ),
        ]
    )
    sheet.append([_("标为红色、带“必填”批注的列必须有，且每行都要填写。")])
    sheet.append([])
    header = [_("列名"), _("是否必填"), _("填写要求"), _("可选值"), _("也可用的列名")]
    sheet.append(header)
    head_row = sheet.max_row
    for cell in sheet[head_row]:
        cell.font = bold
    lists: dict[str, str] = {}
    list_column = len(header) + 2  # the values of each list, one per cell, to the right
    for column in kind.columns:
        values = _choices(column)
        sheet.append(
            [
                column.name,
                _("必填") if column.required else _("选填"),
                _accepted(column),
                "、".join(values),
                "、".join(column.synonyms),
            ]
        )
        if values and column.kind != "multi":
            letter = get_column_letter(list_column)
            sheet.cell(row=1, column=list_column, value=column.name).font = bold
            for offset, value in enumerate(values, start=2):
                sheet.cell(row=offset, column=list_column, value=value)
            lists[column.key] = f"'{GUIDE_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
            list_column += 1
    for letter, width in zip("ABCDE", (18, 10, 48, 40, 36), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=head_row + 1, max_col=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return sheet, lists


def blank_template(kind: str) -> bytes:
    """An empty ledger: the header row (required columns marked), lists for choices, and a guide sheet."""
    ledger = kind_of(kind)
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 (a new workbook has its sheet)
    sheet.title = ledger.title
    required_fill = PatternFill("solid", fgColor="FFE0E0")
    for index, column in enumerate(ledger.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.name)
        cell.font = Font(bold=True, color="9C0006" if column.required else "000000")
        if column.required:
            cell.fill = required_fill
            cell.comment = Comment(_("必填"), "Sanqu")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = _width(column)
        # The column's own format: what people type below stays a date, or text (no 5.00229E+17).
        if column.kind == "date":
            sheet.column_dimensions[letter].number_format = DATE_FORMAT
        elif column.kind in TEXT_KINDS:
            sheet.column_dimensions[letter].number_format = TEXT_FORMAT
    sheet.freeze_panes = "A2"
    _guide_sheet, lists = _guide(book, ledger)
    for index, column in enumerate(ledger.columns, start=1):
        if column.key not in lists:
            continue
        letter = get_column_letter(index)
        validation = DataValidation(
            type="list",
            formula1=lists[column.key],
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("不在可选值中"),
            error=_("请从下拉列表中选择“%(column)s”的值。") % {"column": column.name},
        )
        validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(validation)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_filename(kind: LedgerKind) -> str:
    return f"{kind.title}（空白模板）.xlsx"
