from __future__ import annotations

from typing import Any

import pytest

from sanqu.figures.tests.factories import Programme, build_programme
from sanqu.workbench.tests.conftest import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture
def programme(db: None) -> Programme:
    return build_programme()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """The browser tests here drive Debian's Chromium (never a downloaded one)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
