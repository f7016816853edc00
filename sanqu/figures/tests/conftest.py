from __future__ import annotations

import pytest

from sanqu.figures.tests.factories import Programme, build_programme


@pytest.fixture
def programme(db: None) -> Programme:
    return build_programme()
