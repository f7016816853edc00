"""Scoped reads of bulletins, the distribution list and the news a bulletin may carry.

A bulletin belongs to the region of its figures panel. It is seen by the holders of the bulletin
roles (city office and leadership, editors, reviewers) whose membership covers that region, and
written by those of them who write (not the leadership). The public sees issued bulletins only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sanqu.accounts.models import User
from sanqu.accounts.roles import Role
from sanqu.accounts.scoping import get_or_404, scope_of
from sanqu.bulletins.models import Bulletin, BulletinDelivery, Recipient
from sanqu.publicity.models import ArticlePage, live_articles
from sanqu.regions.models import Region

READ_ROLES = (Role.CITY_ADMIN, Role.CITY_VIEWER, Role.EDITOR, Role.REVIEWER)
WRITE_ROLES = (Role.CITY_ADMIN, Role.EDITOR, Role.REVIEWER)


def _paths(user: User, roles: tuple[str, ...]) -> tuple[str, ...] | None:
    """The region subtrees the user holds one of the roles in (None: everything, a superuser)."""
    scope = scope_of(user)
    if scope.superuser:
        return None
    return tuple(path for role in roles for path in scope.paths_by_role.get(role, ()))


def _in_paths(paths: tuple[str, ...] | None, lookup: str) -> Q:
    if paths is None:
        return Q()
    field = f"{lookup}__path__startswith" if lookup else "path__startswith"
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{field: path})
    return query


def bulletins_for(user: User) -> QuerySet[Bulletin]:
    return (
        Bulletin.objects.select_related("scope", "created_by", "issued_by")
        .filter(_in_paths(_paths(user, READ_ROLES), "scope"))
        .order_by("status", "-year", "-number", "-created_at", "-id")
    )


def writable_bulletins(user: User) -> QuerySet[Bulletin]:
    return Bulletin.objects.filter(_in_paths(_paths(user, WRITE_ROLES), "scope"))


def get_bulletin_for_user(user: User, pk: Any) -> Bulletin:
    return get_or_404(bulletins_for(user), pk=pk)


def scopes_for(user: User) -> QuerySet[Region]:
    """The regions a bulletin's figures may cover: the municipality and counties the user writes in."""
    regions = Region.objects.filter(level__lte=Region.Level.COUNTY).order_by("code")
    return regions.filter(_in_paths(_paths(user, WRITE_ROLES), ""))


def news_for_bulletins() -> QuerySet[ArticlePage]:
    """What a bulletin may carry: the live, public news items, newest first."""
    return live_articles()


def items_of(bulletin: Bulletin) -> QuerySet[Any]:
    return bulletin.items.select_related("article").order_by("position", "id")


def deliveries_of(bulletin: Bulletin) -> QuerySet[BulletinDelivery]:
    return bulletin.deliveries.select_related("sent_by").order_by("-sent_at", "department", "id")


def recipients() -> QuerySet[Recipient]:
    """The distribution list (one for the office: it is not scoped by region)."""
    return Recipient.objects.order_by("-active", "position", "id")


def active_recipients() -> QuerySet[Recipient]:
    return Recipient.objects.filter(active=True).order_by("position", "id")


def issued_bulletins() -> QuerySet[Bulletin]:
    """The public archive: issued bulletins only, newest first."""
    return Bulletin.objects.filter(status=Bulletin.Status.ISSUED).order_by("-year", "-number")


def get_issued_bulletin(pk: Any) -> Bulletin:
    return get_or_404(issued_bulletins(), pk=pk)
