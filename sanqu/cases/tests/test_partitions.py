"""Service records partitioned by year on PostgreSQL: where rows land, what a year filter reads, the
double-submit token, and the migration both ways (SQLite keeps the plain table)."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from sanqu.cases import partitions
from sanqu.cases.models import Beneficiary, ServiceRecord, ServiceType
from sanqu.cases.services.service_records import service_record_create
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.regions.models import Region
from sanqu.testing import World

TODAY = dt.date(2018, 7, 10)
BEFORE = ("cases", "0004_service_import_permission")
PARTITIONED = ("cases", "0005_partition_service_records")

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")


@pytest.fixture(autouse=True)
def pinned(settings) -> None:
    settings.SANQU_TODAY = TODAY


@pytest.fixture
def grandmother(world: World) -> Beneficiary:
    village = Region.objects.create(
        code="500229212201", name="祝乐村", level=Region.Level.VILLAGE, parent=world.jiming
    )
    return make_beneficiary("张秀英", village, worker=world.worker_person)


def record(world: World, beneficiary: Beneficiary, served_on: dt.date, **extra: object) -> ServiceRecord:
    return service_record_create(
        actor=world["worker"],
        served_on=served_on,
        service_type=ServiceType.objects.get(code="emotional_comfort"),
        method=ServiceRecord.Method.CASE,
        duration_hours=Decimal("1.5"),
        beneficiary=beneficiary,
        **extra,  # type: ignore[arg-type]
    )


def partition_of(record: ServiceRecord) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM cases_servicerecord WHERE id = %s", [record.pk])
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


@postgres_only
@pytest.mark.django_db
def test_the_table_is_partitioned_by_year_with_a_default_partition() -> None:
    names = partitions.partitions()

    assert partitions.is_partitioned()
    assert names[0] == "cases_servicerecord_y2010"
    assert "cases_servicerecord_y2018" in names
    assert names[-1] == "cases_servicerecord_default"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'cases_servicerecord' AND indexdef LIKE %s"
            " ORDER BY indexname",
            ["CREATE UNIQUE INDEX%"],
        )
        keys = [definition.split(" USING ")[1] for (definition,) in cursor.fetchall()]
    assert keys == ["btree (client_token, served_on)", "btree (id, served_on)"]


@postgres_only
def test_a_record_lands_in_the_partition_of_its_year(world, grandmother) -> None:
    service = record(world, grandmother, dt.date(2017, 12, 31))

    assert partition_of(service) == "cases_servicerecord_y2017"
    assert ServiceRecord.objects.get(pk=service.pk) == service


@postgres_only
def test_a_year_without_partition_goes_to_default_until_its_partition_is_made(world, grandmother) -> None:
    old = record(world, grandmother, dt.date(2005, 3, 1))
    assert partition_of(old) == "cases_servicerecord_default"

    assert partitions.ensure_partitions(first=2005, through=2005) == [2005]

    assert partition_of(old) == "cases_servicerecord_y2005"
    assert ServiceRecord.objects.filter(served_on__year=2005).count() == 1
    assert partitions.ensure_partitions(first=2005, through=2005) == []


@postgres_only
@pytest.mark.django_db
def test_next_years_are_added_from_the_working_date(settings) -> None:
    settings.SANQU_TODAY = dt.date(2031, 2, 1)

    partitions.on_post_migrate(sender=None)
    added = partitions.ensure_partitions(through=2033)

    assert added == []  # the receiver made them
    assert {f"cases_servicerecord_y{year}" for year in range(2010, 2034)} <= set(partitions.partitions())
    assert partitions.partitions()[-2] == "cases_servicerecord_y2033"


@postgres_only
@pytest.mark.django_db
def test_a_year_filter_reads_only_that_years_partition() -> None:
    plan = ServiceRecord.objects.filter(
        served_on__gte=dt.date(2018, 1, 1), served_on__lte=dt.date(2018, 12, 31)
    ).explain()

    assert "cases_servicerecord_y2018" in plan
    assert "cases_servicerecord_y2017" not in plan
    assert "cases_servicerecord_default" not in plan


def test_a_double_submitted_token_records_once_even_across_years(world, grandmother) -> None:
    first = record(world, grandmother, dt.date(2017, 12, 31), client_token="tok-partition")
    again = record(world, grandmother, dt.date(2018, 1, 2), client_token="tok-partition")

    assert again.pk == first.pk
    assert ServiceRecord.objects.filter(client_token="tok-partition").count() == 1


def test_a_race_of_two_submits_records_once(world, grandmother, monkeypatch) -> None:
    """The other request inserts between this one's look-up and its insert: the key refuses the
    second row and the service answers with the first."""
    checked = ServiceRecord.full_clean

    def other_request_first(instance: ServiceRecord, *args: Any, **kwargs: Any) -> None:
        checked(instance, *args, **kwargs)
        fields = ServiceRecord._meta.concrete_fields
        twin = ServiceRecord(**{field.attname: getattr(instance, field.attname) for field in fields})
        ServiceRecord.objects.bulk_create([twin])

    monkeypatch.setattr(ServiceRecord, "full_clean", other_request_first)
    mine = record(world, grandmother, TODAY, client_token="tok-twice")

    assert ServiceRecord.objects.filter(client_token="tok-twice").count() == 1
    assert mine.pk == ServiceRecord.objects.get(client_token="tok-twice").pk


def test_the_database_refuses_the_same_token_on_the_same_day(world, grandmother) -> None:
    first = record(world, grandmother, TODAY, client_token="tok-race")
    first.pk = None

    with pytest.raises(IntegrityError), transaction.atomic():
        first.save()


@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_back_to_the_plain_table_and_forward_again_with_the_rows(
    world, grandmother
) -> None:
    # A transactional test's database may have been flushed by the one before: seed the lists again.
    importlib.import_module("sanqu.cases.migrations.0002_seed_lists").seed(django_apps, None)
    kept = record(world, grandmother, dt.date(2016, 5, 4), client_token="tok-kept")
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()

    try:
        executor.migrate([BEFORE])
        assert not partitions.is_partitioned()
        executor.loader.build_graph()
        executor.migrate([PARTITIONED])

        assert partitions.is_partitioned() == (connection.vendor == "postgresql")
        back = ServiceRecord.objects.get(pk=kept.pk)
        assert (back.served_on, back.client_token) == (dt.date(2016, 5, 4), "tok-kept")
        # At this migration the projects' tally of people served (a later one) has no table yet.
        with mock.patch("sanqu.projects.served.refresh"):
            later = record(world, grandmother, TODAY)
        assert later.pk > kept.pk
    finally:
        # Going back unapplied every later migration too (the rollup tables among them): the tests
        # after this one in the same process need the whole schema.
        executor.loader.build_graph()
        executor.migrate(latest)
