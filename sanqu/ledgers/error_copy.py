"""A copy of an imported ledger with its errors written in: what the user fixes and uploads again.

`error_copy` takes the file as uploaded (.xlsx, .xls, .ods or .csv) and the import's errors, and
answers an .xlsx of the ledger's sheet: every cell where it was (same rows, same columns, so the row
numbers of the preview match), a last column 错误说明 with the reasons on the rejected rows, those
rows shaded and their faulty cells marked. The sheet is read as the import read it
(`sanqu.ledgers.reading`), so the header and the rows are the ones the errors name.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from sanqu.ledgers.kinds import LedgerKind
from sanqu.ledgers.reading import iter_rows, sheets

ROW_FILL = PatternFill("solid", fgColor="FDECEA")
CELL_FILL = PatternFill("solid", fgColor="F4B6B0")
ERROR_FONT = Font(color="B3261E")
HEADER_FONT = Font(bold=True, color="B3261E")


def error_copy_name(filename: str) -> str:
    return _("%(name)s-错误说明.xlsx") % {"name": Path(filename).stem or "ledger"}


def _reasons(errors: Sequence[dict[str, Any]]) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for entry in errors:
        if entry.get("row"):
            found[int(entry["row"])].append((str(entry.get("column", "")), str(entry.get("message", ""))))
    return found


def _clean(value: object) -> object:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _text(reasons: list[tuple[str, str]], columns: set[str]) -> str:
    # A reason about a named column says which; one about the row as a whole stands alone.
    return "；".join(f"{column}：{message}" if column in columns else message for column, message in reasons)


def error_copy(data: bytes, *, filename: str, kind: LedgerKind, errors: Sequence[dict[str, Any]]) -> bytes:
    """The .xlsx copy of the ledger's sheet with the column 错误说明; raises LedgerFileError as the
    import does for a file that cannot be read."""
    table, _rows = iter_rows(data, filename=filename, kind=kind)
    sheet = next(found for found in sheets(data, filename, []) if found.name == table.sheet)
    rows = [list(cells) for cells in sheet.rows]
    width = sheet.offset + max((len(cells) for cells in rows), default=0)
    error_column = max(width, max(table.positions.values(), default=0) + 1)
    names = {column.name: column.key for column in kind.columns}
    reasons = _reasons(errors)

    book = Workbook(write_only=True)
    out: WriteOnlyWorksheet = book.create_sheet(title=(table.sheet or "Sheet1")[:31])
    out.column_dimensions[get_column_letter(error_column + 1)].width = 60
    out.freeze_panes = f"A{table.header_row + 1}"
    for index, cells in enumerate(rows):
        number = index + 1
        values: list[object] = [""] * sheet.offset + [_clean(cell) for cell in cells]
        values += [""] * (error_column - len(values))
        if number == table.header_row:
            out.append([*values, _header_cell(out)])
        elif number in reasons:
            out.append(_marked(out, values, reasons[number], names, table.positions))
        else:
            out.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _header_cell(out: WriteOnlyWorksheet) -> WriteOnlyCell:
    cell = WriteOnlyCell(out, value=_("错误说明"))
    cell.font = HEADER_FONT
    return cell


def _marked(
    out: WriteOnlyWorksheet,
    values: list[object],
    reasons: list[tuple[str, str]],
    names: dict[str, str],
    positions: dict[str, int],
) -> list[WriteOnlyCell]:
    faulty = {positions[names[column]] for column, _message in reasons if names.get(column) in positions}
    cells = []
    for position, value in enumerate(values):
        cell = WriteOnlyCell(out, value=value)
        cell.fill = CELL_FILL if position in faulty else ROW_FILL
        cells.append(cell)
    note = WriteOnlyCell(out, value=_text(reasons, set(names)))
    note.fill, note.font = ROW_FILL, ERROR_FONT
    note.alignment = Alignment(wrap_text=True, vertical="top")
    return [*cells, note]
