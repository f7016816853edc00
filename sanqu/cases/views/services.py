"""Quick service entry from a beneficiary's page, and the worker's own service records."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sanqu.accounts.models import User
from sanqu.accounts.roles import ADD_SERVICE
from sanqu.accounts.services import require_perm
from sanqu.cases.forms.services import ServiceRecordForm, new_token
from sanqu.cases.models import ServiceRecord
from sanqu.cases.selectors.beneficiaries import get_beneficiary_for_user
from sanqu.cases.selectors.services import (
    open_cases_for_entry,
    records_by_worker,
    service_types_for_entry,
    station_of,
)
from sanqu.cases.services.beneficiaries import person_of
from sanqu.cases.services.cases import current_plan
from sanqu.cases.services.service_records import service_record_create
from sanqu.lib import clock

PAGE_SIZE = 30


@login_required
@require_http_methods(["GET", "POST"])
def service_create(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    beneficiary = get_beneficiary_for_user(user, pk)
    require_perm(user, ADD_SERVICE)
    today = clock.today()
    person = person_of(user)
    cases = open_cases_for_entry(person=person, beneficiary=beneficiary)
    type_choices = service_types_for_entry(person=person, beneficiary=beneficiary)
    if request.method == "POST":
        form = ServiceRecordForm(request.POST, type_choices=type_choices, cases=cases)
        if form.is_valid():
            try:
                service_record_create(
                    actor=user, beneficiary=beneficiary, request=request, **form.service_kwargs()
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("已记录 %(name)s 的服务：%(type)s，%(hours)s 小时。")
                    % {
                        "name": beneficiary.name,
                        "type": form.cleaned_data["service_type"].name,
                        "hours": form.cleaned_data["duration_hours"],
                    },
                )
                return redirect(reverse("beneficiary_detail", args=[beneficiary.pk]) + "#timeline")
    else:
        station = station_of(person, today=today)
        # Preselect a case only where a service may be recorded in it now (a plan in force).
        open_case = next((case for case in cases if current_plan(case) is not None), None)
        asked = request.GET.get("case", "")
        if asked.isdigit():  # "record a service" from a case's page
            open_case = cases.filter(pk=int(asked)).first() or open_case
        form = ServiceRecordForm(
            initial={
                "served_on": today,
                "duration": "1",
                "method": ServiceRecord.Method.CASE,
                "case": open_case.pk if open_case is not None else None,
                "place": station.name if station is not None else beneficiary.region.name,
                "client_token": new_token(),
            },
            type_choices=type_choices,
            cases=cases,
        )
    return render(
        request,
        "cases/services/create.html",
        {
            "form": form,
            "beneficiary": beneficiary,
            "has_cases": cases.exists(),
            "today": today,
            "no_worker": person is None,
            "nav_section": "beneficiaries",
        },
    )


@login_required
@require_GET
def service_mine(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    require_perm(user, ADD_SERVICE)
    person = person_of(user)
    records = records_by_worker(person) if person is not None else ServiceRecord.objects.none()
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    month_start = clock.today().replace(day=1)
    return render(
        request,
        "cases/services/mine.html",
        {
            "page": page,
            "person": person,
            "query": "",
            "month_count": records.filter(served_on__gte=month_start).count(),
            "month_hours": sum(
                records.filter(served_on__gte=month_start).values_list("duration_hours", flat=True), start=0
            ),
            "nav_section": "services",
        },
    )
