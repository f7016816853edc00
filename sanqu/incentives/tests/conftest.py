from __future__ import annotations

from pathlib import Path

import pytest

from sanqu.incentives.tests.factories import TODAY


@pytest.fixture(autouse=True)
def working_day_and_files(settings, tmp_path: Path) -> Path:
    """A fixed working date, and evidence files under a temporary directory."""
    settings.SANQU_TODAY = TODAY
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "private"
