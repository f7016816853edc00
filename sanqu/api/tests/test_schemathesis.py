"""Schemathesis against the API's own schema, in process (WSGI): every operation.

No generated request (NUL bytes, numbers past 64 bits, odd Unicode, wrong types) may get a 5xx, and
every answer must match the schema (status code, content type, body). The registries run as 城口's
officer, the case work and programme resources as 城口's social worker over case work in two counties.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sanqu.api.models import ApiToken
from sanqu.api.tokens import token_create
from sanqu.projects.models import PeriodicReport, ProgrammeYear, ReceivingCounty
from sanqu.projects.tests.factories import make_project, make_template
from sanqu.workforce.models import Dispatch

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _schema_document() -> dict:
    """The schema the API serves, made in process (the same generator as /api/v1/schema/)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


# Schemathesis' lazy fixture loader does not run on pytest 9: the schema is built at import instead
# (it needs no database), and the records the operations read are made by a fixture.
schema = schemathesis.openapi.from_dict(_schema_document())
schema.app = get_wsgi_application()


# The case work and programme resources are fuzzed as 城口's social worker over case work in two
# counties (her writes reach the services); the registries as 城口's officer over lighter records.
CASEWORK = r"^/api/v1/(beneficiaries|cases|service-records|groups|projects|reports)/"
SETTINGS = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@pytest.fixture(autouse=True)
def _one_connection():
    """The WSGI app sends request_started/finished, whose handler closes the database connection after
    each request (a connection per request); the test's transaction must outlive the request, as with
    Django's test client, which disconnects the handler the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def records(world, settings):
    settings.SANQU_API_RATE = "1000000/min"  # the fuzzer is one client asking fast
    year = ProgrammeYear.objects.create(
        year=2018, starts_on=dt.date(2018, 1, 1), ends_on=dt.date(2018, 12, 31)
    )
    ReceivingCounty.objects.create(programme_year=year, county=world.chengkou)
    Dispatch.objects.create(
        person=world.worker_person,
        programme_year=year,
        sending_organisation=world.yangguang,
        county=world.chengkou,
        started_on=dt.date(2018, 3, 1),
        planned_end_on=dt.date(2019, 2, 28),
    )


@pytest.fixture
def casework_records(world, casework, settings):
    settings.SANQU_API_RATE = "1000000/min"
    project = make_project(world, year=2018)
    PeriodicReport.objects.create(
        project=project,
        template=make_template(project.programme_year),
        period_start=dt.date(2018, 5, 1),
        period_end=dt.date(2018, 5, 31),
        due_on=dt.date(2018, 6, 10),
    )


def _token(user) -> str:
    return token_create(actor=user, name="schemathesis", origin=ApiToken.Origin.SESSION).key


@schema.exclude(path_regex=CASEWORK).parametrize()
@SETTINGS
def test_every_operation_answers_within_the_schema(case, records, world):
    case.call_and_validate(headers={"Authorization": f"Token {_token(world['chengkou'])}"}, checks=CHECKS)


@schema.include(path_regex=CASEWORK).parametrize()
@SETTINGS
def test_every_casework_operation_answers_within_the_schema(case, casework_records, world):
    case.call_and_validate(headers={"Authorization": f"Token {_token(world['worker'])}"}, checks=CHECKS)
