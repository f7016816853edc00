"""A full disk while an issue's PDF is written: nothing is issued, the number stays free, no file is left."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.storage import FileSystemStorage

from sanqu.bulletins.models import Bulletin
from sanqu.lib.tests.full_disk import filling_the_disk

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_bulletin_whose_pdf_cannot_be_written_is_not_issued(
    media: Path, as_user, draft, recipients
) -> None:
    client = as_user("reviewer")
    written: list[Path] = []
    with mock.patch.object(FileSystemStorage, "_save", filling_the_disk(written)):
        response = client.post(f"/bulletins/{draft.pk}/issue/", follow=True)
    assert "简报 PDF 无法写入服务器（No space left on device），本期未签发" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Bulletin.Status.DRAFT and draft.number is None and not draft.pdf
    assert written and not any(path.exists() for path in written)

    # With room on the disk again, the same draft is issued as number 1.
    client.post(f"/bulletins/{draft.pk}/issue/")
    draft.refresh_from_db()
    assert draft.is_issued and draft.number == 1
