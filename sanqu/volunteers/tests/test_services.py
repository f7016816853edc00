"""The volunteer rules, each refused with the field and the rule named, nothing half-saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from sanqu.accounts.models import AuditEntry
from sanqu.lib import idnumber
from sanqu.volunteers import services
from sanqu.volunteers.models import Volunteer, VolunteerCertificate, VolunteerService
from sanqu.volunteers.tests.conftest import CHENGKOU_ID, add_hours
from sanqu.workforce.models import Person

pytestmark = pytest.mark.django_db
NEW_ID = idnumber.make("500229", dt.date(2001, 9, 9), 41)


def _messages(error: pytest.ExceptionInfo[ValidationError], field: str) -> list[str]:
    return error.value.message_dict[field]


def test_it_registers_a_new_person_as_a_volunteer(world):
    volunteer = services.volunteer_register(
        actor=world["worker"],
        name=" 冉小兰 ",
        id_number=NEW_ID.lower(),
        county=world.chengkou,
        station=world.station,
        registered_on=dt.date(2018, 7, 1),
        skills="急救，手工 、急救",
    )
    assert volunteer.person.name == "冉小兰"
    assert volunteer.skills == "急救、手工"
    assert volunteer.registered_by == world["worker"]
    actions = set(AuditEntry.objects.values_list("object_type", "action"))
    assert ("workforce.person", "create") in actions and ("volunteers.volunteer", "create") in actions


def test_it_gives_a_person_already_on_file_a_profile_instead_of_a_second_record(world):
    number = world.worker_person.id_number
    volunteer = services.volunteer_register(
        actor=world["chengkou"],
        name=world.worker_person.name,
        id_number=number,
        county=world.chengkou,
        registered_on=dt.date(2018, 1, 1),
    )
    assert volunteer.person == world.worker_person
    assert Person.objects.count() == 2  # worker and mentor, no third


def test_it_refuses_a_second_profile_naming_the_volunteer_in_scope(world, chengkou_volunteer):
    with pytest.raises(ValidationError) as error:
        services.volunteer_register(
            actor=world["chengkou"],
            name="向春燕",
            id_number=CHENGKOU_ID,
            county=world.chengkou,
            registered_on=dt.date(2018, 1, 1),
        )
    assert _messages(error, "id_number") == ["该身份证号已登记为志愿者：向春燕（城口县）。"]


def test_it_does_not_name_a_volunteer_out_of_scope(world, chengkou_volunteer):
    with pytest.raises(ValidationError) as error:
        services.volunteer_register(
            actor=world["wanzhou"],
            name="向春燕",
            id_number=CHENGKOU_ID,
            county=world.wanzhou,
            registered_on=dt.date(2018, 1, 1),
        )
    assert _messages(error, "id_number") == ["该身份证号已登记为志愿者。"]


def test_it_refuses_a_known_number_under_another_name(world):
    with pytest.raises(ValidationError) as error:
        services.volunteer_register(
            actor=world["chengkou"],
            name="张三",
            id_number=world.worker_person.id_number,
            county=world.chengkou,
            registered_on=dt.date(2018, 1, 1),
        )
    assert _messages(error, "name") == ["该身份证号已登记在另一个姓名下，请核对姓名和身份证号。"]
    assert not Volunteer.objects.exists()


def test_it_refuses_a_bad_id_number_and_saves_nothing(world):
    with pytest.raises(ValidationError) as error:
        services.volunteer_register(
            actor=world["chengkou"],
            name="冉小兰",
            id_number=NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1"),
            county=world.chengkou,
            registered_on=dt.date(2018, 1, 1),
        )
    assert _messages(error, "id_number") == ["身份证号校验位不正确（GB 11643），请核对。"]
    assert Person.objects.count() == 2 and not Volunteer.objects.exists()


def test_it_refuses_a_registration_in_the_future_or_outside_the_county(world):
    with pytest.raises(ValidationError) as error:
        services.volunteer_register(
            actor=world["chengkou"],
            name="冉小兰",
            id_number=NEW_ID,
            county=world.chengkou,
            registered_on=dt.date(2018, 7, 11),
        )
    assert _messages(error, "registered_on") == ["登记日期不能晚于今天。"]
    with pytest.raises(PermissionDenied):
        services.volunteer_register(
            actor=world["wanzhou"],
            name="冉小兰",
            id_number=NEW_ID,
            county=world.chengkou,
            registered_on=dt.date(2018, 7, 1),
        )
    assert Person.objects.count() == 2 and not Volunteer.objects.exists()


def test_it_records_hours_and_refuses_out_of_range(world, chengkou_volunteer):
    record = services.service_record(
        actor=world["worker"],
        volunteer=chengkou_volunteer,
        served_on=dt.date(2018, 7, 1),
        hours=Decimal("3.5"),
        content="留守儿童课业辅导",
        place="鸡鸣乡社会工作站",
    )
    assert record.county == world.chengkou and record.recorded_by == world["worker"]
    for hours, message in [
        (Decimal(0), "服务时长须大于 0 小时。"),
        (Decimal("-1"), "服务时长须大于 0 小时。"),
        (Decimal("24.5"), "服务时长不能超过一天 24 小时。"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.service_record(
                actor=world["worker"],
                volunteer=chengkou_volunteer,
                served_on=dt.date(2018, 7, 2),
                hours=hours,
                content="入户探访",
            )
        assert _messages(error, "hours") == [message]


def test_it_refuses_more_than_24_hours_on_one_day_in_total(world, chengkou_volunteer):
    add_hours(chengkou_volunteer, dt.date(2018, 7, 1), "20")
    with pytest.raises(ValidationError) as error:
        services.service_record(
            actor=world["chengkou"],
            volunteer=chengkou_volunteer,
            served_on=dt.date(2018, 7, 1),
            hours=Decimal("4.5"),
            content="入户探访",
        )
    assert _messages(error, "hours") == ["2018-07-01 已记录 20.0 小时，加上本次 4.5 小时超过一天 24 小时。"]
    services.service_record(
        actor=world["chengkou"],
        volunteer=chengkou_volunteer,
        served_on=dt.date(2018, 7, 1),
        hours=Decimal(4),
        content="入户探访",
    )
    assert VolunteerService.objects.count() == 2


def test_it_refuses_a_future_date_and_empty_content(world, chengkou_volunteer):
    with pytest.raises(ValidationError) as error:
        services.service_record(
            actor=world["worker"],
            volunteer=chengkou_volunteer,
            served_on=dt.date(2018, 7, 11),
            hours=Decimal(2),
            content="入户探访",
        )
    assert _messages(error, "served_on") == ["服务日期不能晚于今天。"]
    with pytest.raises(ValidationError) as error:
        services.service_record(
            actor=world["worker"],
            volunteer=chengkou_volunteer,
            served_on=dt.date(2018, 7, 1),
            hours=Decimal(2),
            content="  ",
        )
    assert _messages(error, "content") == ["请填写服务内容。"]
    assert not VolunteerService.objects.exists()


def test_it_links_hours_to_an_activity_of_the_same_county_and_day(world, chengkou_volunteer, activity):
    with pytest.raises(ValidationError) as error:
        services.service_record(
            actor=world["worker"],
            volunteer=chengkou_volunteer,
            served_on=dt.date(2017, 10, 27),
            hours=Decimal(3),
            content="协助敬老活动",
            activity=activity,
        )
    assert _messages(error, "served_on") == ["服务日期须与所关联活动的日期（2017-10-28）一致。"]
    record = services.service_record(
        actor=world["worker"],
        volunteer=chengkou_volunteer,
        served_on=dt.date(2017, 10, 28),
        hours=Decimal(3),
        content="协助敬老活动",
        activity=activity,
    )
    assert record.activity == activity


def test_it_refuses_an_activity_of_another_county(world, wanzhou_volunteer, activity):
    with pytest.raises(ValidationError) as error:
        services.service_record(
            actor=world["city"],
            volunteer=wanzhou_volunteer,
            served_on=activity.held_on,
            hours=Decimal(3),
            content="协助敬老活动",
            activity=activity,
        )
    assert _messages(error, "activity") == ["所关联的社区活动须在志愿者所在的区县。"]


def test_scope_of_writes_per_persona(world, chengkou_volunteer):
    def record(user: str) -> None:
        services.service_record(
            actor=world[user],
            volunteer=chengkou_volunteer,
            served_on=dt.date(2018, 7, 1),
            hours=Decimal(1),
            content="入户探访",
        )

    for user in ("chengkou", "city", "worker", "yangguang"):
        record(user)
    with pytest.raises(Http404):
        record("wanzhou")
    with pytest.raises(PermissionDenied):
        record("leader")
    with pytest.raises(Http404):
        record("mentor")
    assert VolunteerService.objects.count() == 4


def test_training_and_commendation_rules(world, chengkou_volunteer):
    training = services.training_add(
        actor=world["chengkou"],
        volunteer=chengkou_volunteer,
        trained_on=dt.date(2018, 5, 1),
        title="志愿服务基础知识",
        hours=Decimal(4),
    )
    assert training.hours == 4
    with pytest.raises(ValidationError) as error:
        services.training_add(
            actor=world["chengkou"],
            volunteer=chengkou_volunteer,
            trained_on=dt.date(2018, 5, 1),
            title="急救",
            hours=Decimal(0),
        )
    assert _messages(error, "hours") == ["培训学时须大于 0。"]
    with pytest.raises(PermissionDenied):  # a worker records hours, not training
        services.training_add(
            actor=world["worker"],
            volunteer=chengkou_volunteer,
            trained_on=dt.date(2018, 5, 1),
            title="急救",
            hours=Decimal(2),
        )
    with pytest.raises(ValidationError) as error:
        services.commendation_add(
            actor=world["chengkou"],
            volunteer=chengkou_volunteer,
            awarded_on=dt.date(2018, 8, 1),
            title="优秀志愿者",
            awarded_by="城口县民政局",
        )
    assert _messages(error, "awarded_on") == ["表彰日期不能晚于今天。"]


def test_it_issues_a_certificate_with_frozen_hours_and_numbers_by_year_and_county(world, chengkou_volunteer):
    add_hours(chengkou_volunteer, dt.date(2017, 10, 28), "3", "重阳节敬老活动")
    add_hours(chengkou_volunteer, dt.date(2018, 3, 8), "2.5", "入户探访")
    add_hours(chengkou_volunteer, dt.date(2018, 4, 8), "2", "入户探访")
    add_hours(chengkou_volunteer, dt.date(2018, 7, 1), "5", "outside the period")
    certificate = services.certificate_issue(
        actor=world["chengkou"],
        volunteer=chengkou_volunteer,
        period_start=dt.date(2017, 7, 1),
        period_end=dt.date(2018, 6, 30),
        issuer="城口县民政局",
    )
    assert certificate.number == "2018-500229-0001"
    assert certificate.issued_on == dt.date(2018, 7, 10)
    assert certificate.total_hours == Decimal("7.5") and certificate.service_count == 3
    assert certificate.content_summary == "入户探访（2次，4.5小时）；重阳节敬老活动（1次，3.0小时）。"
    assert certificate.holder_id_number == CHENGKOU_ID
    add_hours(chengkou_volunteer, dt.date(2018, 6, 1), "6")  # later records do not change it
    certificate.refresh_from_db()
    assert certificate.total_hours == Decimal("7.5")
    second = services.certificate_issue(
        actor=world["chengkou"],
        volunteer=chengkou_volunteer,
        period_start=dt.date(2018, 1, 1),
        period_end=dt.date(2018, 7, 1),
        issuer="城口县民政局",
    )
    assert second.number == "2018-500229-0002"


def test_it_refuses_a_certificate_without_hours_or_with_a_bad_period(world, chengkou_volunteer):
    def issue(**dates):
        return services.certificate_issue(
            actor=world["chengkou"], volunteer=chengkou_volunteer, issuer="城口县民政局", **dates
        )

    with pytest.raises(ValidationError) as error:
        issue(period_start=dt.date(2018, 1, 1), period_end=dt.date(2018, 6, 30))
    assert _messages(error, "period_start") == [
        "该期间没有志愿服务记录，不能出具证明。请先记录服务时长，或调整服务期间。"
    ]
    with pytest.raises(ValidationError) as error:
        issue(period_start=dt.date(2018, 6, 30), period_end=dt.date(2018, 1, 1))
    assert _messages(error, "period_end") == ["服务期间的结束日期不能早于开始日期。"]
    with pytest.raises(ValidationError) as error:
        issue(
            period_start=dt.date(2018, 1, 1), period_end=dt.date(2018, 7, 10), issued_on=dt.date(2018, 7, 9)
        )
    assert _messages(error, "period_end") == ["服务期间的结束日期不能晚于出具日期。"]
    assert not VolunteerCertificate.objects.exists()


def test_issuing_needs_unmask(world, chengkou_volunteer):
    add_hours(chengkou_volunteer, dt.date(2018, 3, 8), "2.5")
    with pytest.raises(PermissionDenied):
        services.certificate_issue(
            actor=world["worker"],
            volunteer=chengkou_volunteer,
            period_start=dt.date(2018, 1, 1),
            period_end=dt.date(2018, 6, 30),
            issuer="鸡鸣乡社会工作站",
        )
