"""Schemathesis against the API's own schema, in process (WSGI): every operation, as 城口's officer.

No generated request (NUL bytes, numbers past 64 bits, odd Unicode, wrong types) may get a 5xx, and
every answer must match the schema (status code, content type, body).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
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
from sanqu.projects.models import ProgrammeYear, ReceivingCounty
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
def token(world) -> str:
    return token_create(actor=world["chengkou"], name="schemathesis", origin=ApiToken.Origin.SESSION).key


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_every_operation_answers_within_the_schema(case, records, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
