from __future__ import annotations

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from sanqu.api.models import ApiToken
from sanqu.api.tokens import token_create
from sanqu.testing import World


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    caches["throttle"].clear()


@pytest.fixture
def api(world: World):
    """`api("chengkou")`: a client carrying a token that persona made from a signed-in session."""

    def client_for(username: str) -> APIClient:
        issued = token_create(actor=world[username], name="测试", origin=ApiToken.Origin.SESSION)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
        return client

    return client_for


@pytest.fixture
def casework(world: World, settings):
    """Beneficiaries, cases, services and groups in 城口 and 万州, on the case-work tests' day."""
    from sanqu.api.tests.casework import TODAY, build_casework

    settings.SANQU_TODAY = TODAY
    return build_casework(world)
