"""Ledger files built in code for the tests: xlsx (openpyxl), CSV, and the OLE ones by hand.

No binary fixture is committed: an .xls is a BIFF8 workbook stream in a compound file, and a
password-protected .xlsx is a compound file holding `EncryptionInfo` and `EncryptedPackage`; both
are small enough to write here from the specifications ([MS-CFB], [MS-XLS], [MS-OFFCRYPTO]).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import struct
import zipfile
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from xml.sax.saxutils import escape

from openpyxl import Workbook

from sanqu.ledgers.kinds import Column, LedgerKind
from sanqu.regions.models import Region, RegionCode

# A small kind of our own, so the tests do not depend on the real kinds' columns.
PEOPLE = LedgerKind(
    code="people",
    title="人员台账",
    columns=(
        Column("year", "年度", required=True, kind="integer", synonyms=("年份",)),
        Column("name", "姓名", required=True, synonyms=("人员姓名",)),
        Column("id_number", "身份证号", required=True, kind="id_number", synonyms=("身份证号码",)),
        Column("county", "区县", required=True, kind="region", synonyms=("所属区县",)),
        Column("township", "乡镇(街道)", kind="region"),
        Column("started_on", "开始日期", required=True, kind="date"),
        Column("status", "状态", kind="choice", choices=("在岗", "期满", "提前离岗")),
        Column("hours", "学时", kind="decimal"),
        Column("completed", "是否结业", kind="boolean"),
        Column("phone", "手机号", kind="phone", synonyms=("联系电话",)),
    ),
    natural_key=("id_number", "year"),
)
# Another kind, to be told apart from PEOPLE.
COURSES = LedgerKind(
    code="courses",
    title="培训班台账",
    columns=(
        Column("course", "培训班名称", required=True),
        Column("level", "培训类别", required=True, kind="choice", choices=("部级", "市级")),
        Column("opened_on", "开班日期", required=True, kind="date"),
        Column("hours", "学时", kind="decimal"),
    ),
)
HEADER = ["年度", "姓名", "身份证号", "区县", "开始日期"]
ID_NUMBER = "500229198801011235"  # a valid GB 11643 number
ROW = [2018, "张三", ID_NUMBER, "城口", "2018-03-01"]


def xlsx(
    *sheets: Sequence[Sequence[object]], titles: Sequence[str] = (), hidden: Iterable[int] = ()
) -> bytes:
    """A workbook with one sheet per rows list; `hidden` lists the indexes of hidden sheets."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    hidden = set(hidden)
    for index, rows in enumerate(sheets):
        sheet = workbook.create_sheet(titles[index] if index < len(titles) else f"Sheet{index + 1}")
        for row in rows:
            sheet.append(list(row))
        if index in hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[object]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def with_cached_value(data: bytes, value: str) -> bytes:
    """The workbook as Excel saves it after calculating: openpyxl writes formulas with no result."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = content.replace(b"<v />", f"<v>{value}</v>".encode()).replace(
                    b"<v/>", f"<v>{value}</v>".encode()
                )
            target.writestr(item, content)
    return buffer.getvalue()


ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"


def ods(rows: Sequence[Sequence[str]]) -> bytes:
    """An OpenDocument spreadsheet of text cells (what WPS or LibreOffice may save)."""
    office = "urn:oasis:names:tc:opendocument:xmlns"
    cells = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p>'
            "</table:table-cell>"
            for value in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{office}:office:1.0" '
        f'xmlns:table="{office}:table:1.0" xmlns:text="{office}:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Sheet1">{cells}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        f'xmlns:manifest="{office}:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_TYPE}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", ODS_TYPE, zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# Compound files ([MS-CFB], version 3: 512-byte sectors; streams of 4,096 bytes or more, so no mini stream)

FREE, END, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR = 512


def compound_file(streams: Sequence[tuple[str, bytes]]) -> bytes:
    """An OLE compound file holding the streams (at most three, each padded to 4,096 bytes)."""
    streams = [(name, data.ljust(max(len(data), 4096), b"\0")) for name, data in streams]
    fat = [FAT_SECTOR, END]  # sector 0 holds the FAT, sector 1 the directory
    starts = []
    body = b""
    for _name, data in streams:
        count = -(-len(data) // SECTOR)
        first = len(fat)
        starts.append(first)
        fat.extend(range(first + 1, first + count))
        fat.append(END)
        body += data.ljust(count * SECTOR, b"\0")
    assert len(fat) <= SECTOR // 4, "one FAT sector only"
    fat_sector = struct.pack(f"<{SECTOR // 4}I", *fat, *[FREE] * (SECTOR // 4 - len(fat)))
    # Directory: the root, then the streams as a chain of right siblings (sorted: shorter names first).
    order = sorted(range(len(streams)), key=lambda i: (len(streams[i][0]), streams[i][0].upper()))
    entries = [
        _directory_entry("Root Entry", 5, child=order[0] + 1 if streams else NO_STREAM, start=END, size=0)
    ]
    for index, (name, data) in enumerate(streams):
        position = order.index(index)
        right = order[position + 1] + 1 if position + 1 < len(order) else NO_STREAM
        entries.append(_directory_entry(name, 2, right=right, start=starts[index], size=len(data)))
    while len(entries) < 4:
        entries.append(_directory_entry("", 0, start=0, size=0))
    directory = b"".join(entries)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\0" * 16,
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,  # directory sectors (0 in version 3)
        1,  # FAT sectors
        1,  # first directory sector
        0,
        4096,  # mini stream cutoff
        END,  # first mini FAT sector
        0,
        END,  # first DIFAT sector
        0,
    )
    header += struct.pack("<109I", 0, *[FREE] * 108)
    return header + fat_sector + directory + body


def _directory_entry(
    name: str, kind: int, *, child: int = NO_STREAM, right: int = NO_STREAM, start: int, size: int
) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        encoded,
        len(encoded),
        kind,
        1,  # black
        NO_STREAM,
        right,
        child,
        b"\0" * 16,
        0,
        0,
        0,
        start,
        size,
    )


def encrypted_xlsx() -> bytes:
    """What Excel writes for a workbook with an opening password (the package itself is noise here)."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b"\0" * 64  # agile encryption, version 4.4
    return compound_file(
        [("EncryptionInfo", info), ("EncryptedPackage", struct.pack("<Q", 5000) + b"\x5a" * 5000)]
    )


