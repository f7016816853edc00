from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from sanqu.testing import World, build_world

# Property tests judge correctness, not speed: a busy 2-core machine must not fail them on time.
hypothesis_settings.register_profile("sanqu", deadline=None)
hypothesis_settings.load_profile("sanqu")


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
