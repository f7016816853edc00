"""Reading a ledger file into rows of clean values (DESIGN.md §6).

`read_ledger(data, filename=..., kind=...)` takes the bytes of an .xlsx, .xls, .ods or .csv file,
finds the sheet and the header row of the ledger kind (title rows above it are skipped; columns in
any order, by name or synonym; extra columns ignored with a warning), and reads every non-empty row
below it through `sanqu.ledgers.normalise`. A file that cannot be read at all raises
`LedgerFileError` with a Chinese message; a cell that cannot be read becomes an error of its row,
so one bad row in 100,000 is reported by its row number and the others are read.

The format comes from the bytes, not the name: a zip with `xl/` is a workbook (python-calamine), an
OLE compound file is an .xls (or an encrypted, password-protected .xlsx), anything else must decode
as text (UTF-8 with or without BOM, UTF-16 with BOM, else GB18030, which Chinese Excel writes).
Row numbers are the sheet's, 1-based, as Excel shows them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, islice
from operator import itemgetter

import python_calamine
from django.conf import settings
from django.utils.translation import gettext as _

from sanqu.ledgers.kinds import KINDS, Column, LedgerKind
from sanqu.ledgers.normalise import CellError, normalise

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * MB
HEADER_SEARCH_ROWS = 20  # the header is within the first rows of a sheet
MEMO_LIMIT = 50_000  # distinct values remembered per column (regions, choices, dates repeat)
CHUNK_ROWS = 2_000  # rows read a column at a time

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted OOXML file is an OLE container holding these streams ([MS-OFFCRYPTO]).
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
# An encrypted .xls: the workbook globals' BOF record (BIFF8) followed by a FILEPASS record.
XLS_GLOBALS_BOF = b"\x09\x08\x10\x00\x00\x06\x05\x00"
XLS_FILEPASS = b"\x2f\x00"
BINARY_SIGNATURES = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x1f\x8b",
    b"MZ",
)

_HEADER_MARKS = re.compile(r"[(\[【](?:必填项?|选填项?|必须|可选|非必填)[)\]】]|[*※]")
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")
_SHEET_ELEMENT = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)>")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")
_ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')
_FORMULA = re.compile(rb"<f[ >/]")
_CACHED_VALUE = re.compile(rb"<v>[^<]")
_CELL_REFERENCE = re.compile(rb'\br="([A-Z]+)(\d+)"')


class LedgerFileError(ValueError):
    """A file that cannot be read as the ledger at all; the message is for the user, in Chinese."""


@dataclass
class Row:
    number: int  # the sheet's row number, 1-based, as Excel shows it
    values: dict[str, object] = field(default_factory=dict)  # column key → clean value (None: empty)
    errors: dict[str, str] = field(default_factory=dict)  # column key → the reason, in Chinese
    # Column key → the cell as read, kept for a row with errors (what the user wrote, beside the reason).
    raw: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Table:
    kind: LedgerKind
    sheet: str
    header_row: int  # 1-based
    columns: dict[str, str]  # column key → the header as found in the file
    positions: dict[str, int]  # column key → the sheet's column index, 0-based (A is 0)
    ignored: list[str] = field(default_factory=list)  # headers of extra columns
    rows: list[Row] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Sheet:
    name: str
    rows: Iterator[Sequence[object]]  # from the sheet's first row; cell i of a row is column offset + i
    offset: int = 0
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]] = ()  # 0-based ((row, col), (row, col))
    without_result: frozenset[tuple[int, int]] = frozenset()  # 0-based (row, col) of formulas with no value


@dataclass
class _Header:
    index: int  # in the rows read for the search, 0-based
    positions: dict[str, int]  # column key → index in the row
    texts: dict[str, str]
    ignored: list[str]
    duplicates: list[tuple[str, str]]

    def missing(self, kind: LedgerKind) -> list[Column]:
        return [column for column in kind.columns if column.required and column.key not in self.positions]


def max_upload_bytes() -> int:
    return int(getattr(settings, "SANQU_LEDGER_MAX_BYTES", DEFAULT_MAX_BYTES))


def read_ledger(data: bytes, *, filename: str, kind: LedgerKind, max_bytes: int | None = None) -> Table:
    """The ledger in `data`, every non-empty row read; raises LedgerFileError."""
    table, rows = iter_rows(data, filename=filename, kind=kind, max_bytes=max_bytes)
    table.rows.extend(rows)
    return table


def iter_rows(
    data: bytes, *, filename: str, kind: LedgerKind, max_bytes: int | None = None
) -> tuple[Table, Iterator[Row]]:
    """The table (sheet, header, warnings; no rows yet) and an iterator over its rows, read lazily.

    The file-level checks (format, size, header) happen before this returns; merged-cell warnings
    are added to `table.warnings` as the iterator reaches them.
    """
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    if len(data) > limit:
        raise LedgerFileError(
            _("文件大小为 %(size).1f MB，超过了 %(limit)s MB 的上限：请拆分成几个文件后分别导入。")
            % {"size": len(data) / MB, "limit": _megabytes(limit)}
        )
    if not data.strip():
        raise LedgerFileError(_("文件是空的。"))
    warnings: list[str] = []
    hidden: list[str] = []
    candidates: list[tuple[_Sheet, list[Sequence[object]]]] = []
    for sheet in sheets(data, filename, hidden):
        head = _take(sheet.rows, HEADER_SEARCH_ROWS)
        header = _find_header(kind, head)
        if header is not None and not header.missing(kind):
            warnings.extend(_("已跳过隐藏的工作表“%(sheet)s”。") % {"sheet": name} for name in hidden)
            if candidates:
                skipped = "、".join(candidate.name for candidate, _head in candidates)
                warnings.append(
                    _("工作表“%(skipped)s”中没有%(kind)s的表头，已读取工作表“%(sheet)s”。")
                    % {"skipped": skipped, "kind": kind.title, "sheet": sheet.name}
                )
            return _open_table(kind, sheet, head, header, warnings)
        candidates.append((sheet, head))
    raise LedgerFileError(_no_header_message(kind, candidates, hidden))


def _megabytes(limit: int) -> str:
    return f"{limit / MB:g}"


def _take(rows: Iterator[Sequence[object]], count: int) -> list[Sequence[object]]:
    head = []
    for row in rows:
        head.append(row)
        if len(head) == count:
            break
    return head


# The file formats


def sheets(data: bytes, filename: str, hidden: list[str]) -> Iterator[_Sheet]:
    """The visible sheets of the file, loaded one by one; hidden ones are named in `hidden`."""
    if data.startswith(ZIP_SIGNATURE):
        yield from _zip_sheets(data, hidden)
    elif data.startswith(OLE_SIGNATURE):
        yield from _ole_sheets(data, hidden)
    else:
        yield _csv_sheet(data, filename)


def _not_a_ledger_file() -> LedgerFileError:
    return LedgerFileError(_("不是 Excel 或 CSV 文件：请上传 .xlsx、.xls 或 .csv 格式的台账。"))


def _corrupted() -> LedgerFileError:
    return LedgerFileError(_("文件已损坏，无法读取：请在 Excel 中打开，另存为 .xlsx 后重新上传。"))


def _protected() -> LedgerFileError:
    return LedgerFileError(
        _("文件设置了打开密码，无法读取：请在 Excel 中取消密码（文件 → 信息 → 保护工作簿）后重新上传。")
    )


def _zip_sheets(data: bytes, hidden: list[str]) -> Iterator[_Sheet]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        is_ods = "mimetype" in names and archive.read("mimetype").startswith(
            b"application/vnd.oasis.opendocument.spreadsheet"
        )
    except _DAMAGED_PART:
        raise _corrupted() from None
    if not is_ods and not any(name.startswith("xl/") for name in names):
        raise _not_a_ledger_file()  # a .docx, a .zip …
    sheet_paths = {} if is_ods else _xlsx_sheet_paths(archive, names)
    # A sheet's formulas are looked for in its XML while calamine reads its cells: both release the
    # GIL (inflating the XML, parsing it in Rust), so on a second core this costs no time.
    with ThreadPoolExecutor(max_workers=1) as pool:
        scans: dict[int, Future[frozenset[tuple[int, int]]]] = {}

        def loading(index: int) -> None:
            if (path := sheet_paths.get(index)) is not None:
                scans[index] = pool.submit(_formulas_without_result, archive, path)

        for index, sheet in _calamine_sheets(data, hidden, loading=loading):
            if (scan := scans.pop(index, None)) is not None:
                sheet.without_result = scan.result()
            yield sheet


def _ole_sheets(data: bytes, hidden: list[str]) -> Iterator[_Sheet]:
    if ENCRYPTED_PACKAGE in data:
        raise _protected()
    bof = data.find(XLS_GLOBALS_BOF)
    if bof >= 0 and data[bof + 20 : bof + 22] == XLS_FILEPASS:
        raise _protected()  # calamine reports it as a file it cannot detect
    for _index, sheet in _calamine_sheets(data, hidden):
        yield sheet


def _calamine_sheets(
    data: bytes, hidden: list[str], *, loading: Callable[[int], None] | None = None
) -> Iterator[tuple[int, _Sheet]]:
    """The visible worksheets, each loaded when reached; `loading` is told a sheet's index before."""
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = workbook.sheets_metadata
    except python_calamine.PasswordError:
        raise _protected() from None
    except Exception:  # calamine raises several error types for a broken file; none is the user's to see
        raise _corrupted() from None
    for index, sheet_metadata in enumerate(metadata):
        if sheet_metadata.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue
        if sheet_metadata.visible != python_calamine.SheetVisibleEnum.Visible:
            hidden.append(sheet_metadata.name)
            continue
        if loading is not None:
            loading(index)
        try:
            sheet = workbook.get_sheet_by_index(index)
            start = sheet.start
            rows = sheet.iter_rows()
        except python_calamine.PasswordError:
            raise _protected() from None
        except Exception:
            raise _corrupted() from None
        try:
            merged = sheet.merged_cell_ranges or ()
        except Exception:  # not every format reports merged cells
            merged = ()
        yield index, _Sheet(name=sheet.name, rows=rows, offset=start[1] if start else 0, merged=merged)


