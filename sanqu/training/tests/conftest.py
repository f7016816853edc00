from __future__ import annotations

import pytest

from sanqu.testing import World
from sanqu.training.tests.factories import TODAY, Training, build_training


@pytest.fixture(autouse=True)
def pinned_today(settings) -> None:
    settings.SANQU_TODAY = TODAY


@pytest.fixture
def training(world: World) -> Training:
    return build_training(world)
