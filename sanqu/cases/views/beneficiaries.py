"""Beneficiaries: search, registration with the de-duplication steps, the record and its audited reveal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Concat
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanqu.accounts import audit, versions
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import ADD_SERVICE, UNMASK_BENEFICIARY
from sanqu.accounts.services import require_perm
from sanqu.cases.forms.beneficiaries import BeneficiaryEditForm, BeneficiaryRegisterForm
from sanqu.cases.models import Beneficiary
from sanqu.cases.models.beneficiaries import beneficiary_id_hash
from sanqu.cases.selectors.beneficiaries import (
    beneficiaries_for,
    beneficiaries_in_full_for,
    get_beneficiary_for_user,
    is_restricted,
)
from sanqu.cases.selectors.services import station_of, timeline_cases, timeline_records
from sanqu.cases.services.beneficiaries import (
    ADD,
    CHANGE,
    AlreadyRegistered,
    PossibleDuplicates,
    beneficiary_register,
    beneficiary_update,
    person_of,
)
from sanqu.lib import clock, idnumber

PAGE_SIZE = 25
TIMELINE_SIZE = 100  # the latest services on the page; the totals count them all
VIEW = "cases.view_beneficiary"

# A name search's matches in name order, through an expression no index provides. Names sharing
# a surname sit together in the name index, so walking that index for a first page reads every
# name sorting before them: PostgreSQL, assuming the matches spread evenly, chose that walk and
# took 3.3 s for "王" in one county of the province. Sorted by an expression, the matches are
# gathered through the scope's own indexes first and only they are sorted (16 ms).
MATCHES_BY_NAME = (Concat("name", Value("")), "id")


def search_beneficiaries(user: User, *, query: str) -> QuerySet[Beneficiary]:
    """The beneficiaries the user may see that the text finds: a full ID number its holder
    exactly (through the keyed hash), other text a part of the name."""
    text = (query or "").strip()
    if not text:
        return beneficiaries_for(user)
    number = idnumber.normalise(text)
    if idnumber.is_valid(number, today=clock.today()):
        return beneficiaries_for(user, matching=Q(id_hash=beneficiary_id_hash(number)))
    return beneficiaries_for(user, matching=name_q(text)).order_by(*MATCHES_BY_NAME)


def name_q(text: str) -> Q:
    """Names holding the text, in any case when it has letters that have one (Latin, pinyin). Chinese
    has none, so a Chinese text is matched as written: the database then need not upper-case every
    name it reads. At the province a city office's search page for 王 took 234 ms against 271, a
    county section's 14 against 18."""
    if text.upper() != text.lower():
        return Q(name__icontains=text)
    return Q(name__contains=text)


@login_required
@require_GET
def beneficiary_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    require_perm(user, VIEW)
    query = request.GET.get("q", "").strip()[:100]
    found = search_beneficiaries(user, query=query)
    page: Page[Any]
    if query:
        # The matches' ids, in order, are read once, then counted and cut into pages here, rather
        # than matched once to count them and again for the page. Ids are small: a city office's
        # "王" at the province is 13,000 of them.
        ids: Paginator[Any] = Paginator(list(found.values_list("pk", flat=True)), PAGE_SIZE)
        of_ids = ids.get_page(request.GET.get("page"))
        page = Page(_in_order(list(of_ids)), of_ids.number, ids)
    else:
        listed = found.select_related("region", "station").prefetch_related("target_groups")
        page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": query,
        "query": urlencode({"q": query}) if query else "",
        "can_register": user.has_perm(ADD),
        "can_record": user.has_perm(ADD_SERVICE),
        "nav_section": "beneficiaries",
    }
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    template = "cases/beneficiaries/list.html#results" if partial else "cases/beneficiaries/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _in_order(pks: Sequence[int]) -> list[Beneficiary]:
    """The beneficiaries of these ids (already scoped), in the ids' order, for a page of a list."""
    rows = Beneficiary.objects.filter(pk__in=pks).select_related("region", "station").order_by()
    by_pk = {row.pk: row for row in rows.prefetch_related("target_groups")}
    return [by_pk[pk] for pk in pks if pk in by_pk]


@login_required
@require_http_methods(["GET", "POST"])
def beneficiary_register_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    require_perm(user, ADD)
    today = clock.today()
    existing: Beneficiary | None = None
    existing_hidden = False
    matches: list[Beneficiary] = []
    hidden_matches = 0
    if request.method == "POST":
        form = BeneficiaryRegisterForm(request.POST, user=user)
        if form.is_valid():
            try:
                beneficiary = beneficiary_register(actor=user, request=request, **form.service_kwargs())
            except AlreadyRegistered as error:
                form.add_error("id_number", error.error_dict["id_number"])
                if beneficiaries_for(user).filter(pk=error.existing.pk).exists():
                    existing = error.existing
                else:
                    existing_hidden = True
            except PossibleDuplicates as error:
                visible = set(beneficiaries_for(user).values_list("pk", flat=True))
                matches = [match for match in error.matches if match.pk in visible]
                hidden_matches = len(error.matches) - len(matches)
                form.ask_to_confirm()
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("已登记服务对象：%(name)s。") % {"name": beneficiary.name})
                return redirect("beneficiary_detail", pk=beneficiary.pk)
    else:
        form = BeneficiaryRegisterForm(initial=_initial(request, user), user=user)
    return render(
        request,
        "cases/beneficiaries/register.html",
        {
            "form": form,
            "existing": existing,
            "existing_hidden": existing_hidden,
            "matches": matches,
            "hidden_matches": hidden_matches,
            "today": today,
            "nav_section": "beneficiaries",
        },
    )


