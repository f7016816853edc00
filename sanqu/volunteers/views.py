"""Volunteer pages: the registry with search, one volunteer, the forms, and the certificate PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanqu.accounts import versions
from sanqu.accounts.models import User
from sanqu.accounts.roles import UNMASK, VIEW_VOLUNTEER
from sanqu.accounts.scoping import scope_of
from sanqu.accounts.services import require_perm, snapshot
from sanqu.cases.forms.groups import add_service_errors
from sanqu.lib import clock
from sanqu.lib.pdf import render_pdf
from sanqu.volunteers import selectors
from sanqu.volunteers.forms import (
    CertificateForm,
    CommendationForm,
    ProfileForm,
    RegisterForm,
    RegistryFilterForm,
    ServiceForm,
    TrainingForm,
)
from sanqu.volunteers.models import Volunteer
from sanqu.volunteers.services import (
    VOLUNTEER_EDITABLE,
    certificate_issue,
    commendation_add,
    service_record,
    training_add,
    volunteer_register,
    volunteer_update,
)

PAGE_SIZE = 25
SECTION = "volunteers"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _writable(user: User, pk: int, perm: str) -> Volunteer:
    """The volunteer for a form: 404 out of sight, 403 without the permission or the write scope."""
    volunteer = selectors.get_volunteer_for_user(user, pk)
    if not selectors.can_write(user, volunteer, perm):
        raise PermissionDenied
    return volunteer


def _profile_choices(user: User) -> dict[str, Any]:
    scope = scope_of(user)
    return {
        "counties": selectors.registration_counties(user),
        "stations": selectors.registration_stations(user),
        "organisations": selectors.registration_organisations(user),
        # An organisation manager registers volunteers for her organisation.
        "organisation_required": bool(scope.organisation_ids) and not scope.region_paths,
    }


@login_required
@require_GET
def volunteer_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, VIEW_VOLUNTEER)
    form = RegistryFilterForm(
        request.GET, counties=selectors.counties_for(user), stations=selectors.stations_for(user)
    )
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.RegistryFilter(
        query=(data.get("q") or "")[:100],
        county=data.get("county"),
        station=data.get("station"),
        skill=data.get("skill") or "",
    )
    page = Paginator(selectors.registry(user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    params = {key: value for key, value in request.GET.items() if key != "page" and value}
    context = {
        "form": form,
        "page": page,
        "q": filters.query,
        "filtered": bool(params),
        "query": urlencode(params),
        "can_register": user.has_perm("volunteers.add_volunteer"),
        "nav_section": SECTION,
    }
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    template = "volunteers/list.html#results" if partial else "volunteers/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "volunteers.add_volunteer")
    if request.method == "POST":
        form = RegisterForm(request.POST, **_profile_choices(user))
        if form.is_valid():
            try:
                volunteer = volunteer_register(actor=user, request=request, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已登记志愿者“%(name)s”。") % {"name": volunteer.person.name})
                return redirect("volunteer_detail", pk=volunteer.pk)
    else:
        form = RegisterForm(initial={"registered_on": clock.today()}, **_profile_choices(user))
    return render(request, "volunteers/register.html", {"form": form, "nav_section": SECTION})


@login_required
@require_GET
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require_perm(user, VIEW_VOLUNTEER)
    volunteer = selectors.volunteer_page(selectors.get_volunteer_for_user(user, pk))
    records = selectors.service_records(volunteer)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    writable = selectors.writable_volunteers(user).filter(pk=volunteer.pk).exists()

    def may(perm: str) -> bool:
        return writable and user.has_perm(perm)

    return render(
        request,
        "volunteers/detail.html",
        {
            "volunteer": volunteer,
            "months": selectors.hours_by_month(volunteer),
            "total_hours": selectors.total_hours(volunteer),
            "page": page,
            "can_edit": may("volunteers.change_volunteer"),
            "can_record": may("volunteers.add_volunteerservice"),
            "can_train": may("volunteers.add_volunteertraining"),
            "can_commend": may("volunteers.add_commendation"),
            "can_certify": may("volunteers.add_volunteercertificate") and user.has_perm(UNMASK),
            "can_download": user.has_perm(UNMASK),
            "nav_section": SECTION,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    volunteer = _writable(user, pk, "volunteers.change_volunteer")
    if request.method == "POST":
        form = ProfileForm(request.POST, **_profile_choices(user))
        if form.is_valid():
            try:
                with versions.expect(volunteer, versions.submitted(request)):
                    volunteer_update(actor=user, volunteer=volunteer, data=form.cleaned_data, request=request)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存志愿者信息。"))
                return redirect("volunteer_detail", pk=volunteer.pk)
    else:
        values = snapshot(volunteer)
        form = ProfileForm(
            initial={name: values[name] for name in VOLUNTEER_EDITABLE}, **_profile_choices(user)
        )
    return render(
        request, "volunteers/edit.html", {"form": form, "volunteer": volunteer, "nav_section": SECTION}
    )


def _volunteer_form(
    request: HttpRequest,
    pk: int,
    *,
    perm: str,
    form_class: type[forms.Form],
    save: Callable[..., Any],
    initial: Callable[[Volunteer], dict[str, Any]],
    template: str,
    done: str,
    anchor: str,
    form_kwargs: Callable[[User, Volunteer], dict[str, Any]] | None = None,
) -> HttpResponse:
    """GET shows the form, POST saves through the service and goes back to the volunteer's page."""
    user = _user(request)
    volunteer = _writable(user, pk, perm)
    extra = form_kwargs(user, volunteer) if form_kwargs else {}
    if request.method == "POST":
        form = form_class(request.POST, **extra)
        if form.is_valid():
            try:
                save(actor=user, volunteer=volunteer, request=request, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, done)
                return redirect(reverse("volunteer_detail", args=[volunteer.pk]) + anchor)
    else:
        form = form_class(initial=initial(volunteer), **extra)
    return render(request, template, {"form": form, "volunteer": volunteer, "nav_section": SECTION})


