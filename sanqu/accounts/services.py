"""Writes with rules, shared by every registry: permission, scope, validation, audit, one transaction.

`audited_save` and `audited_delete` are the one place where a registry record is written. Each
app's services say *which* permission and *which* writable queryset apply (the scope), and add
their own rules (ID numbers, credit codes); the admin, imports and the API call those services.

The scope rule is simple and checked in the database: a record the actor writes must be in the
actor's writable queryset before the change (for an update or delete) and after it (so nobody
moves a record out of their own reach, or creates one outside it). A failure raises
PermissionDenied and the transaction leaves the database as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sanqu.accounts import audit, versions
from sanqu.accounts.models import AuditEntry, Membership, User
from sanqu.accounts.roles import Role


def require_perm(actor: User, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The stored values of the concrete fields (to name the fields a change touched)."""
    return {field.name: field.value_from_object(instance) for field in instance._meta.concrete_fields}


def apply[M: models.Model](instance: M, data: Mapping[str, Any], *, editable: Iterable[str]) -> M:
    """Set the named fields from `data`; a field outside `editable` is a programming error."""
    allowed = set(editable)
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    for name, value in data.items():
        setattr(instance, name, value)
    return instance


def _check_in_scope(instance: models.Model, writable: models.QuerySet[Any]) -> None:
    if not writable.filter(pk=instance.pk).exists():
        raise PermissionDenied


@transaction.atomic
def audited_save[M: models.Model](
    *,
    actor: User,
    instance: M,
    perm: str,
    writable: models.QuerySet[M],
    before: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    validate_unique: bool = True,
) -> M:
    """Create (no pk yet) or update `instance` for `actor`.

    `before` is the snapshot taken when the record was read (for an update); the audit entry
    names the fields that changed, never their values.
    """
    require_perm(actor, perm)
    creating = instance._state.adding
    if not creating:
        _check_in_scope(instance, writable)
        versions.check(instance)  # nobody else saved it since the page was opened
        before = (
            before if before is not None else snapshot(type(instance)._default_manager.get(pk=instance.pk))
        )
    instance.full_clean(validate_unique=validate_unique)
    instance.save()
    _check_in_scope(instance, writable)
    after = snapshot(instance)
    if creating:
        fields = sorted(name for name, value in after.items() if value not in (None, "") and name != "id")
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            obj=instance,
            detail={"changed": fields},
            request=request,
        )
    else:
        fields = audit.changed_fields(before or {}, after)
        if fields:
            audit.record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                obj=instance,
                detail={"changed": fields},
                request=request,
            )
    return instance


@transaction.atomic
def audited_delete(
    *,
    actor: User,
    instance: models.Model,
    perm: str,
    writable: models.QuerySet[Any],
    request: HttpRequest | None = None,
) -> None:
    require_perm(actor, perm)
    _check_in_scope(instance, writable)
    entry = audit.record(actor=actor, action=AuditEntry.Action.DELETE, obj=instance, request=request)
    try:
        instance.delete()
    except models.ProtectedError:
        raise ValidationError(
            _("%(object)s 仍被其他记录引用，不能删除。") % {"object": entry.object_repr}, code="protected"
        ) from None


# Users and their memberships (city_admin only).


def _memberships(actor: User) -> models.QuerySet[Membership]:
    from sanqu.accounts.scoping import scope_of

    return scope_of(actor).filter(Membership.objects.all(), region="region")


def _check_membership(membership: Membership) -> None:
    if membership.role == Role.ORG_MANAGER and membership.organisation_id is None:
        raise ValidationError({"organisation": _("机构负责人须指定机构。")})
    if membership.role in {Role.SOCIAL_WORKER, Role.SUPERVISOR} and membership.person_id is None:
        raise ValidationError({"person": _("社工与督导须关联本人的人员记录。")})


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    display_name: str,
    password: str,
    email: str = "",
    request: HttpRequest | None = None,
) -> User:
    """A new account; it can do nothing until it is given a membership."""
    require_perm(actor, "accounts.add_membership")
    user = User(username=username, display_name=display_name, email=email)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=user,
        detail={"changed": ["display_name", "password", "username"]},
        request=request,
    )
    return user


def membership_create(
    *,
    actor: User,
    user: User,
    role: str,
    region: Any,
    organisation: Any = None,
    person: Any = None,
    request: HttpRequest | None = None,
) -> Membership:
    membership = Membership(user=user, role=role, region=region, organisation=organisation, person=person)
    _check_membership(membership)
    return audited_save(
        actor=actor,
        instance=membership,
        perm="accounts.add_membership",
        writable=_memberships(actor),
        request=request,
    )


def membership_update(
    *, actor: User, membership: Membership, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Membership:
    before = snapshot(membership)
    apply(membership, data, editable=("role", "region", "organisation", "person"))
    _check_membership(membership)
    return audited_save(
        actor=actor,
        instance=membership,
        perm="accounts.change_membership",
        writable=_memberships(actor),
        before=before,
        request=request,
    )


def membership_delete(*, actor: User, membership: Membership, request: HttpRequest | None = None) -> None:
    audited_delete(
        actor=actor,
        instance=membership,
        perm="accounts.delete_membership",
        writable=_memberships(actor),
        request=request,
    )
