from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from sanqu.ledgers.kinds import Column
from sanqu.ledgers.normalise import CellError, clean_text, normalise
from sanqu.ledgers.tests.files import ID_NUMBER, make_regions

STATUS = ("在岗", "期满", "提前离岗")


@pytest.fixture
def regions(db: None) -> SimpleNamespace:
    return make_regions()


def read(kind: str, raw: object, **column: object) -> object:
    return normalise(Column("field", str(column.pop("name", "列")), kind=kind, **column), raw)  # type: ignore[arg-type]


def refusal(kind: str, raw: object, **column: object) -> str:
    with pytest.raises(CellError) as error:
        read(kind, raw, **column)
    return str(error.value)


@pytest.mark.parametrize(
    "kind", ["text", "date", "id_number", "decimal", "integer", "boolean", "phone", "choice"]
)
@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_it_reads_an_empty_cell_as_none(kind: str, raw: object) -> None:
    assert read(kind, raw) is None


class TestText:
    def test_it_collapses_spaces_and_makes_full_width_letters_and_digits_half_width(self) -> None:
        assert read("text", "  Ａｂｃ１２３\u3000 重庆 \n 城口  ") == "Abc123 重庆 城口"

    def test_it_keeps_chinese_punctuation(self) -> None:
        assert (
            clean_text("服务中心（城口），已结案；待回访：是！") == "服务中心（城口），已结案；待回访：是！"
        )

    def test_it_drops_zero_width_characters(self) -> None:
        assert read("text", "张\u200b三\ufeff") == "张三"

    def test_it_writes_whole_numbers_without_a_decimal_point(self) -> None:
        assert read("text", 12345.0) == "12345"
        assert read("text", 1.5) == "1.5"

    def test_it_refuses_an_excel_error_value(self) -> None:
        assert "#DIV/0!" in refusal("text", "#DIV/0!")


class TestDate:
    @pytest.mark.parametrize(
        "raw",
        [
            "2018-03-01",
            "2018/3/1",
            "2018.3.1",
            "2018年3月1日",
            "20180301",
            "２０１８－０３－０１",
            " 2018 年 3 月 1 日 ",
            "2018-03-01 00:00:00",
            dt.date(2018, 3, 1),
            dt.datetime(2018, 3, 1, 9, 30),
            43160.0,  # the Excel serial number
            "43160",
            20180301.0,
        ],
    )
    def test_it_reads_the_forms_people_write(self, raw: object) -> None:
        assert read("date", raw) == dt.date(2018, 3, 1)

    def test_it_refuses_a_date_that_does_not_exist(self) -> None:
        assert refusal("date", "2018-02-30") == "日期“2018-02-30”不存在。"
        assert refusal("date", "2018年13月1日") == "日期“2018年13月1日”不存在。"

    def test_it_refuses_what_is_not_a_date_and_says_what_to_write(self) -> None:
        message = refusal("date", "三月一日")
        assert "三月一日" in message and "2018-03-01" in message

    def test_it_refuses_an_implausible_year(self) -> None:
        assert "年份" in refusal("date", "1066-10-14")


class TestIdNumber:
    def test_it_accepts_full_width_digits_spaces_and_a_lower_case_x(self) -> None:
        number = "11010519491231002X"
        assert read("id_number", "１１０１０５ １９４９１２３１ ００２x") == number
        assert read("id_number", f" {ID_NUMBER} ") == ID_NUMBER

    def test_it_refuses_a_wrong_check_character_with_the_forms_message(self) -> None:
        assert refusal("id_number", ID_NUMBER[:-1] + "6") == "身份证号校验位不正确（GB 11643），请核对。"

    def test_it_refuses_a_wrong_length(self) -> None:
        assert refusal("id_number", "50022919880101") == "身份证号应为18位，当前为14位。"

    @pytest.mark.parametrize("raw", [5.002291988010113e17, "5.00229E+17", "5.00229e17"])
    def test_it_says_to_format_the_column_as_text_when_excel_kept_a_number(self, raw: object) -> None:
        message = refusal("id_number", raw, name="身份证号")
        assert message.startswith("身份证号“5.00229")
        assert "文本格式" in message


class TestCreditCode:
    def test_it_normalises_and_checks(self) -> None:
        from sanqu.lib import creditcode

        code = creditcode.make("52", "500229", "MJ0000001")
        assert read("credit_code", code.lower()) == code
        assert "校验位" in refusal("credit_code", code[:-1] + ("0" if code[-1] != "0" else "1"))


