from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from openpyxl import Workbook

from sanqu.ledgers import reading
from sanqu.ledgers.reading import MB, LedgerFileError, iter_rows, read_ledger
from sanqu.ledgers.tests.files import (
    COURSES,
    HEADER,
    ID_NUMBER,
    PEOPLE,
    ROW,
    csv_bytes,
    encrypted_xlsx,
    make_regions,
    ods,
    with_cached_value,
    xls,
    xlsx,
)

TITLE = ["2018年城口县人员台账"]


@pytest.fixture
def regions(db: None) -> SimpleNamespace:
    return make_regions()


@pytest.fixture(autouse=True)
def own_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The wrong-kind message compares with the known kinds: ours, whatever kinds.py holds."""
    monkeypatch.setattr(reading, "KINDS", {PEOPLE.code: PEOPLE, COURSES.code: COURSES})


def read(data: bytes, *, filename: str = "台账.xlsx", **options: object) -> reading.Table:
    return read_ledger(data, filename=filename, kind=PEOPLE, **options)  # type: ignore[arg-type]


def refusal(data: bytes, **options: object) -> str:
    with pytest.raises(LedgerFileError) as error:
        read(data, **options)
    return str(error.value)


class TestHeader:
    def test_it_finds_the_header_below_title_rows_and_reads_the_rows(self, regions) -> None:
        table = read(xlsx([TITLE, ["填报单位：城口县民政局"], [], HEADER, ROW]))
        assert (table.sheet, table.header_row) == ("Sheet1", 4)
        [row] = table.rows
        assert row.number == 5
        assert row.errors == {}
        assert row.values == {
            "year": 2018,
            "name": "张三",
            "id_number": ID_NUMBER,
            "county": regions.chengkou,
            "started_on": dt.date(2018, 3, 1),
        }

    def test_it_matches_columns_in_any_order_by_synonym_and_with_required_marks(self, regions) -> None:
        header = ["*开始日期", "身份证号码（必填）", "所属区县", " 姓 名 ", "年份*"]
        table = read(xlsx([header, ["2018/3/1", ID_NUMBER, "城口县", "张三", "2018"]]))
        assert table.columns == {
            "year": "年份*",
            "name": "姓 名",
            "id_number": "身份证号码（必填）",
            "county": "所属区县",
            "started_on": "*开始日期",
        }
        assert table.positions == {"started_on": 0, "id_number": 1, "county": 2, "name": 3, "year": 4}
        assert table.rows[0].values["started_on"] == dt.date(2018, 3, 1)

    def test_it_reads_a_header_that_lists_the_choices(self, regions) -> None:
        table = read(xlsx([[*HEADER, "状态（在岗/期满/提前离岗）"], [*ROW, "期满"]]))
        assert table.columns["status"] == "状态（在岗/期满/提前离岗）"
        assert table.rows[0].values["status"] == "期满"

    def test_it_ignores_extra_columns_with_a_warning_naming_them(self, regions) -> None:
        table = read(xlsx([[*HEADER, "备注", "序号"], [*ROW, "无", 1]]))
        assert table.ignored == ["备注", "序号"]
        assert "已忽略无法识别的列“备注”。" in table.warnings
        assert "已忽略无法识别的列“序号”。" in table.warnings
        assert "remark" not in table.rows[0].values

    def test_it_reads_the_first_of_two_columns_for_the_same_field(self, regions) -> None:
        table = read(xlsx([[*HEADER, "身份证号码"], [*ROW, "不是号码"]]))
        assert table.rows[0].errors == {}
        assert "列“身份证号码”与列“身份证号”重复，只读取了“身份证号”。" in table.warnings

    def test_it_names_a_missing_required_column(self) -> None:
        header = ["年度", "姓名", "区县", "开始日期"]
        assert (
            refusal(xlsx([TITLE, header, [2018, "张三", "城口", "2018-03-01"]])) == "缺少必填列：身份证号。"
        )

    def test_it_says_which_kind_of_ledger_the_file_looks_like(self) -> None:
        courses = xlsx(
            [["培训班名称", "培训类别", "开班日期", "学时"], ["社工实务", "市级", "2018-05-01", 24]]
        )
        assert refusal(courses) == (
            "这份文件看起来是“培训班台账”，不是“人员台账”：请选择正确的台账类型，或使用人员台账的模板。"
        )

    def test_it_says_when_no_row_looks_like_a_header(self) -> None:
        message = refusal(xlsx([TITLE, ["甲", "乙"], [1, 2]]))
        assert message == (
            "找不到人员台账的表头：前20行中没有一行包含所需的列名（年度、姓名、身份证号、区县、开始日期）。"
        )

    def test_it_does_not_look_for_the_header_below_the_first_twenty_rows(self) -> None:
        rows = [[f"说明第{number}行"] for number in range(20)]
        assert "找不到人员台账的表头" in refusal(xlsx([*rows, HEADER, ROW]))


class TestSheets:
    def test_it_skips_a_hidden_sheet_with_a_warning(self, regions) -> None:
        data = xlsx([HEADER, ROW], [HEADER, ROW, ROW], titles=["旧表", "2018"], hidden=[0])
        table = read(data)
        assert table.sheet == "2018"
        assert len(table.rows) == 2
        assert "已跳过隐藏的工作表“旧表”。" in table.warnings

    def test_it_names_the_hidden_sheet_when_only_it_holds_the_ledger(self) -> None:
        data = xlsx([HEADER, ROW], [["说明"]], titles=["台账", "说明"], hidden=[0])
        assert refusal(data).endswith("（已跳过隐藏的工作表：台账。）")

    def test_it_reads_the_first_sheet_with_the_header(self, regions) -> None:
        table = read(xlsx([["填表说明"]], [TITLE, HEADER, ROW], titles=["说明", "台账"]))
        assert table.sheet == "台账"
        assert table.header_row == 2
        assert "工作表“说明”中没有人员台账的表头，已读取工作表“台账”。" in table.warnings


class TestRows:
    def test_it_skips_empty_rows_and_reports_the_sheets_row_numbers(self, regions) -> None:
        table = read(xlsx([TITLE, HEADER, ROW, [], ["", "  ", None], ROW]))
        assert [row.number for row in table.rows] == [3, 6]

    def test_it_reports_each_bad_cell_of_a_row_by_column(self, regions) -> None:
        bad = [2018, "李四", ID_NUMBER[:-1] + "6", "巫溪", "2018-02-30"]
        table = read(xlsx([HEADER, ROW, bad]))
        assert table.rows[0].ok
        row = table.rows[1]
        assert row.number == 3
        assert row.errors == {
            "id_number": "身份证号校验位不正确（GB 11643），请核对。",
            "county": "找不到行政区划“巫溪”：请填写区县名称（如 城口县、城口）或区划代码（如 500229）。",
            "started_on": "日期“2018-02-30”不存在。",
        }
        assert row.raw["started_on"] == "2018-02-30"
        assert row.values["name"] == "李四"

    def test_it_reports_an_empty_required_cell(self, regions) -> None:
        table = read(xlsx([HEADER, [2018, "张三", "", "城口", "2018-03-01"]]))
        assert table.rows[0].errors == {"id_number": "“身份证号”为必填项，不能为空。"}

    def test_it_says_when_excel_kept_an_id_number_as_a_number(self, regions) -> None:
        table = read(xlsx([HEADER, [2018, "张三", int(ID_NUMBER), "城口", "2018-03-01"]]))
        assert "设为文本格式" in table.rows[0].errors["id_number"]

    def test_it_looks_a_township_up_within_the_rows_county(self, regions) -> None:
        header = [*HEADER, "乡镇(街道)"]
        table = read(
            xlsx([header, [*ROW, "双河乡"], [2018, "王五", ID_NUMBER, "万州", "2018-03-01", "鸡鸣乡"]])
        )
        assert table.rows[0].values["township"] == regions.shuanghe
        assert table.rows[1].errors == {"township": "在万州区找不到“鸡鸣乡”：请核对名称，或填写区划代码。"}

    def test_it_reads_dates_excel_stores_as_dates(self, regions) -> None:
        table = read(xlsx([HEADER, [2018, "张三", ID_NUMBER, "城口", dt.datetime(2018, 3, 1)]]))
        assert table.rows[0].values["started_on"] == dt.date(2018, 3, 1)

    def test_it_fills_the_rows_of_a_merged_cell_with_its_value(self, regions) -> None:
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        for row in (TITLE, HEADER, ROW, [2018, "李四", ID_NUMBER, None, "2018-03-01"], ROW):
            sheet.append(row)
        sheet.merge_cells("A1:E1")  # the title: above the header, nothing to fill
        sheet.merge_cells("D3:D4")
        buffer = io.BytesIO()
        workbook.save(buffer)
        table = read(buffer.getvalue())
        assert [row.values["county"] for row in table.rows] == [regions.chengkou] * 3
        assert all(row.ok for row in table.rows)
        assert "第3至4行的合并单元格“城口”已用于其中每一行。" in table.warnings

    def test_it_refuses_a_formula_excel_never_calculated(self, regions) -> None:
        header = [*HEADER, "学时"]
        data = xlsx([header, [*ROW, 8], [*ROW, "=F2*2"]])
        rows = read(data).rows
        assert rows[0].values["hours"] == 8
        assert rows[1].errors == {
            "hours": "公式没有计算结果：请在 Excel 中打开文件，重新计算（按 F9）并保存后再上传，"
            "或把公式改为数值。"
        }
        # Saved by Excel, the formula carries its result, which is what is read.
        assert read(with_cached_value(data, "16")).rows[1].values["hours"] == 16

    def test_it_can_stream_the_rows(self, regions) -> None:
        table, rows = iter_rows(xlsx([HEADER, ROW, ROW]), filename="a.xlsx", kind=PEOPLE)
        assert table.rows == []
        assert [row.number for row in rows] == [2, 3]

    def test_it_reports_exactly_the_one_bad_row_among_a_hundred_thousand(self, regions) -> None:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(TITLE)
        sheet.append(HEADER)
        for number in range(3, 100_003):
            sheet.append(
                [2018, f"社工{number}", ID_NUMBER, "城口", "2018-02-30" if number == 50_002 else "2018/3/1"]
            )
        buffer = io.BytesIO()
        workbook.save(buffer)
        table = read(buffer.getvalue())
        assert len(table.rows) == 100_000
        bad = [row for row in table.rows if not row.ok]
        assert [(row.number, row.errors) for row in bad] == [
            (50_002, {"started_on": "日期“2018-02-30”不存在。"})
        ]


class TestFormats:
    def test_it_reads_a_csv_in_utf8_with_or_without_bom(self, regions) -> None:
        for encoding in ("utf-8", "utf-8-sig"):
            table = read(csv_bytes([TITLE, HEADER, ROW], encoding=encoding), filename="台账.csv")
            assert table.rows[0].values["name"] == "张三"
            assert table.header_row == 2

    def test_it_reads_a_csv_chinese_excel_saved_in_gbk(self, regions) -> None:
        table = read(
            csv_bytes([HEADER, [*ROW[:3], "城口县", "2018年3月1日"]], encoding="gbk"), filename="台账.csv"
        )
        assert table.columns["county"] == "区县"
        assert table.rows[0].values["county"] == regions.chengkou
        assert table.rows[0].values["started_on"] == dt.date(2018, 3, 1)

    def test_it_reads_a_tab_separated_utf16_text_file(self, regions) -> None:
        data = csv_bytes([HEADER, ROW], encoding="utf-16", delimiter="\t")
        assert read(data, filename="台账.txt").rows[0].values["name"] == "张三"

    def test_it_reads_an_xls(self, regions) -> None:
        table = read(xls([TITLE, HEADER, ROW], sheet="台账"), filename="台账.xls")
        assert (table.sheet, table.header_row) == ("台账", 2)
        assert table.rows[0].values["year"] == 2018
        assert table.rows[0].values["county"] == regions.chengkou

    def test_it_reads_an_ods(self, regions) -> None:
        table = read(ods([HEADER, [str(value) for value in ROW]]), filename="台账.ods")
        assert table.rows[0].values["id_number"] == ID_NUMBER

    def test_it_decides_the_format_from_the_bytes_not_the_name(self, regions) -> None:
        assert read(csv_bytes([HEADER, ROW]), filename="台账.xlsx").rows[0].values["name"] == "张三"
        assert read(xlsx([HEADER, ROW]), filename="台账.csv").rows[0].values["name"] == "张三"


class TestBadFiles:
    NOT_A_LEDGER = "不是 Excel 或 CSV 文件：请上传 .xlsx、.xls 或 .csv 格式的台账。"

    @pytest.mark.parametrize(
        "data",
        [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", bytes(range(256)) * 4],
    )
    def test_it_refuses_a_file_that_is_not_excel_or_csv(self, data: bytes) -> None:
        assert refusal(data) == self.NOT_A_LEDGER

    def test_it_refuses_a_zip_that_is_not_a_workbook(self) -> None:
        buffer = io.BytesIO()
        import zipfile

        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
        assert refusal(buffer.getvalue()) == self.NOT_A_LEDGER

    def test_it_refuses_a_web_page_saved_as_xls(self) -> None:
        assert "网页" in refusal(b"<html><body><table><tr><td>1</td></tr></table></body></html>")

    def test_it_names_a_password_protected_workbook(self) -> None:
        expected = (
            "文件设置了打开密码，无法读取：请在 Excel 中取消密码（文件 → 信息 → 保护工作簿）后重新上传。"
        )
        assert refusal(encrypted_xlsx()) == expected
        assert refusal(xls([HEADER, ROW], password=True)) == expected

    @pytest.mark.parametrize(
        "data",
        [
            xlsx([HEADER, ROW])[:2000],  # cut short
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x13" * 4000,  # an OLE signature, then noise
        ],
    )
    def test_it_names_a_corrupted_file(self, data: bytes) -> None:
        assert refusal(data) == "文件已损坏，无法读取：请在 Excel 中打开，另存为 .xlsx 后重新上传。"

    def test_it_refuses_a_file_over_the_size_limit(self, settings) -> None:
        assert refusal(b"x" * (MB + 1), max_bytes=MB) == (
            "文件大小为 1.0 MB，超过了 1 MB 的上限：请拆分成几个文件后分别导入。"
        )
        settings.SANQU_LEDGER_MAX_BYTES = 2 * MB
        assert "超过了 2 MB 的上限" in refusal(b"x" * (2 * MB + 1))

    def test_it_refuses_an_empty_file(self) -> None:
        assert refusal(b"") == "文件是空的。"
        assert refusal(xlsx([])) == "文件中没有数据。"
