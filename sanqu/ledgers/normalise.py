"""One ledger cell at a time: what people type in Excel, read as the value it means.

`normalise(column, raw)` takes a cell as python-calamine or the CSV reader gives it (a string, a
float, a bool, a date or datetime) and returns the clean value for the column's kind, None for an
empty cell, or raises `CellError` with a Chinese message that says what is wrong and what is
expected. Forgiving in form (full-width digits, stray spaces, the date forms of DESIGN §6, region
short names), strict in content (the ID check character, a date that does not exist).

Values by kind: text → str; date → datetime.date; id_number, credit_code, phone → str (normalised);
region → Region; choice → one of `column.choices`; multi → tuple of choices (or of texts); decimal →
Decimal; integer → int; boolean → bool. Nothing here touches the database except `find_region`;
the reader memoises every column's values, so a region is looked up once per distinct text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils.translation import gettext as _

from sanqu.ledgers.kinds import Column
from sanqu.lib import clock, creditcode, idnumber
from sanqu.orgs.forms import CREDIT_CODE_ERRORS
from sanqu.regions.lookup import find_region
from sanqu.regions.models import Region
from sanqu.workforce.forms import ID_NUMBER_ERRORS


class CellError(ValueError):
    """A cell that cannot be read as its column's kind; the message is for the user, in Chinese."""


# Full-width ASCII forms become half-width, except the punctuation Chinese text writes full-width.
_KEEP_FULL_WIDTH = "，；：！？（）"
_TEXT_TABLE: dict[int, int | None] = {
    code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F) if chr(code) not in _KEEP_FULL_WIDTH
}
_TEXT_TABLE.update({0x3000: 0x20, **dict.fromkeys((0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF))})