@pytest.mark.django_db
class TestRegion:
    @pytest.mark.parametrize("raw", ["城口", "城口县", "500229", 500229.0, "重庆市城口县", " 城口县 "])
    def test_it_finds_a_county_by_short_or_full_name_or_code(self, regions, raw: object) -> None:
        assert read("region", raw) == regions.chengkou

    def test_it_finds_a_county_by_its_former_code_or_name(self, regions) -> None:
        assert read("region", "500234") == regions.kaizhou
        assert read("region", "开县") == regions.kaizhou

    def test_it_names_the_value_it_cannot_find(self, regions) -> None:
        assert (
            refusal("region", "巫溪")
            == "找不到行政区划“巫溪”：请填写区县名称（如 城口县、城口）或区划代码（如 500229）。"
        )

    def test_it_looks_a_township_up_within_the_county(self, regions) -> None:
        column = Column("township", "乡镇(街道)", kind="region")
        assert normalise(column, "双河乡", within=regions.chengkou) == regions.shuanghe
        with pytest.raises(CellError, match="在城口县找不到“高楼镇”"):
            normalise(column, "高楼镇", within=regions.chengkou)


class TestChoice:
    def test_it_accepts_a_choice_after_normalising_spaces_and_width(self) -> None:
        assert read("choice", " 期 满 ", choices=STATUS) == "期满"
        assert read("choice", "ａ", choices=("A", "B")) == "A"

    def test_it_lists_the_accepted_values(self) -> None:
        assert refusal("choice", "离职", name="状态", choices=STATUS) == (
            "“离职”不是“状态”可填的值，应为：在岗、期满、提前离岗。"
        )

    def test_it_splits_multiple_values_on_the_usual_separators(self) -> None:
        choices = ("儿童", "老年人", "残疾人")
        assert read("multi", "儿童、老年人,残疾人，儿童", choices=choices) == ("儿童", "老年人", "残疾人")
        assert read("multi", "困境儿童、 留守老人", choices=()) == ("困境儿童", "留守老人")
        assert "“青年”不是" in refusal("multi", "儿童、青年", choices=choices)


class TestNumbers:
    @pytest.mark.parametrize(
        ("raw", "value"),
        [
            ("1,234.50", Decimal("1234.50")),
            ("１２", Decimal(12)),
            ("500元", Decimal(500)),
            ("¥1,000", Decimal(1000)),
            ("2.5小时", Decimal("2.5")),
            (1.1, Decimal("1.1")),
            (" 3 ", Decimal(3)),
        ],
    )
    def test_it_reads_decimals_with_separators_and_units(self, raw: object, value: Decimal) -> None:
        assert read("decimal", raw) == value

    def test_it_refuses_what_is_not_a_number(self) -> None:
        assert refusal("decimal", "约三小时") == "“约三小时”不是数字。"
        assert refusal("decimal", "1,5") == "“1,5”不是数字。"

    def test_it_reads_integers_from_excel_floats_and_text(self) -> None:
        assert read("integer", 2018.0) == 2018
        assert read("integer", "2018年") == 2018
        assert read("integer", "２０１８") == 2018

    def test_it_refuses_a_fraction_where_a_whole_number_is_expected(self) -> None:
        assert refusal("integer", "2018.5") == "“2018.5”不是整数。"


class TestBoolean:
    @pytest.mark.parametrize("raw", ["是", "Y", "y", "yes", "1", 1.0, "√", "✓", True, "TRUE"])
    def test_it_reads_yes(self, raw: object) -> None:
        assert read("boolean", raw) is True

    @pytest.mark.parametrize("raw", ["否", "N", "no", "0", 0.0, "×", False])
    def test_it_reads_no(self, raw: object) -> None:
        assert read("boolean", raw) is False

    def test_it_refuses_anything_else(self) -> None:
        assert refusal("boolean", "也许") == "“也许”应填“是”或“否”。"


class TestPhone:
    @pytest.mark.parametrize(
        "raw", ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", 13800138000.0]
    )
    def test_it_reads_a_mobile_number(self, raw: object) -> None:
        assert read("phone", raw) == "13800138000"

    def test_it_reads_a_landline_with_its_area_code(self) -> None:
        assert read("phone", "023-12345678") == "023-12345678"
        assert read("phone", "（023）12345678") == "023-12345678"

    def test_it_refuses_a_number_without_area_code(self) -> None:
        assert "023-12345678" in refusal("phone", "12345678")


def test_it_refuses_an_unknown_column_kind_as_a_programming_error() -> None:
    with pytest.raises(ValueError, match="Unknown column kind"):
        read("colour", "红")
