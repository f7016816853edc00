from __future__ import annotations

import pytest

from sanqu.regions.names import short_name, village_name


@pytest.mark.parametrize(
    ("raw", "readable"),
    [
        ("云隘村村民委员会", "云隘村"),
        ("盐井凼村民委员会", "盐井凼村"),
        ("先锋社区村民委员会", "先锋社区"),
        ("多福巷社区居委会", "多福巷社区"),
        ("鸡鸣社区居民委员会", "鸡鸣社区"),
        ("化龙桥社区工作站", "化龙桥社区工作站"),
        ("兴和村", "兴和村"),
    ],
)
def test_it_gives_villages_their_readable_name(raw: str, readable: str) -> None:
    assert village_name(raw) == readable


@pytest.mark.parametrize(
    ("name", "short"),
    [("城口县", "城口"), ("秀山土家族苗族自治县", "秀山"), ("万州区", "万州"), ("忠县", "忠县")],
)
def test_it_shortens_county_names_as_people_write_them(name: str, short: str) -> None:
    assert short_name(name) == short