EXCEL_EPOCH = dt.date(
    1899, 12, 30
)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year bug only shifts Jan–Feb 1900)
_EXCEL_ERRORS = frozenset(
    {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!"}
)

_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?[eE]\+?\d+$")
_NUMBER = re.compile(
    r"^[¥$]?([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)(?:元|小时|学时|课时|h|hrs?|年|人|次|个)?$",
    re.IGNORECASE,
)
_MOBILE = re.compile(r"^1\d{10}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
_MULTI_SEPARATORS = re.compile(r"[、,，\n]")
_PROVINCE_PREFIX = re.compile(r"^(?:(?:北京|天津|上海|重庆)市?|.{2,3}?(?:省|自治区))(?=.)")

_TRUE = frozenset({"是", "Y", "YES", "TRUE", "1", "√", "✓", "✔", "对"})
_FALSE = frozenset({"否", "N", "NO", "FALSE", "0", "×", "✗", "✘", "错"})


def normalise(column: Column, raw: object, *, within: Region | None = None) -> object:
    """The clean value of `raw` for `column`, None for an empty cell; raises CellError.

    `within` narrows a region column to a subtree (a township looked up in the row's county).
    """
    if raw is None or raw == "":
        return None
    if type(raw) is str and raw[0] == "#" and raw.strip() in _EXCEL_ERRORS:
        raise CellError(_("单元格是 Excel 错误值 %(value)s：请修正公式后重新保存。") % {"value": raw.strip()})
    try:
        reader = _READERS[column.kind]
    except KeyError:
        raise ValueError(f"Unknown column kind {column.kind!r} for {column.key}") from None
    if within is not None and column.kind == "region":
        return _region(column, raw, within=within)
    return reader(column, raw)


def clean_text(text: str) -> str:
    """Stray spaces collapsed, full-width letters and digits made half-width, Chinese punctuation kept."""
    if not text.isascii():
        text = text.translate(_TEXT_TABLE)
    return " ".join(text.split())


def _number_as_text(raw: float) -> str:
    return str(int(raw)) if raw.is_integer() else repr(raw)


def _as_text(raw: object) -> str:
    if type(raw) is str:
        return raw
    if isinstance(raw, bool):
        return "是" if raw else "否"  # the cell's content, whatever the reader's language
    if isinstance(raw, float):
        return _number_as_text(raw)
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date | dt.time):
        return raw.isoformat()
    return str(raw)


def _strict(raw: object) -> str:
    """For codes, numbers and dates: NFKC (full-width to half-width) and no spaces at all."""
    text = _as_text(raw)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return "".join(text.split())


def _text(column: Column, raw: object) -> str | None:
    return clean_text(_as_text(raw)) or None


def _date(column: Column, raw: object) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        if float(raw).is_integer() and 1 <= raw <= 73050:  # an Excel serial date up to 2099-12-31
            return EXCEL_EPOCH + dt.timedelta(days=int(raw))
        raw = _number_as_text(float(raw))  # 20180301 typed as a number
    text = _strict(raw)
    if not text:
        return None
    match = _DATE.match(text) or _DATE_COMPACT.match(text)
    if match is None:
        if text.isdigit() and len(text) == 5:
            return EXCEL_EPOCH + dt.timedelta(days=int(text))  # a serial date exported to CSV
        raise CellError(
            _("无法识别的日期“%(value)s”：请写成 2018-03-01、2018/3/1、2018.3.1 或 2018年3月1日。")
            % {"value": clean_text(_as_text(raw))}
        )
    year, month, day = (int(part) for part in match.groups())
    try:
        value = dt.date(year, month, day)
    except ValueError:
        raise CellError(_("日期“%(value)s”不存在。") % {"value": clean_text(_as_text(raw))}) from None
    if not 1900 <= year <= 2100:
        raise CellError(_("日期“%(value)s”的年份不合理。") % {"value": clean_text(_as_text(raw))})
    return value


def _lost_digits(raw: object, label: str) -> CellError:
    shown = format(raw, ".6g") if isinstance(raw, float) else str(raw)
    return CellError(
        _("%(label)s“%(value)s”被 Excel 存成了数字，末几位已丢失：请把该列设为文本格式，重填后再上传。")
        % {"label": label, "value": shown}
    )


def _code_text(column: Column, raw: object) -> str:
    """The text of an 18-character code's cell (ID number, credit code); a number is refused when a
    float cannot hold its 18 digits: the number Excel kept is not the one on the card."""
    if isinstance(raw, float) and raw >= 1e15:
        raise _lost_digits(raw, column.name)
    text = _strict(raw)
    if text and _SCIENTIFIC.match(text):
        raise _lost_digits(text, column.name)
    return text


def _id_number(column: Column, raw: object) -> str | None:
    text = _code_text(column, raw)
    if not text:
        return None
    try:
        return idnumber.validate(text, today=clock.today())
    except idnumber.InvalidIdNumber as error:
        message = ID_NUMBER_ERRORS[error.reason] % {"count": len(idnumber.normalise(text))}
        raise CellError(message) from None


def _credit_code(column: Column, raw: object) -> str | None:
    text = _code_text(column, raw)
    if not text:
        return None
    try:
        return creditcode.validate(text)
    except creditcode.InvalidCreditCode as error:
        message = CREDIT_CODE_ERRORS[error.reason] % {"count": len(creditcode.normalise(text))}
        raise CellError(message) from None


def _region(column: Column, raw: object, *, within: Region | None = None) -> Region | None:
    text = _strict(raw)
    if not text:
        return None
    region = find_region(text, within=within)
    if region is None and (prefix := _PROVINCE_PREFIX.match(text)):
        region = find_region(text[prefix.end() :], within=within)  # 重庆市城口县 → 城口县
    if region is None:
        if within is not None:
            raise CellError(
                _("在%(parent)s找不到“%(value)s”：请核对名称，或填写区划代码。")
                % {"parent": within.name, "value": clean_text(_as_text(raw))}
            )
        raise CellError(
            _("找不到行政区划“%(value)s”：请填写区县名称（如 城口县、城口）或区划代码（如 500229）。")
            % {"value": clean_text(_as_text(raw))}
        )
    return region


def _choice_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


@lru_cache(maxsize=256)
def _choice_map(choices: tuple[str, ...]) -> dict[str, str]:
    return {_choice_key(choice): choice for choice in choices}


def _one_choice(column: Column, text: str) -> str:
    if not column.choices:
        return text
    found = _choice_map(column.choices).get(_choice_key(text))
    if found is None:
        raise CellError(
            _("“%(value)s”不是“%(column)s”可填的值，应为：%(choices)s。")
            % {"value": text, "column": column.name, "choices": "、".join(column.choices)}
        )
    return found


def _choice(column: Column, raw: object) -> str | None:
    text = clean_text(_as_text(raw))
    return _one_choice(column, text) if text else None


def _multi(column: Column, raw: object) -> tuple[str, ...] | None:
    pieces = (clean_text(piece) for piece in _MULTI_SEPARATORS.split(_as_text(raw)))
    values = tuple(dict.fromkeys(_one_choice(column, piece) for piece in pieces if piece))
    return values or None


def _number_text(raw: object) -> str:
    text = _strict(raw)
    match = _NUMBER.match(text)
    if match is None:
        if not text:
            return ""
        raise CellError(_("“%(value)s”不是数字。") % {"value": clean_text(_as_text(raw))})
    return match.group(1).replace(",", "")


def _decimal(column: Column, raw: object) -> Decimal | None:
    if isinstance(raw, float) and not isinstance(raw, bool):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise CellError(_("“%(value)s”不是数字。") % {"value": raw})
        return Decimal(repr(raw))
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise CellError(_("“%(value)s”不是数字。") % {"value": _as_text(raw)})
    text = _number_text(raw)
    try:
        return Decimal(text) if text else None
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimal numbers
        raise CellError(_("“%(value)s”不是数字。") % {"value": raw}) from None


def _integer(column: Column, raw: object) -> int | None:
    value = _decimal(column, raw)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise CellError(_("“%(value)s”不是整数。") % {"value": clean_text(_as_text(raw))})
    return int(value)


def _boolean(column: Column, raw: object) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = _strict(raw).upper()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("“%(value)s”应填“是”或“否”。") % {"value": clean_text(_as_text(raw))})


def _phone(column: Column, raw: object) -> str | None:
    if type(raw) is str and len(raw) == 11 and raw.isdigit() and raw[0] == "1" and raw.isascii():
        return raw  # the usual case: a mobile number, as it should be
    text = _strict(raw).replace("(", "").replace(")", "-").replace("--", "-").lstrip("-")
    if not text:
        return None
    digits = text.replace("-", "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if _MOBILE.match(digits):
        return digits
    if _LANDLINE.match(text):
        return text
    raise CellError(
        _("电话“%(value)s”格式不正确：应为11位手机号或带区号的固定电话（如 023-12345678）。")
        % {"value": clean_text(_as_text(raw))}
    )


_READERS: dict[str, Callable[[Column, object], object]] = {
    "text": _text,
    "date": _date,
    "id_number": _id_number,
    "credit_code": _credit_code,
    "region": _region,
    "choice": _choice,
    "multi": _multi,
    "decimal": _decimal,
    "integer": _integer,
    "boolean": _boolean,
    "phone": _phone,
}