def _initial(request: HttpRequest, user: User) -> dict[str, Any]:
    today = clock.today()
    initial: dict[str, Any] = {"consent_on": today, "consent_by": Beneficiary.ConsentBy.SELF}
    station = station_of(person_of(user), today=today)
    if station is not None:
        initial["station"] = station.pk
        initial["region"] = station.region_id
    household_pk = request.GET.get("household", "")
    if household_pk.isdigit():
        # "Register a family member" from a beneficiary's page: the same household and village.
        member = beneficiaries_for(user).filter(household_id=int(household_pk)).select_related("household")
        first = member.first()
        if first is not None and first.household is not None:
            initial["household"] = first.household.pk
            initial["region"] = first.household.region_id
    return initial


def _add_errors(form: BeneficiaryRegisterForm | BeneficiaryEditForm, error: Any) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@require_http_methods(["GET", "POST"])
def beneficiary_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    beneficiary = get_beneficiary_for_user(user, pk)
    if not _can_change(user, beneficiary):
        raise PermissionDenied
    existing: Beneficiary | None = None
    if request.method == "POST":
        form = BeneficiaryEditForm(request.POST, user=user, beneficiary=beneficiary)
        if form.is_valid():
            try:
                with versions.expect(beneficiary, versions.submitted(request)):
                    beneficiary_update(
                        actor=user, beneficiary=beneficiary, request=request, **form.service_kwargs()
                    )
            except AlreadyRegistered as error:
                form.add_error("id_number", error.error_dict["id_number"])
                if beneficiaries_for(user).filter(pk=error.existing.pk).exists():
                    existing = error.existing
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("已保存 %(name)s 的信息。") % {"name": beneficiary.name})
                return redirect("beneficiary_detail", pk=beneficiary.pk)
            beneficiary.refresh_from_db()
    else:
        form = BeneficiaryEditForm(
            initial=BeneficiaryEditForm.initial_for(beneficiary), user=user, beneficiary=beneficiary
        )
    return render(
        request,
        "cases/beneficiaries/edit.html",
        {"form": form, "beneficiary": beneficiary, "existing": existing, "nav_section": "beneficiaries"},
    )


def _sees_in_full(user: User, beneficiary: Beneficiary) -> bool:
    return beneficiaries_in_full_for(user).filter(pk=beneficiary.pk).exists()


def _can_change(user: User, beneficiary: Beneficiary) -> bool:
    return user.has_perm(CHANGE) and _sees_in_full(user, beneficiary)


@login_required
@require_GET
def beneficiary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    beneficiary = get_beneficiary_for_user(request.user, pk)  # type: ignore[arg-type]
    return _render_detail(request, beneficiary=beneficiary, unmasked=False)


@login_required
@require_POST
def beneficiary_unmask(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the sensitive fields for this response only: the in-full circle only, always audited."""
    user: User = request.user  # type: ignore[assignment]
    beneficiary = get_beneficiary_for_user(user, pk)
    if not _can_unmask(user, beneficiary):
        raise PermissionDenied
    audit.record(
        actor=user,
        action=AuditEntry.Action.UNMASK,
        obj=beneficiary,
        detail={"fields": ["id_number", "phone", "address", "health_notes", "correction_notes"]},
        request=request,
    )
    response = _render_detail(request, beneficiary=beneficiary, unmasked=True)
    add_never_cache_headers(response)
    return response


def _can_unmask(user: User, beneficiary: Beneficiary) -> bool:
    return user.has_perm(UNMASK_BENEFICIARY) and _sees_in_full(user, beneficiary)


def _render_detail(request: HttpRequest, *, beneficiary: Beneficiary, unmasked: bool) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    household_members = (
        beneficiaries_for(user).filter(household=beneficiary.household).exclude(pk=beneficiary.pk)
        if beneficiary.household_id
        else Beneficiary.objects.none()
    )
    in_full = _sees_in_full(user, beneficiary)  # asked once: revealing and changing both need it
    all_records = timeline_records(beneficiary)
    totals = all_records.aggregate(count=Count("pk"), hours=Sum("duration_hours"))
    records = list(all_records[:TIMELINE_SIZE])
    return render(
        request,
        "cases/beneficiaries/detail.html",
        {
            "beneficiary": beneficiary,
            "unmasked": unmasked,
            "can_unmask": in_full and user.has_perm(UNMASK_BENEFICIARY),
            "can_change": in_full and user.has_perm(CHANGE),
            "in_full": in_full,
            "can_open_case": person_of(user) is not None,
            "can_record": user.has_perm(ADD_SERVICE),
            "can_register": user.has_perm(ADD),
            "restricted": is_restricted(beneficiary),
            "age": beneficiary.age_on(clock.today()),
            "target_groups": list(beneficiary.target_groups.all()),
            "household_members": list(household_members),
            "records": records,
            "record_count": totals["count"],
            "hours": totals["hours"] or 0,
            "cases": list(timeline_cases(beneficiary)),
            "nav_section": "beneficiaries",
            "language_next": reverse("beneficiary_detail", args=[beneficiary.pk]),
        },
    )
