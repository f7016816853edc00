from __future__ import annotations

import pytest
from django.test import Client

from sanqu.testing import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def as_user(world: World):
    """`as_user("chengkou")` gives a test client logged in as that persona."""

    def login(username: str) -> Client:
        client = Client()
        client.force_login(world[username])
        return client

    return login