def _service_choices(user: User, volunteer: Volunteer) -> dict[str, Any]:
    return {
        "activities": selectors.linkable_activities(user, volunteer)[:50],
        "sessions": selectors.linkable_sessions(user, volunteer)[:50],
    }


@login_required
@require_http_methods(["GET", "POST"])
def service_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _volunteer_form(
        request,
        pk,
        perm="volunteers.add_volunteerservice",
        form_class=ServiceForm,
        save=service_record,
        initial=lambda volunteer: {"served_on": clock.today()},
        template="volunteers/service_form.html",
        done=_("已记录志愿服务时长。"),
        anchor="#services",
        form_kwargs=_service_choices,
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _volunteer_form(
        request,
        pk,
        perm="volunteers.add_volunteertraining",
        form_class=TrainingForm,
        save=training_add,
        initial=lambda volunteer: {"trained_on": clock.today()},
        template="volunteers/training_form.html",
        done=_("已记录培训。"),
        anchor="#training",
    )


@login_required
@require_http_methods(["GET", "POST"])
def commendation_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _volunteer_form(
        request,
        pk,
        perm="volunteers.add_commendation",
        form_class=CommendationForm,
        save=commendation_add,
        initial=lambda volunteer: {"awarded_on": clock.today()},
        template="volunteers/commendation_form.html",
        done=_("已记录表彰。"),
        anchor="#commendations",
    )


def _certificate_initial(volunteer: Volunteer) -> dict[str, Any]:
    first = volunteer.services.order_by("served_on").values_list("served_on", flat=True).first()
    last = volunteer.services.order_by("-served_on").values_list("served_on", flat=True).first()
    if volunteer.organisation:
        issuer = volunteer.organisation.name
    else:  # the name of a Chinese body, printed on a Chinese document
        with translation.override("zh-hans"):
            issuer = _("%(county)s民政局") % {"county": volunteer.county.name}
    return {"period_start": first, "period_end": last, "issuer": issuer, "issued_on": clock.today()}


@login_required
@require_http_methods(["GET", "POST"])
def certificate_create(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm(UNMASK):
        selectors.get_volunteer_for_user(_user(request), pk)  # 404 first when out of sight
        raise PermissionDenied
    return _volunteer_form(
        request,
        pk,
        perm="volunteers.add_volunteercertificate",
        form_class=CertificateForm,
        save=certificate_issue,
        initial=_certificate_initial,
        template="volunteers/certificate_form.html",
        done=_("已出具志愿服务证明。"),
        anchor="#certificates",
    )


@login_required
@require_POST
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate as a PDF: it shows the full ID number, so it is audited and never cached."""
    certificate = selectors.reveal_certificate(user=_user(request), pk=pk, request=request)
    pdf = render_pdf("volunteers/certificate.html", {"certificate": certificate}, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="volunteer-certificate-{certificate.number}.pdf"'
    add_never_cache_headers(response)
    return response
