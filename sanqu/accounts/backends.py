from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from sanqu.accounts.roles import ROLE_PERMISSIONS


class RoleBackend(ModelBackend):
    """Password login, with permissions granted by the roles of the user's memberships."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_sanqu_role_perms"):
            perms: set[str] = set()
            for role in user_obj.memberships.values_list("role", flat=True):
                perms |= ROLE_PERMISSIONS.get(role, set())
            user_obj._sanqu_role_perms = perms
        return user_obj._sanqu_role_perms | super().get_all_permissions(user_obj, obj)
