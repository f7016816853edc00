"""People: the scoped list with search, one person's record, and the audited unmasked view."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from sanqu.accounts.roles import UNMASK
from sanqu.accounts.scoping import scope_of
from sanqu.lib import clock
from sanqu.workforce.selectors import get_person_for_user, people_for, reveal_person, search_people
from sanqu.workforce.story import story_of

PAGE_SIZE = 25


@login_required
@require_GET
def people_list(request: HttpRequest) -> HttpResponse:
    if scope_of(request.user).is_empty:
        raise PermissionDenied  # a role with no registry to read (the publicity staff)
    query = request.GET.get("q", "").strip()[:100]
    people = search_people(people_for(request.user), query=query)  # type: ignore[arg-type]
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": query,
        "query": urlencode({"q": query}) if query else "",
        "nav_section": "people",
    }
    # An htmx search refreshes only the results; a history restore needs the whole page.
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    template = "workforce/people_list.html#results" if partial else "workforce/people_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk)  # type: ignore[arg-type]
    return _render_person(request, person=person, unmasked=False)


@login_required
@require_POST
def person_unmask(request: HttpRequest, pk: int) -> HttpResponse:
    """Render the full ID number and phone for this response only (audited; never cached)."""
    person = reveal_person(user=request.user, pk=pk, request=request)  # type: ignore[arg-type]
    response = _render_person(request, person=person, unmasked=True)
    add_never_cache_headers(response)
    return response


def _render_person(request: HttpRequest, *, person: object, unmasked: bool) -> HttpResponse:
    return render(
        request,
        "workforce/person_detail.html",
        {
            "person": person,
            "story": story_of(request.user, person, today=clock.today()),  # type: ignore[arg-type]
            "unmasked": unmasked,
            "can_unmask": request.user.has_perm(UNMASK),
            "nav_section": "people",
            # The unmask URL is POST-only: switching language returns to the masked record.
            "language_next": reverse("person_detail", args=[person.pk]),  # type: ignore[attr-defined]
        },
    )
