from __future__ import annotations

import re

from sanqu.testing import World


def registry_counts(html: str) -> dict[str, int]:
    pairs = re.findall(r'sanqu-registries__count">(\d+)</span><span>([^<]+)</span>', html)
    return {label: int(count) for count, label in pairs}


def test_it_shows_a_county_officer_the_registries_of_her_county(world: World, as_user) -> None:
    html = as_user("chengkou").get("/admin/").content.decode()

    counts = registry_counts(html)
    assert counts["社会工作组织"] == 1  # 扬光 in 城口; 万州's association is not hers
    assert counts["人员"] == 2
    assert "返回工作台" in html


def test_it_links_nowhere_outside_the_intranet(world: World, as_user) -> None:
    html = as_user("city").get("/admin/").content.decode()

    assert "wagtail.org" not in html
    assert "guide.wagtail" not in html
