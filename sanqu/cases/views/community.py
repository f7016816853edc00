"""Community activity pages: the scoped list, one activity, and the form to record one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sanqu.accounts.models import User
from sanqu.accounts.services import require_perm
from sanqu.cases.forms.community import CommunityActivityForm
from sanqu.cases.forms.groups import add_service_errors
from sanqu.cases.selectors.community import activity_list, get_activity_for_user
from sanqu.cases.services.community import community_activity_record
from sanqu.cases.views.groups import SECTION, place_choices
from sanqu.lib import clock

PAGE_SIZE = 25


@login_required
@require_GET
def community_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    require_perm(user, "cases.view_communityactivity")
    page = Paginator(activity_list(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/community/list.html",
        {
            "page": page,
            "can_add": user.has_perm("cases.add_communityactivity"),
            "nav_section": SECTION,
            "tab": "community",
        },
    )


@login_required
@require_GET
def community_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk)  # type: ignore[arg-type]
    attendance = list(activity.attendance.all())
    return render(
        request,
        "cases/community/detail.html",
        {
            "activity": activity,
            "attendance": attendance,
            "total": sum(row.headcount for row in attendance),
            "nav_section": SECTION,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def community_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    require_perm(user, "cases.add_communityactivity")
    choices = place_choices(user)
    if request.method == "POST":
        form = CommunityActivityForm(request.POST, **choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                activity = community_activity_record(
                    actor=user,
                    name=data["name"],
                    kind=data["kind"],
                    held_on=data["held_on"],
                    region=data["region"],
                    station=data["station"],
                    worker=data.get("worker"),
                    place=data["place"],
                    duration_hours=data["duration_hours"],
                    notes=data["notes"],
                    headcounts=form.headcounts(),
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已记录社区活动“%(name)s”。") % {"name": activity.name})
                return redirect("community_detail", pk=activity.pk)
    else:
        form = CommunityActivityForm(initial={"held_on": clock.today(), "duration_hours": 2}, **choices)
    return render(request, "cases/community/form.html", {"form": form, "nav_section": SECTION})