# BIFF8 workbook streams ([MS-XLS]): text cells as LABEL records, numbers as NUMBER records


def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))


def xls(rows: Sequence[Sequence[object]], *, sheet: str = "Sheet1", password: bool = False) -> bytes:
    """An .xls with one sheet of text and number cells; `password` marks it encrypted (FILEPASS, RC4)."""
    name = sheet.encode("utf-16-le")
    filepass = _record(0x002F, struct.pack("<HHH", 1, 1, 1) + b"\0" * 48) if password else b""
    boundsheet_size = 4 + 8 + len(name)
    globals_size = 20 + len(filepass) + 6 + boundsheet_size + 4  # BOF, FILEPASS, CODEPAGE, BOUNDSHEET, EOF
    workbook = _bof(0x0005) + filepass + _record(0x0042, struct.pack("<H", 1200))
    workbook += _record(0x0085, struct.pack("<IBBBB", globals_size, 0, 0, len(sheet), 1) + name)
    workbook += _record(0x000A)
    assert len(workbook) == globals_size
    width = max((len(row) for row in rows), default=0)
    cells = _bof(0x0010) + _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))
    for row_index, row in enumerate(rows):
        for column_index, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, int | float):
                cells += _record(0x0203, struct.pack("<HHHd", row_index, column_index, 15, float(value)))
            else:
                text = str(value).encode("utf-16-le")
                cells += _record(
                    0x0204, struct.pack("<HHHHB", row_index, column_index, 15, len(str(value)), 1) + text
                )
    cells += _record(0x000A)
    return compound_file([("Workbook", workbook + cells)])


def make_regions() -> SimpleNamespace:
    """Counties and townships to read region cells against; 双河乡 exists in two counties."""
    chongqing = Region.objects.create(code="500000", name="重庆市", level=Region.Level.PROVINCE)
    county = Region.Level.COUNTY
    chengkou = Region.objects.create(code="500229", name="城口县", level=county, parent=chongqing)
    wanzhou = Region.objects.create(code="500101", name="万州区", level=county, parent=chongqing)
    kaizhou = Region.objects.create(code="500154", name="开州区", level=county, parent=chongqing)
    RegionCode.objects.create(region=kaizhou, code="500234", name="开县", valid_until=dt.date(2016, 6, 1))
    township = Region.Level.TOWNSHIP
    jiming = Region.objects.create(code="500229212", name="鸡鸣乡", level=township, parent=chengkou)
    shuanghe = Region.objects.create(code="500229213", name="双河乡", level=township, parent=chengkou)
    Region.objects.create(code="500101213", name="双河乡", level=township, parent=wanzhou)
    return SimpleNamespace(
        chongqing=chongqing,
        chengkou=chengkou,
        wanzhou=wanzhou,
        kaizhou=kaizhou,
        jiming=jiming,
        shuanghe=shuanghe,
    )
