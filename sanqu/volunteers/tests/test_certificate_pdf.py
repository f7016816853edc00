"""The certificate PDF as the volunteer receives it: its text extracted and checked."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import tempfile

import pytest

from sanqu.accounts.models import AuditEntry
from sanqu.volunteers import services
from sanqu.volunteers.models import VolunteerCertificate
from sanqu.volunteers.tests.conftest import CHENGKOU_ID, add_hours

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "certificate.pdf")
        with open(path, "wb") as handle:
            handle.write(pdf)
        result = subprocess.run(  # noqa: S603 - a fixed local tool on our own file
            ["/usr/bin/pdftotext", "-layout", path, "-"], capture_output=True, check=True, text=True
        )
    return result.stdout


@pytest.fixture
def certificate(world, chengkou_volunteer) -> VolunteerCertificate:
    add_hours(chengkou_volunteer, dt.date(2017, 10, 28), "3", "重阳节敬老活动")
    add_hours(chengkou_volunteer, dt.date(2018, 3, 8), "2.5", "留守儿童课业辅导")
    add_hours(chengkou_volunteer, dt.date(2018, 4, 8), "2", "留守儿童课业辅导")
    return services.certificate_issue(
        actor=world["chengkou"],
        volunteer=chengkou_volunteer,
        period_start=dt.date(2017, 7, 1),
        period_end=dt.date(2018, 6, 30),
        issuer="城口县民政局",
    )


def test_it_prints_the_volunteer_hours_content_number_issuer_and_date(as_user, certificate):
    response = as_user("chengkou").post(f"/volunteers/certificates/{certificate.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert (
        response["Content-Disposition"] == 'attachment; filename="volunteer-certificate-2018-500229-0001.pdf"'
    )
    text = pdf_text(response.content)
    flat = "".join(text.split())
    assert "志愿服务证明" in flat
    assert "向春燕" in flat
    assert CHENGKOU_ID in flat
    assert "累计志愿服务时长7.5小时" in flat
    assert "留守儿童课业辅导（2次，4.5小时）；重阳节敬老活动（1次，3.0小时）" in flat
    assert "编号：2018-500229-0001" in flat
    assert "城口县民政局" in flat
    assert "2018年7月10日" in flat
    assert "2017年7月1日至2018年6月30日" in flat


def test_each_download_is_audited(as_user, world, certificate):
    as_user("chengkou").post(f"/volunteers/certificates/{certificate.pk}/pdf/")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == world["chengkou"]
    assert entry.object_type == "volunteers.volunteercertificate"
    assert entry.detail["fields"] == ["id_number"]


def test_downloads_are_scoped_and_need_unmask(as_user, certificate):
    url = f"/volunteers/certificates/{certificate.pk}/pdf/"
    assert as_user("wanzhou").post(url).status_code == 404
    assert as_user("worker").post(url).status_code == 403  # sees the volunteer, not the full ID
    assert as_user("leader").post(url).status_code == 403
    assert as_user("yangguang").post(url).status_code == 200
    assert as_user("chengkou").get(url).status_code == 405
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, actor__username="wanzhou").exists()


def test_it_uses_chinese_fonts_and_fetches_nothing_outside(certificate, tmp_path):
    from sanqu.lib.pdf import RefusedURL, StaticOnlyFetcher, render_pdf

    pdf = render_pdf("volunteers/certificate.html", {"certificate": certificate})
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(  # noqa: S603
        ["/usr/bin/pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout
    assert "Noto-Serif-CJK-SC" in fonts  # the body, embedded
    assert "Noto-Sans-CJK-SC" in fonts  # the number, labels and note
    fetcher = StaticOnlyFetcher()
    for url in (
        "https://example.com/x.css",
        "http://sanqu.invalid/static/css/sanqu.css",
        "file:///etc/passwd",
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert (
        fetcher.fetch("https://sanqu.invalid/static/css/volunteer-certificate.css").read().startswith(b"/*")
    )
