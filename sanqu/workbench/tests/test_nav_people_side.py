"""The top bar leads each role to the people side's pages it may use, and hides the rest."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from sanqu.testing import World

ENTRIES = ("选派", "团队与督导", "督导记录", "志愿者", "培训", "证书与激励")


def _entries(client: Client) -> set[str]:
    page = client.get("/").content.decode()
    nav = page[page.index('aria-label="主导航"') :]
    nav = nav[: nav.index("</nav>")]
    return {name for name in ENTRIES if re.search(rf">{name}</a>", nav)}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("city", {"选派", "团队与督导", "志愿者", "培训", "证书与激励"}),
        ("chengkou", {"选派", "团队与督导", "志愿者", "培训", "证书与激励"}),
        ("leader", {"选派", "团队与督导", "志愿者", "培训", "证书与激励"}),
        ("yangguang", {"选派", "团队与督导", "志愿者"}),
        # A worker: her own terms, her team and sessions, the volunteers she records, her claims.
        ("worker", {"选派", "团队与督导", "志愿者", "证书与激励"}),
        ("mentor", {"团队与督导"}),
        ("editor", set()),
    ],
)
def test_each_role_sees_its_people_side_entries(
    world: World, as_user: Callable[[str], Client], username: str, expected: set[str]
) -> None:
    assert _entries(as_user(username)) == expected


def test_every_entry_opens_a_page_the_user_may_use(world: World, as_user: Callable[[str], Client]) -> None:
    client = as_user("chengkou")
    for url in ("/dispatches/", "/teams/", "/volunteers/", "/training/", "/incentives/"):
        assert client.get(url).status_code == 200, url
