"""A ledger import and a worker's save that count on the same month both go through.

On PostgreSQL a ledger's tallies are added in one statement that locks rollup rows one after the
other, while each save locks its day's row and then its month's. Were the import to lock a month
before a later day of it, a save of that day could wait on the month while the import waits on the
day: a deadlock, and one of the two refused. Its rows are taken in the key's order (a county and
type's days, then its months), which never crosses the save's order.
"""

from __future__ import annotations

import datetime as dt
import importlib
import threading
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import connection, transaction

from sanqu.cases import rollups
from sanqu.cases.models import ServiceRecord, ServiceRollup, ServiceType
from sanqu.figures.tests.factories import county, person
from sanqu.lib.tests.concurrent import backend_pid, in_thread, until, waits_on_a_lock
from sanqu.regions.models import Region

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]

FIRST, SECOND, THIRD = dt.date(2016, 5, 3), dt.date(2016, 5, 10), dt.date(2016, 5, 20)


def _service(where: Region, worker: object, kind: ServiceType, day: dt.date) -> ServiceRecord:
    return ServiceRecord(
        served_on=day,
        worker=worker,
        method=ServiceRecord.Method.CASE,
        county=where,
        service_type=kind,
        duration_hours=Decimal("1.5"),
    )


def test_an_import_and_a_save_in_the_same_month_both_commit() -> None:
    # A transactional test's database may have been flushed by the one before: seed the lists again.
    importlib.import_module("sanqu.cases.migrations.0002_seed_lists").seed(django_apps, None)
    chongqing = Region.objects.create(code="500000", name="重庆市", level=Region.Level.PROVINCE)
    chengkou = county("500229", "城口县", chongqing)
    worker = person("武十六", chengkou)
    kind = ServiceType.objects.get(code="growth_support")
    _service(chengkou, worker, kind, SECOND).save()  # the second day's row is on file
    second_day = ServiceRollup.objects.filter(
        county=chengkou, service_type=kind, span=ServiceRollup.Span.DAY, served_on=SECOND
    )
    failures: list[BaseException] = []
    holding, release = threading.Event(), threading.Event()
    importer: list[int] = []

    def someone_holds_the_second_day() -> None:
        with transaction.atomic():
            second_day.select_for_update().get()
            holding.set()
            release.wait(30)

    def the_import() -> None:  # a ledger's three services: the tallies as `ServiceRows.write` adds them
        importer.append(backend_pid())
        with transaction.atomic():
            days = (FIRST, SECOND, THIRD)
            ServiceRecord.objects.bulk_create(_service(chengkou, worker, kind, day) for day in days)
            rollups.count_created((chengkou.pk, kind.pk, day, Decimal("1.5")) for day in days)

    def the_save() -> None:  # a worker's service on the third day, saved meanwhile
        with transaction.atomic():
            _service(chengkou, worker, kind, THIRD).save()

    holder = in_thread(someone_holds_the_second_day, failures)
    assert holding.wait(10)
    importing = in_thread(the_import, failures)
    assert until(lambda: bool(importer) and waits_on_a_lock(importer[0]))  # held up at the second day
    saving = in_thread(the_save, failures)
    saving.join(5)
    release.set()
    for thread in (holder, importing, saving):
        thread.join(30)

    assert failures == []
    assert not saving.is_alive() and not importing.is_alive()
    assert rollups.differences() == []
    month = ServiceRollup.objects.get(
        county=chengkou, service_type=kind, span=ServiceRollup.Span.MONTH, served_on=dt.date(2016, 5, 1)
    )
    assert (month.records, month.hour_tenths) == (5, 75)
