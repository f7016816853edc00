"""The demo accounts: one user per role (the personas of `sanqu.testing`), one shared password."""

from __future__ import annotations

import os
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from sanqu.accounts.models import Membership, User
from sanqu.accounts.roles import Role
from sanqu.demo import plan
from sanqu.demo.builder import Programme
from sanqu.demo.workforce import Workforce

PASSWORD_ENV = "SANQU_DEMO_PASSWORD"  # noqa: S105 (the name of the variable, not a password)


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str
    region: str  # region code (the worker's is her township)


ACCOUNTS = [
    Account("city", "周建华", Role.CITY_ADMIN, "500000"),
    Account("leader", "刘志刚", Role.CITY_VIEWER, "500000"),
    Account("chengkou", "向春燕", Role.COUNTY_OFFICER, plan.CHENGKOU),
    Account("wanzhou", "谭明辉", Role.COUNTY_OFFICER, plan.WANZHOU),
    Account("yangguang", "陈静", Role.ORG_MANAGER, plan.CHENGKOU),  # 扬光's home county
    Account("worker", "", Role.SOCIAL_WORKER, plan.JIMING),  # named after her Person record
    Account("mentor", "", Role.SUPERVISOR, plan.CHENGKOU),
    Account("editor", "黄小雨", Role.EDITOR, "500000"),
    Account("reviewer", "杨帆", Role.REVIEWER, "500000"),
]
USERNAMES = [account.username for account in ACCOUNTS]


def password_file() -> Path:
    """Where a generated password is kept (owner-only) so `sanqu serve` can show it again."""
    return Path(settings.VAR_DIR) / "demo-password"


def generate_password() -> str:
    """16 characters from letters and digits, in groups joined by '-': all four classes."""
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "lIO0o1")
    while True:
        groups = ["".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(3)]
        password = "-".join(groups)
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
        ):
            return password


def demo_password() -> tuple[str, bool]:
    """The password from SANQU_DEMO_PASSWORD, else the one generated before, else a new one.

    Returns the password and whether it was generated now. A password from the environment
    must pass the same validators as any other.
    """
    from_env = os.environ.get(PASSWORD_ENV, "")
    if from_env:
        try:
            validate_password(from_env)
        except ValidationError as error:
            raise CommandError(
                _("环境变量 %(name)s 中的密码不符合密码规则：%(reasons)s")
                % {"name": PASSWORD_ENV, "reasons": " ".join(error.messages)}
            ) from error
        return from_env, False
    path = password_file()
    if path.exists():
        stored = path.read_text().strip()
        if stored:
            return stored, False
    password = generate_password()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(password + "\n")
    return password, True


def build_accounts(*, programme: Programme, workforce: Workforce, password: str) -> list[Membership]:
    """Create (or, after a reset, refresh) the demo users and give each its one membership."""
    places = programme.places
    hashed = make_password(password)  # hashed once: the same password for every demo user
    people = {"worker": workforce.worker, "mentor": workforce.mentor}
    memberships: list[Membership] = []
    for account in ACCOUNTS:
        person = people.get(account.username)
        user, _created = User.objects.get_or_create(username=account.username)
        user.display_name = person.name if person is not None else account.display_name
        user.password = hashed
        user.password_changed_at = timezone.now()
        user.is_active = True
        user.save()
        user.memberships.all().delete()
        memberships.append(
            Membership.objects.create(
                user=user,
                role=account.role,
                region=places.by_code[account.region],
                organisation=programme.yangguang if account.role == Role.ORG_MANAGER else None,
                person=person,
            )
        )
    return memberships