def _attributes(text: bytes) -> dict[bytes, bytes]:
    return dict(_ATTRIBUTE.findall(text))


def _xlsx_sheet_paths(archive: zipfile.ZipFile, names: set[str]) -> dict[int, str]:
    """Sheet index (the workbook's order, as calamine counts) → the part holding its cells; none when
    the parts cannot be read (calamine then says what is wrong with the file)."""
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return {}
    try:
        return _sheet_paths(archive, names)
    except _DAMAGED_PART:
        return {}


def _sheet_paths(archive: zipfile.ZipFile, names: set[str]) -> dict[int, str]:
    targets = {}
    for match in _RELATIONSHIP.finditer(archive.read("xl/_rels/workbook.xml.rels")):
        attributes = _attributes(match.group(1))
        target = attributes.get(b"Target", b"").decode()
        targets[attributes.get(b"Id", b"")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    paths = {}
    for index, match in enumerate(_SHEET_ELEMENT.finditer(archive.read("xl/workbook.xml"))):
        attributes = _attributes(match.group(1))
        relation = next((value for name, value in attributes.items() if name.endswith(b":id")), b"")
        if targets.get(relation) in names:
            paths[index] = targets[relation]
    return paths


# What reading a damaged zip archive or one of its parts raises (a bad header, a truncated or corrupt
# stream, a made-up version).
_DAMAGED_PART = (
    KeyError, zipfile.BadZipFile, OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError,
    NotImplementedError,  # a compression method or zip version the library does not know
    RuntimeError,  # an entry flagged as encrypted (zipfile wants its password)
)  # fmt: skip


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def _formulas_without_result(archive: zipfile.ZipFile, path: str) -> frozenset[tuple[int, int]]:
    """Cells holding a formula that was never calculated (no cached value): calamine reads them empty."""
    try:
        xml = archive.read(path)
    except _DAMAGED_PART:
        return frozenset()
    if b"<f>" not in xml and b"<f " not in xml and b"<f/>" not in xml:
        return frozenset()
    found = set()
    for match in _FORMULA.finditer(xml):
        start = xml.rfind(b"<c ", 0, match.start())
        end = xml.find(b"</c>", match.end())
        if start < 0:
            continue
        cell = xml[start : end if end >= 0 else len(xml)]
        opening = cell[: cell.find(b">")]
        if _CACHED_VALUE.search(cell) or b't="str"' in opening:  # a text formula may well give ""
            continue
        reference = _CELL_REFERENCE.search(opening)
        if reference is not None:
            found.add((int(reference.group(2)) - 1, _column_index(reference.group(1))))
    return frozenset(found)


def _csv_sheet(data: bytes, filename: str) -> _Sheet:
    if data.startswith(BINARY_SIGNATURES):
        raise _not_a_ledger_file()
    text = _decode(data)
    sample = text[:4096]
    if sample.lstrip().startswith("<"):
        raise LedgerFileError(
            _("这是网页（HTML/XML）文件，不是 Excel 或 CSV 文件：请在 Excel 中打开后另存为 .xlsx 再上传。")
        )
    control = sum(1 for char in sample if char < " " and char not in "\t\r\n")
    if "\x00" in sample or control > len(sample) // 100:
        raise _not_a_ledger_file()
    first_line = next((line for line in sample.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _Sheet(name=filename, rows=_csv_rows(reader))


def _csv_rows(reader: Iterable[list[str]]) -> Iterator[Sequence[object]]:
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            raise LedgerFileError(_("CSV 文件格式有误，无法读取：%(error)s") % {"error": error}) from None
        yield list(row)


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _not_a_ledger_file() from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise _not_a_ledger_file() from None


# The header


def header_key(text: object) -> str:
    """A header as compared: NFKC, no spaces, no 必填 marks or asterisks, case-folded."""
    normal = "".join(unicodedata.normalize("NFKC", str(text)).split())
    return _HEADER_MARKS.sub("", normal).casefold()


@lru_cache(maxsize=64)
def _header_names(kind: LedgerKind) -> dict[str, str]:
    """Every accepted header of the kind (normalised) → column key; the template's name comes first."""
    names: dict[str, str] = {}
    for column in kind.columns:
        names.setdefault(header_key(column.name), column.key)
    for column in kind.columns:
        for synonym in column.synonyms:
            names.setdefault(header_key(synonym), column.key)
    return names


def _match_header(names: dict[str, str], text: str) -> str | None:
    key = header_key(text)
    found = names.get(key)
    if found is None and key.endswith(")"):
        found = names.get(_TRAILING_NOTE.sub("", key))  # 状态(在岗/期满/提前离岗) → 状态
    return found


def _read_header(kind: LedgerKind, index: int, cells: Sequence[object]) -> _Header:
    names = _header_names(kind)
    header = _Header(index=index, positions={}, texts={}, ignored=[], duplicates=[])
    for position, cell in enumerate(cells):
        text = " ".join(str(cell).split()) if cell is not None else ""
        if not text:
            continue
        key = _match_header(names, text)
        if key is None:
            header.ignored.append(text)
        elif key in header.positions:
            header.duplicates.append((text, header.texts[key]))
        else:
            header.positions[key] = position
            header.texts[key] = text
    return header


def _find_header(kind: LedgerKind, head: list[Sequence[object]]) -> _Header | None:
    """The first row with every required column, else the row matching the most columns."""
    best: _Header | None = None
    for index, cells in enumerate(head):
        header = _read_header(kind, index, cells)
        if header.positions and not header.missing(kind):
            return header
        if header.positions and (best is None or len(header.positions) > len(best.positions)):
            best = header
    return best


def _no_header_message(
    kind: LedgerKind, candidates: list[tuple[_Sheet, list[Sequence[object]]]], hidden: list[str]
) -> str:
    if not hidden and not any(head for _sheet, head in candidates):
        return _("文件中没有数据。")
    best = _best_header(kind, candidates)
    lookalike = _lookalike_kind(kind, candidates, len(best.positions) if best else 0)
    if lookalike is not None:
        message = _(
            "这份文件看起来是“%(found)s”，不是“%(kind)s”：请选择正确的台账类型，或使用%(kind)s的模板。"
        ) % {
            "found": lookalike.title,
            "kind": kind.title,
        }
    elif best is not None and len(best.positions) >= 2:
        message = _("缺少必填列：%(columns)s。") % {"columns": "、".join(c.name for c in best.missing(kind))}
    else:
        required = "、".join(column.name for column in kind.columns if column.required)
        message = _("找不到%(kind)s的表头：前%(count)s行中没有一行包含所需的列名（%(columns)s）。") % {
            "kind": kind.title,
            "count": HEADER_SEARCH_ROWS,
            "columns": required,
        }
    if hidden:
        message += _("（已跳过隐藏的工作表：%(sheets)s。）") % {"sheets": "、".join(hidden)}
    return message


def _best_header(kind: LedgerKind, candidates: list[tuple[_Sheet, list[Sequence[object]]]]) -> _Header | None:
    best: _Header | None = None
    for _sheet, head in candidates:
        header = _find_header(kind, head)
        if header is not None and (best is None or len(header.positions) > len(best.positions)):
            best = header
    return best


def _lookalike_kind(
    kind: LedgerKind, candidates: list[tuple[_Sheet, list[Sequence[object]]]], matched: int
) -> LedgerKind | None:
    """Another ledger kind whose headers the file has: all its required ones, or more than ours."""
    found: tuple[bool, int, LedgerKind] | None = None
    for other in KINDS.values():
        if other.code == kind.code:
            continue
        header = _best_header(other, candidates)
        if header is None:
            continue
        score = (not header.missing(other), len(header.positions))
        if (score[0] or score[1] > max(matched, 2)) and (found is None or score > found[:2]):
            found = (*score, other)
    return found[2] if found else None


# The rows


def _open_table(
    kind: LedgerKind, sheet: _Sheet, head: list[Sequence[object]], header: _Header, warnings: list[str]
) -> tuple[Table, Iterator[Row]]:
    table = Table(
        kind=kind,
        sheet=sheet.name,
        header_row=header.index + 1,
        columns={
            column.key: header.texts[column.key] for column in kind.columns if column.key in header.texts
        },
        positions={key: sheet.offset + index for key, index in header.positions.items()},
        ignored=header.ignored,
        warnings=warnings,
    )
    warnings.extend(_("已忽略无法识别的列“%(column)s”。") % {"column": text} for text in header.ignored)
    warnings.extend(
        _("列“%(column)s”与列“%(first)s”重复，只读取了“%(first)s”。") % {"column": text, "first": first}
        for text, first in header.duplicates
    )
    rows: Iterator[Sequence[object]] = iter(head[header.index + 1 :])
    return table, _read_rows(kind, table, sheet, header, chain(rows, sheet.rows))


class _Failed(str):
    """A cell's reason for being refused, as remembered in a column's memo (beside clean values)."""


def _cell_key(cell: object) -> object:
    # 1, 1.0 and True are equal (and hash alike): only text is its own key.
    return cell if type(cell) is str else (type(cell), cell)


@dataclass
class _Reading:
    """One column as the rows are read: where its cells are and the values already read."""

    column: Column
    index: int  # in the row
    parent: int  # the region column (in the plan) a region lies within, or -1
    # The cell's key → its clean value, or `_Failed` with the reason.
    memo: dict[object, object] = field(default_factory=lambda: {"": None})
    refused: bool = False  # whether any cell of the column was refused so far

    def _normalise(self, cell: object, within: object = None) -> object:
        try:
            return normalise(self.column, cell, within=within)  # type: ignore[arg-type]
        except CellError as error:
            self.refused = True
            return _Failed(str(error))

    def read(self, cell: object, within: object = None) -> object:
        """The cell's value or `_Failed`, looked up in the memo first."""
        key = _cell_key(cell)
        if within is not None:
            key = (getattr(within, "pk", None), key)
        memo = self.memo
        if key in memo:
            return memo[key]
        found = self._normalise(cell, within)
        if len(memo) < MEMO_LIMIT:
            memo[key] = found
        return found

    def read_column(self, cells: Sequence[object]) -> list[object]:
        """The values (or `_Failed`) of a column's cells: each distinct cell is read once, and the
        column is then mapped through the memo in C (most cells repeat an earlier one)."""
        memo = self.memo
        keys = [cell if type(cell) is str else (type(cell), cell) for cell in cells]
        unknown = set(keys).difference(memo)
        if not unknown:
            return list(map(memo.__getitem__, keys))
        fresh: dict[object, object] = {}
        for cell, key in zip(cells, keys, strict=True):
            if key in unknown and key not in fresh:
                fresh[key] = self._normalise(cell)
        room = MEMO_LIMIT - len(memo)
        if room >= len(fresh):
            memo.update(fresh)
            return list(map(memo.__getitem__, keys))
        memo.update(islice(fresh.items(), max(room, 0)))
        return [fresh[key] if key in fresh else memo[key] for key in keys]


def _read_rows(
    kind: LedgerKind, table: Table, sheet: _Sheet, header: _Header, cells_by_row: Iterator[Sequence[object]]
) -> Iterator[Row]:
    """The rows, read a chunk at a time and a column at a time: most values repeat and are memoised."""
    plan: list[_Reading] = []
    last_region = -1
    for column in kind.columns:
        if column.key not in header.positions:
            continue
        plan.append(
            _Reading(column, header.positions[column.key], last_region if column.kind == "region" else -1)
        )
        if column.kind == "region":
            last_region = len(plan) - 1
    merges = _merge_starts(sheet, header)
    active_merges: dict[int, tuple[int, object]] = {}
    width = max(reading.index for reading in plan) + 1
    first = header.index + 1
    if not merges:  # the usual sheet: a chunk of rows taken at once
        while chunk := list(islice(cells_by_row, CHUNK_ROWS)):
            if min(map(len, chunk)) < width:
                chunk = [
                    [*cells, *[""] * (width - len(cells))] if len(cells) < width else cells for cells in chunk
                ]
            yield from _read_chunk(plan, sheet, list(range(first, first + len(chunk))), chunk)
            first += len(chunk)
        return
    numbers: list[int] = []
    chunk = []
    for row_index, cells in enumerate(cells_by_row, start=first):
        if len(cells) < width:
            cells = [*cells, *[""] * (width - len(cells))]
        if merges or active_merges:
            cells = [
                _merged_value(table, merges, active_merges, row_index, index, cell)
                for index, cell in enumerate(cells)
            ]
        numbers.append(row_index)
        chunk.append(cells)
        if len(chunk) == CHUNK_ROWS:
            yield from _read_chunk(plan, sheet, numbers, chunk)
            numbers, chunk = [], []
    yield from _read_chunk(plan, sheet, numbers, chunk)


def _read_chunk(
    plan: list[_Reading], sheet: _Sheet, numbers: list[int], chunk: list[Sequence[object]]
) -> Iterator[Row]:
    """The rows of a chunk (`numbers` their 0-based row indexes), each column read at once."""
    if not chunk:
        return
    size = len(chunk)
    errors: list[dict[str, str] | None] = [None] * size
    columns: list[list[object]] = []
    raw_columns: list[list[object]] = []
    for reading in plan:
        index, key = reading.index, reading.column.key
        cells = list(map(itemgetter(index), chunk))
        raw_columns.append(cells)
        if reading.parent < 0:
            found = reading.read_column(cells)
        else:
            parent_key, parents = plan[reading.parent].column.key, columns[reading.parent]
            found = [
                None  # the region it lies in is wrong already: one error is enough
                if (errors[position] or {}).get(parent_key)
                else reading.read(cell, parents[position])
                for position, cell in enumerate(cells)
            ]
        if reading.refused:
            for position, value in enumerate(found):
                if type(value) is _Failed:
                    errors[position] = {**(errors[position] or {}), key: str(value)}
                    found[position] = None
        columns.append(found)
        if sheet.without_result:
            column_index = sheet.offset + index
            for position, row_index in enumerate(numbers):
                if cells[position] == "" and (row_index, column_index) in sheet.without_result:
                    errors[position] = {**(errors[position] or {}), key: _no_result_message()}
    keys = [reading.column.key for reading in plan]
    required = [
        (position, reading.column) for position, reading in enumerate(plan) if reading.column.required
    ]
    width = len(keys)
    for position, values in enumerate(zip(*columns, strict=True)):
        row_errors = errors[position]
        if row_errors is None and None not in values:  # the usual row: every cell filled and read
            yield Row(numbers[position] + 1, dict(zip(keys, values, strict=True)), {}, {})
            continue
        if row_errors is None and values.count(None) == width:
            continue  # an empty row (or one of spaces)
        row_errors = row_errors or {}
        for column_position, column in required:
            if values[column_position] is None and column.key not in row_errors:
                row_errors[column.key] = _("“%(column)s”为必填项，不能为空。") % {"column": column.name}
        raw = [column[position] for column in raw_columns]
        yield Row(
            number=numbers[position] + 1,
            values=dict(zip(keys, values, strict=True)),
            errors=row_errors,
            raw={key: cell for key, cell in zip(keys, raw, strict=True) if cell != "" and cell is not None}
            if row_errors
            else {},
        )


def _no_result_message() -> str:
    return _("公式没有计算结果：请在 Excel 中打开文件，重新计算（按 F9）并保存后再上传，或把公式改为数值。")


def _merge_starts(sheet: _Sheet, header: _Header) -> dict[tuple[int, int], int]:
    """(top row, column index in the row) → last row, for merged ranges down a column of the ledger."""
    used = set(header.positions.values())
    starts = {}
    for (top, left), (bottom, _right) in sheet.merged:
        index = left - sheet.offset
        if bottom > top > header.index and index in used:
            starts[(top, index)] = bottom
    return starts


def _merged_value(
    table: Table,
    merges: dict[tuple[int, int], int],
    active: dict[int, tuple[int, object]],
    row_index: int,
    index: int,
    cell: object,
) -> object:
    """A cell of a merged range holds its top cell's value: calamine gives it only in the top cell."""
    bottom = merges.get((row_index, index))
    if bottom is not None:
        active[index] = (bottom, cell)
        if cell != "":
            table.warnings.append(
                _("第%(first)s至%(last)s行的合并单元格“%(value)s”已用于其中每一行。")
                % {"first": row_index + 1, "last": bottom + 1, "value": cell}
            )
        return cell
    merge = active.get(index)
    if merge is None:
        return cell
    if row_index > merge[0]:
        del active[index]
        return cell
    return merge[1] if cell == "" else cell
