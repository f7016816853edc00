"""The volunteer pages as each persona sees them, with the refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from sanqu.accounts.models import AuditEntry
from sanqu.lib import idnumber
from sanqu.volunteers.models import Volunteer, VolunteerCertificate, VolunteerService
from sanqu.volunteers.tests.conftest import CHENGKOU_ID, WANZHOU_ID, add_hours

pytestmark = pytest.mark.django_db


def test_the_registry_lists_the_volunteers_in_scope_with_masked_numbers(
    as_user, chengkou_volunteer, wanzhou_volunteer
):
    add_hours(chengkou_volunteer, dt.date(2018, 5, 1), "3.5")
    page = as_user("chengkou").get("/volunteers/").content.decode()
    assert "向春燕" in page and "谭志刚" not in page
    assert idnumber.mask(CHENGKOU_ID) in page and CHENGKOU_ID not in page
    assert "3.5 小时" in page
    city = as_user("leader").get("/volunteers/").content.decode()
    assert "向春燕" in city and "谭志刚" in city
    assert "登记志愿者" not in city  # the leadership reads only
    worker = as_user("worker").get("/volunteers/").content.decode()
    assert "向春燕" in worker and "谭志刚" not in worker
    manager = as_user("yangguang").get("/volunteers/").content.decode()
    assert "向春燕" in manager and "谭志刚" not in manager


def test_the_registry_finds_by_name_or_full_id_number(as_user, chengkou_volunteer, wanzhou_volunteer):
    client = as_user("city")
    assert "向春燕" in client.get("/volunteers/", {"q": "春燕"}).content.decode()
    found = client.get("/volunteers/", {"q": CHENGKOU_ID.lower()}).content.decode()
    assert "向春燕" in found and "谭志刚" not in found
    partial = client.get("/volunteers/", {"q": CHENGKOU_ID[:10]}).content.decode()
    assert "没有找到匹配的志愿者" in partial
    outsider = as_user("chengkou").get("/volunteers/", {"q": WANZHOU_ID}).content.decode()
    assert "谭志刚" not in outsider
    by_skill = client.get("/volunteers/", {"skill": "急救"}).content.decode()
    assert "向春燕" in by_skill
    htmx = client.get("/volunteers/", {"q": "春燕"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in htmx and "向春燕" in htmx


def test_the_refusals(client, as_user, world, chengkou_volunteer):
    assert client.get("/volunteers/").status_code == 302
    assert as_user("editor").get("/volunteers/").status_code == 403
    assert as_user("mentor").get("/volunteers/").status_code == 403
    assert as_user("mentor").get(f"/volunteers/{chengkou_volunteer.pk}/").status_code == 403
    assert as_user("wanzhou").get(f"/volunteers/{chengkou_volunteer.pk}/").status_code == 404
    assert as_user("wanzhou").get(f"/volunteers/{chengkou_volunteer.pk}/hours/").status_code == 404
    assert as_user("leader").get(f"/volunteers/{chengkou_volunteer.pk}/hours/").status_code == 403
    assert as_user("worker").get(f"/volunteers/{chengkou_volunteer.pk}/training/").status_code == 403
    assert as_user("worker").get(f"/volunteers/{chengkou_volunteer.pk}/certificates/new/").status_code == 403
    assert as_user("wanzhou").get(f"/volunteers/{chengkou_volunteer.pk}/certificates/new/").status_code == 404
    assert as_user("leader").post("/volunteers/new/").status_code == 403
    assert as_user("chengkou").delete(f"/volunteers/{chengkou_volunteer.pk}/").status_code == 405


def test_the_volunteer_page_shows_hours_by_month_and_records(as_user, chengkou_volunteer):
    add_hours(chengkou_volunteer, dt.date(2018, 5, 1), "3.5", "留守儿童课业辅导")
    add_hours(chengkou_volunteer, dt.date(2018, 5, 20), "2")
    add_hours(chengkou_volunteer, dt.date(2018, 6, 2), "1.5")
    page = as_user("worker").get(f"/volunteers/{chengkou_volunteer.pk}/").content.decode()
    assert "7.0" in page  # the total
    assert "2018-05" in page and "5.5" in page and "2018-06" in page
    assert "留守儿童课业辅导" in page
    assert "急救" in page and "手工" in page
    assert idnumber.mask(CHENGKOU_ID) in page and CHENGKOU_ID not in page
    assert "记录服务时长" in page and "出具证明" not in page and "记录培训" not in page
    officer = as_user("chengkou").get(f"/volunteers/{chengkou_volunteer.pk}/").content.decode()
    assert "出具证明" in officer and "记录培训" in officer and "记录表彰" in officer


def test_a_worker_registers_a_volunteer_and_records_hours_from_her_phone(as_user, world):
    client = as_user("worker")
    form = client.get("/volunteers/new/").content.decode()
    assert "城口县" in form and "万州区" not in form
    number = idnumber.make("500229", dt.date(2000, 1, 2), 51)
    response = client.post(
        "/volunteers/new/",
        {
            "name": "冉小兰",
            "id_number": number,
            "county": world.chengkou.pk,
            "station": world.station.pk,
            "registered_on": "2018-07-01",
            "skills": "文艺表演，手工",
        },
    )
    volunteer = Volunteer.objects.get(person__name="冉小兰")
    assert response.status_code == 302 and response["Location"] == f"/volunteers/{volunteer.pk}/"
    hours = client.get(f"/volunteers/{volunteer.pk}/hours/").content.decode()
    assert "不含往返路途时间" in hours and 'inputmode="decimal"' in hours
    response = client.post(
        f"/volunteers/{volunteer.pk}/hours/",
        {"served_on": "2018-07-09", "hours": "2.5", "content": "入户探访留守老人", "place": "鸡鸣乡"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#services")
    assert VolunteerService.objects.get().hours == 2.5


def test_a_refused_form_says_why_and_keeps_the_input(as_user, world, chengkou_volunteer):
    add_hours(chengkou_volunteer, dt.date(2018, 7, 9), "22")
    response = as_user("worker").post(
        f"/volunteers/{chengkou_volunteer.pk}/hours/",
        {"served_on": "2018-07-09", "hours": "3", "content": "入户探访"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "已记录 22.0 小时，加上本次 3.0 小时超过一天 24 小时。" in page
    assert 'value="入户探访"' in page
    response = as_user("chengkou").post(
        "/volunteers/new/",
        {
            "name": "向春燕",
            "id_number": CHENGKOU_ID,
            "county": world.chengkou.pk,
            "registered_on": "2018-07-01",
        },
    )
    assert "该身份证号已登记为志愿者：向春燕（城口县）。" in response.content.decode()


def test_the_officer_adds_training_commendation_and_issues_a_certificate(as_user, chengkou_volunteer):
    add_hours(chengkou_volunteer, dt.date(2018, 3, 8), "2.5")
    client = as_user("chengkou")
    base = f"/volunteers/{chengkou_volunteer.pk}"
    assert (
        client.post(
            f"{base}/training/", {"trained_on": "2018-05-01", "title": "志愿服务基础", "hours": "4"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"{base}/commendations/",
            {"awarded_on": "2018-06-01", "title": "优秀志愿者", "awarded_by": "城口县民政局"},
        ).status_code
        == 302
    )
    form = client.get(f"{base}/certificates/new/").content.decode()
    assert 'value="2018-03-08"' in form and "重庆扬光社会工作服务中心" in form
    response = client.post(
        f"{base}/certificates/new/",
        {
            "period_start": "2018-01-01",
            "period_end": "2018-06-30",
            "issuer": "城口县民政局",
            "issued_on": "2018-07-10",
        },
    )
    assert response.status_code == 302
    certificate = VolunteerCertificate.objects.get()
    page = client.get(f"{base}/").content.decode()
    assert "志愿服务基础" in page and "优秀志愿者" in page
    assert certificate.number in page and "下载 PDF" in page
    assert AuditEntry.objects.filter(object_type="volunteers.volunteercertificate", action="create").exists()
