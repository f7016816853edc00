from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from sanqu.accounts.roles import ROLE_PERMISSIONS
from sanqu.accounts.scoping import memberships_of


class RoleBackend(ModelBackend):
    """Password login, with permissions granted by the roles of the user's memberships only.

    Django's own grants (a user's or a group's model permissions) are not read: nothing in Sanqu
    gives them, and Wagtail's user and group screens, where they could be given, are closed to
    every role. The role groups carry Wagtail's page and image-collection rights, which Wagtail
    keeps in its own tables and checks itself. Reading the two empty grant tables cost two queries
    on every page.
    """

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_sanqu_role_perms"):
            perms: set[str] = set()
            for membership in memberships_of(user_obj):
                perms |= ROLE_PERMISSIONS.get(membership.role, set())
            user_obj._sanqu_role_perms = perms
        return user_obj._sanqu_role_perms
