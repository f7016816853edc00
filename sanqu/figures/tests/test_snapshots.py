"""Snapshots: taking one, reproducing it, and explaining what changed since (sanqu.figures.snapshots)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import Role
from sanqu.cases.models import Beneficiary, ServiceRecord, TargetGroup
from sanqu.figures.models import FigureSnapshot, SnapshotImmutable
from sanqu.figures.snapshots import (
    compare,
    get_snapshot_for_user,
    reproduce,
    snapshots_for,
    take_snapshot,
)
from sanqu.figures.tests.factories import D, Programme, build_programme, person
from sanqu.projects.models import ProgrammeYear
from sanqu.testing import make_user
from sanqu.workforce.models import Certificate, Dispatch, Person

pytestmark = pytest.mark.django_db


@dataclass
class People:
    programme: Programme
    city: User
    leader: User
    chengkou: User
    wanzhou: User


def build_people() -> People:
    made = build_programme()
    return People(
        made,
        make_user("city", (Role.CITY_ADMIN, made.chongqing, {})),
        make_user("leader", (Role.CITY_VIEWER, made.chongqing, {})),
        make_user("chengkou", (Role.COUNTY_OFFICER, made.chengkou, {})),
        make_user("wanzhou", (Role.COUNTY_OFFICER, made.wanzhou, {})),
    )


@pytest.fixture
def people(db: None) -> People:
    return build_people()


def municipal(people: People) -> FigureSnapshot:
    return take_snapshot(
        actor=people.city, scope=people.programme.chongqing, as_of=D, reason=FigureSnapshot.Reason.YEAR_END
    )


def test_it_reproduces_itself_when_nothing_changed(people: People) -> None:
    snapshot = municipal(people)
    assert snapshot.figures["dispatched_total"] == 4
    assert snapshot.figures["certified_total"] == 4
    assert snapshot.digests["dispatches"]["count"] == 4
    assert snapshot.digests["service_records"]["count"] == 6  # s5 is after D
    assert reproduce(snapshot)
    comparison = compare(snapshot)
    assert comparison.reproduced
    assert comparison.changed == []
    assert comparison.tables == []
    assert comparison.unchanged > 30


def test_it_is_audited(people: People) -> None:
    snapshot = municipal(people)
    entry = AuditEntry.objects.get(object_type="figures.figuresnapshot", object_id=str(snapshot.pk))
    assert entry.actor == people.city
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.detail["scope"] == "500000"
    assert entry.detail["as_of"] == "2014-12-31"


def test_it_explains_late_records_deletions_and_corrections(people: People) -> None:
    snapshot = municipal(people)
    made = people.programme
    # A dispatch entered today but dated before D (补录).
    late = Dispatch.objects.create(
        person=Person.objects.get(name="李二"),
        programme_year=ProgrammeYear.objects.get(year=2014),
        sending_organisation=Dispatch.objects.first().sending_organisation,  # type: ignore[union-attr]
        county=made.chengkou,
        started_on=dt.date(2014, 9, 1),
        planned_end_on=dt.date(2015, 8, 31),
        status=Dispatch.Status.SERVING,
    )
    # A dispatch dated after D: the as-of figures do not move, and it is no cause.
    after = Dispatch.objects.create(
        person=person("孔十五", made.jiangbei),
        programme_year=ProgrammeYear.objects.get(year=2014),
        sending_organisation=late.sending_organisation,
        county=made.chengkou,
        started_on=dt.date(2015, 3, 1),
        planned_end_on=dt.date(2016, 2, 28),
        status=Dispatch.Status.SERVING,
    )
    certificate = Certificate.objects.get(person__name="卫十三")
    certificate_id = certificate.pk
    certificate.delete()
    child = Beneficiary.objects.get(name="田小雨")
    child.target_groups.remove(TargetGroup.objects.get(code="left_behind_children"))
    service = ServiceRecord.objects.get(served_on=dt.date(2014, 4, 10))
    ServiceRecord.objects.filter(pk=service.pk).update(served_on=dt.date(2014, 4, 20))

    assert not reproduce(snapshot)
    comparison = compare(snapshot)
    moved = {(change.key, change.path): (change.old, change.new) for change in comparison.changed}
    assert moved[("dispatched_total", ())] == (4, 5)
    assert moved[("certified_total", ())] == (4, 3)
    assert moved[("beneficiaries_by_group", ("left_behind_children",))] == (1, 0)
    assert ("services_by_type", ("growth_support",)) not in moved  # the date moved within the period

    dispatches = comparison.table("dispatches")
    assert dispatches is not None
    assert [(c.id, c.late, c.day) for c in dispatches.added] == [(late.pk, True, dt.date(2014, 9, 1))]
    assert dispatches.added[0].url == f"/dispatches/{late.pk}/"
    assert after.pk not in {change.id for change in dispatches.added + dispatches.corrected}
    assert dispatches.deleted == [] and dispatches.corrected == []

    certificates = comparison.table("certificates")
    assert certificates is not None
    assert [change.id for change in certificates.deleted] == [certificate_id]
    assert certificates.added == [] and certificates.corrected == []

    beneficiaries = comparison.table("beneficiaries")
    assert beneficiaries is not None
    assert [(c.id, c.url) for c in beneficiaries.corrected] == [
        (child.pk, f"/cases/beneficiaries/{child.pk}/")
    ]

    services = comparison.table("service_records")
    assert services is not None
    assert [change.id for change in services.corrected] == [service.pk]

    keys = {table.source.key for table in comparison.tables}
    assert keys == {"dispatches", "certificates", "beneficiaries", "service_records"}
    certified = next(change for change in comparison.changed if change.key == "certified_total")
    assert [table.source.key for table in comparison.causes(certified)] == ["certificates"]


def test_a_record_moved_out_of_the_date_is_a_correction(people: People) -> None:
    snapshot = municipal(people)
    service = ServiceRecord.objects.get(served_on=dt.date(2014, 8, 1))  # 江北, policy publicity
    ServiceRecord.objects.filter(pk=service.pk).update(served_on=dt.date(2015, 8, 1))
    services = compare(snapshot).table("service_records")
    assert services is not None
    assert [(c.id, c.note) for c in services.corrected] == [(service.pk, "改后不再计入")]
    assert services.deleted == []


def test_a_county_officer_snapshots_her_county_only(people: People) -> None:
    made = people.programme
    with pytest.raises(PermissionDenied):
        take_snapshot(actor=people.chengkou, scope=made.chongqing, as_of=D, reason="manual")
    with pytest.raises(PermissionDenied):
        take_snapshot(actor=people.leader, scope=made.chengkou, as_of=D, reason="manual")
    mine = take_snapshot(actor=people.chengkou, scope=made.chengkou, as_of=D, reason="manual")
    theirs = municipal(people)
    assert list(snapshots_for(people.chengkou)) == [mine]
    assert set(snapshots_for(people.leader)) == {mine, theirs}
    with pytest.raises(Http404):
        get_snapshot_for_user(people.chengkou, theirs.pk)
    with pytest.raises(Http404):
        get_snapshot_for_user(people.wanzhou, mine.pk)
    assert get_snapshot_for_user(people.leader, mine.pk) == mine


def test_it_refuses_a_future_date_and_an_unknown_reason(people: People) -> None:
    with pytest.raises(ValidationError) as error:
        take_snapshot(
            actor=people.city, scope=people.programme.chongqing, as_of=dt.date(2999, 1, 1), reason="whim"
        )
    assert set(error.value.message_dict) == {"as_of", "reason"}
    assert "统计日期不能晚于今天" in error.value.message_dict["as_of"][0]
    assert not FigureSnapshot.objects.exists()


def test_it_cannot_be_altered_or_deleted(people: People) -> None:
    snapshot = municipal(people)
    snapshot.figures = {"dispatched_total": 999}
    with pytest.raises(SnapshotImmutable):
        snapshot.save()
    with pytest.raises(SnapshotImmutable):
        snapshot.delete()
    stored = FigureSnapshot.objects.get(pk=snapshot.pk)
    assert stored.figures["dispatched_total"] == 4
