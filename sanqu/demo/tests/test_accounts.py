"""The demo password: from the environment (checked), kept when generated, strong when made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management.base import CommandError

from sanqu.accounts.models import User
from sanqu.demo.accounts import demo_password, generate_password
from sanqu.demo.loading import database_is_empty


def test_it_generates_passwords_that_pass_the_validators() -> None:
    passwords = {generate_password() for _ in range(20)}
    assert len(passwords) == 20
    for password in passwords:
        validate_password(password)


def test_it_takes_the_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANQU_DEMO_PASSWORD", "Chengkou-2018-demo")
    assert demo_password() == ("Chengkou-2018-demo", False)


def test_it_refuses_a_weak_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANQU_DEMO_PASSWORD", "password")
    with pytest.raises(CommandError, match="SANQU_DEMO_PASSWORD"):
        demo_password()


def test_it_keeps_a_generated_password_for_next_time(
    monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path
) -> None:
    monkeypatch.delenv("SANQU_DEMO_PASSWORD", raising=False)
    settings.VAR_DIR = tmp_path
    password, generated = demo_password()
    assert generated
    assert (tmp_path / "demo-password").stat().st_mode & 0o077 == 0
    assert demo_password() == (password, False)


def test_it_sees_an_empty_database_with_only_users(db: None) -> None:
    User.objects.create(username="someone")
    assert database_is_empty()
