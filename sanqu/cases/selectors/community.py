"""Who sees which community activity: the same circles as groups (see `selectors.groups`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet, Sum

from sanqu.accounts.models import User
from sanqu.accounts.scoping import get_or_404, scope_of
from sanqu.cases.models import CommunityActivity, CommunityAttendance
from sanqu.cases.selectors.groups import work_q


def activities_for(user: User) -> QuerySet[CommunityActivity]:
    activities = CommunityActivity.objects.select_related("county", "region", "station", "worker")
    scope = scope_of(user)
    if scope.superuser:
        return activities
    return activities.filter(pk__in=CommunityActivity.objects.filter(work_q(scope)).values("pk"))


def writable_activities(user: User) -> QuerySet[CommunityActivity]:
    scope = scope_of(user)
    if scope.superuser:
        return CommunityActivity.objects.all()
    return CommunityActivity.objects.filter(
        pk__in=CommunityActivity.objects.filter(work_q(scope, write=True)).values("pk")
    )


def activity_list(user: User) -> QuerySet[CommunityActivity]:
    return activities_for(user).annotate(headcount=Sum("attendance__headcount")).order_by("-held_on", "id")


def get_activity_for_user(user: User, pk: Any) -> CommunityActivity:
    attendance = CommunityAttendance.objects.select_related("target_group").order_by(
        "target_group__sort_order", "target_group__id"
    )
    return get_or_404(
        activities_for(user).prefetch_related(Prefetch("attendance", queryset=attendance)), pk=pk
    )
