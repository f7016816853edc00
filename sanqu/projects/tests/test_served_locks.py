"""A project changed while a service of one of its people is being saved counts that person once.

A project's change refills its rows whole (every person it served) while a service's save refills
its person's rows: on PostgreSQL the two ran side by side, and the project's refill could add the
row the save had just written a second time to the day counts.
"""

from __future__ import annotations

import datetime as dt
import importlib
import threading

import pytest
from django.apps import apps as django_apps
from django.db import connection, transaction

from sanqu.lib.tests.concurrent import backend_pid, in_thread, until, waits_on_a_lock
from sanqu.projects import served
from sanqu.projects.models import Project
from sanqu.projects.tests.factories import make_project
from sanqu.projects.tests.test_progress import _case, _service
from sanqu.testing import World, build_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]


@pytest.fixture
def world(transactional_db: None) -> World:
    # A transactional test's database may have been flushed by the one before: seed the lists again.
    importlib.import_module("sanqu.cases.migrations.0002_seed_lists").seed(django_apps, None)
    return build_world()


def test_a_project_changed_while_a_service_is_saved_counts_the_person_once(world: World) -> None:
    project = make_project(world)  # 2017, 阳光 in 城口
    case = _case(world, dt.date(2017, 3, 1))
    _service(world, case, dt.date(2017, 5, 2))
    end = dt.date(2017, 12, 31)
    assert served.people_served([project.pk], end) == {project.pk: 1}
    failures: list[BaseException] = []
    saved, release = threading.Event(), threading.Event()
    changer: list[int] = []

    def the_save() -> None:  # the worker records an earlier service of the person, not yet committed
        with transaction.atomic():
            _service(world, case, dt.date(2017, 3, 6))
            saved.set()
            release.wait(30)

    def the_change() -> None:  # the county section moves the project's end meanwhile
        changer.append(backend_pid())
        with transaction.atomic():
            changed = Project.objects.get(pk=project.pk)
            changed.ends_on -= dt.timedelta(days=1)
            changed.save()

    saving = in_thread(the_save, failures)
    assert saved.wait(10)
    changing = in_thread(the_change, failures)
    assert until(lambda: bool(changer) and waits_on_a_lock(changer[0]))  # it waits for the save
    release.set()
    for thread in (saving, changing):
        thread.join(30)

    assert failures == [] and not changing.is_alive()
    assert served.differences() == []
    assert served.people_served([project.pk], end) == {project.pk: 1}
