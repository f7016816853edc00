"""A full disk while the results report is written: the report fails with the reason, no file is left."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.storage import FileSystemStorage
from django.test import Client
from django.urls import reverse

from sanqu.figures.models import ReportFile
from sanqu.figures.report_services import run_report
from sanqu.figures.tests.test_report_pages import ask
from sanqu.figures.tests.test_snapshots import People, build_people
from sanqu.lib.tests.full_disk import filling_the_disk

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_results_report_that_cannot_be_written_fails_with_the_reason(media: Path) -> None:
    people: People = build_people()
    report = ask(people, fmt="pdf")
    written: list[Path] = []
    with mock.patch.object(FileSystemStorage, "_save", filling_the_disk(written)):
        run_report(report.pk)
    report.refresh_from_db()
    assert report.status == ReportFile.Status.FAILED
    assert report.error == "报告文件无法写入（No space left on device）。请联系系统管理员。"
    assert not report.file
    assert written and not any(path.exists() for path in written)

    page = Client()
    page.force_login(people.chengkou)
    shown = page.get(reverse("results_report_detail", args=[report.pk])).content.decode()
    assert "报告文件无法写入" in shown
