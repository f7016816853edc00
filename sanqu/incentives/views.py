"""Incentive pages: the claim queue, a claim with its evidence and decision, the claim form, the
policies in force with their eligibility rule, spend per county and year, and exam results."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanqu.accounts.models import User
from sanqu.accounts.scoping import get_or_404
from sanqu.accounts.services import require_perm
from sanqu.cases.forms.groups import add_service_errors
from sanqu.incentives import selectors, services
from sanqu.incentives.forms import ClaimForm, DecisionForm, EligibilityForm, PaymentForm
from sanqu.incentives.models import ExamAttempt, IncentiveClaim
from sanqu.lib import clock
from sanqu.lib.files import private_file_response
from sanqu.workforce.models import Certificate
from sanqu.workforce.selectors import people_for

PAGE_SIZE = 25
SECTION = "incentives"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# Claims.


@login_required
@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "incentives.view_incentiveclaim")
    queue = request.GET.get("queue", "waiting")
    if queue not in selectors.QUEUES:
        queue = "waiting"
    claims = selectors.claims_for(user)
    page = Paginator(selectors.claim_queue(claims, queue), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "incentives/claim_list.html",
        {
            "page": page,
            "queue": queue,
            "query": f"queue={queue}",
            "counts": selectors.queue_counts(claims),
            "can_file": user.has_perm(services.FILE_CLAIM),
            "deciding": user.has_perm(services.DECIDE_CLAIM),
            "nav_section": SECTION,
            "tab": "claims",
        },
    )


@login_required
@require_GET
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    claim = selectors.get_claim_for_user(user, pk)
    return _render_claim(request, claim)


def _render_claim(
    request: HttpRequest,
    claim: IncentiveClaim,
    *,
    decision_form: DecisionForm | None = None,
    payment_form: PaymentForm | None = None,
) -> HttpResponse:
    user = _user(request)
    in_charge = selectors.decidable_claims(user).filter(pk=claim.pk).exists()
    can_decide = in_charge and user.has_perm(services.DECIDE_CLAIM) and claim.waiting
    can_pay = (
        in_charge and user.has_perm(services.PAY_CLAIM) and claim.status == IncentiveClaim.Status.APPROVED
    )
    if can_decide and decision_form is None:
        decision_form = DecisionForm()
    if can_pay and payment_form is None:
        payment_form = PaymentForm(initial={"paid_on": clock.today()})
    response = render(
        request,
        "incentives/claim_detail.html",
        {
            "claim": claim,
            "rate": claim.policy.rates.filter(level=claim.certificate.level).first(),
            "decision_form": decision_form if can_decide else None,
            "payment_form": payment_form if can_pay else None,
            "nav_section": SECTION,
        },
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def claim_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, services.FILE_CLAIM)
    own = selectors.own_person_ids(user)
    candidates = selectors.claimants_for(user)
    person_id = request.POST.get("person") or request.GET.get("person")
    if not person_id and len(own) == 1:
        person_id = str(next(iter(own)))
    person = get_or_404(candidates, pk=person_id) if person_id else None
    if person is None:
        return render(
            request,
            "incentives/claim_person.html",
            {"people": candidates.order_by("name")[:500], "nav_section": SECTION},
        )
    choices = {
        "policies": selectors.policies_for(user).filter(county=person.county).order_by("-effective_from"),
        "certificates": Certificate.objects.filter(person=person).order_by("level"),
        "attempts": ExamAttempt.objects.filter(person=person).order_by("-year", "subject"),
    }
    if request.method == "POST":
        form = ClaimForm(request.POST, request.FILES, **choices)  # type: ignore[arg-type]
        if form.is_valid():
            data = form.cleaned_data
            try:
                claim = services.claim_file(
                    actor=user,
                    person=person,
                    policy=data["policy"],
                    certificate=data["certificate"],
                    claimed_on=data["claimed_on"],
                    amount=data["amount"],
                    exam_attempts=list(data["exam_attempts"]),
                    evidence=[services.Evidence(kind, file) for kind, file in form.evidence()],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已提交申领，等待区县审核。"))
                return redirect("incentive_claim", pk=claim.pk)
    else:
        form = ClaimForm(initial={"claimed_on": clock.today()}, **choices)  # type: ignore[arg-type]
    return render(
        request,
        "incentives/claim_form.html",
        {"form": form, "person": person, "for_self": person.pk in own, "nav_section": SECTION},
    )


@login_required
@require_POST
def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    claim = selectors.get_claim_for_user(user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.claim_decide(
                actor=user, claim=claim, approve=approve, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已批准。") if approve else _("已作出不批准决定。"))
            return redirect("incentive_claim", pk=claim.pk)
    elif not selectors.decidable_claims(user).filter(pk=claim.pk).exists():
        raise PermissionDenied
    return _render_claim(request, claim, decision_form=form)


@login_required
@require_POST
def claim_payment(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    claim = selectors.get_claim_for_user(user, pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.claim_record_payment(
                actor=user,
                claim=claim,
                paid_on=form.cleaned_data["paid_on"],
                reference=form.cleaned_data["payment_reference"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记发放。"))
            return redirect("incentive_claim", pk=claim.pk)
    elif not selectors.decidable_claims(user).filter(pk=claim.pk).exists():
        raise PermissionDenied
    return _render_claim(request, claim, payment_form=form)


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int, evidence_id: int) -> FileResponse:
    """The file, to this user only: never cached, never guessed as another type, never public."""
    user = _user(request)
    claim = selectors.get_claim_for_user(user, pk)
    record = services.evidence_open(actor=user, claim=claim, evidence_id=evidence_id, request=request)
    return private_file_response(record.file, name=record.original_name, content_type=record.content_type)


# Policies and spend.


@login_required
@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "incentives.view_incentivepolicy")
    today = clock.today()
    policies = selectors.in_force(selectors.policies_for(user), today)
    writable = set(selectors.writable_policies(user).values_list("pk", flat=True))
    return render(
        request,
        "incentives/policy_list.html",
        {
            "policies": policies,
            "today": today,
            "writable": writable if user.has_perm("incentives.change_incentivepolicy") else set(),
            "nav_section": SECTION,
            "tab": "policies",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_eligibility(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    policy = selectors.get_policy_for_user(user, pk)
    require_perm(user, "incentives.change_incentivepolicy")
    if not selectors.writable_policies(user).filter(pk=policy.pk).exists():
        raise PermissionDenied
    if request.method == "POST":
        form = EligibilityForm(request.POST, policy=policy)
        if form.is_valid():
            try:
                services.policy_set_eligibility(
                    actor=user,
                    policy=policy,
                    certificate_in_force=form.cleaned_data["certificate_in_force"],
                    rates=form.rates(),
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存“%(name)s”的申领条件。") % {"name": policy.name})
                return redirect(reverse("incentive_policies") + f"#policy-{policy.pk}")
    else:
        initial: dict[str, Any] = {"certificate_in_force": policy.certificate_in_force}
        for rate in policy.rates.all():
            initial[f"covers_{rate.level}"] = True
            initial[f"amount_{rate.level}"] = rate.amount
        form = EligibilityForm(initial=initial, policy=policy)
    return render(
        request,
        "incentives/policy_eligibility.html",
        {"form": form, "policy": policy, "nav_section": SECTION},
    )


@login_required
@require_GET
def spend(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "incentives.view_incentiveclaim")
    return render(
        request,
        "incentives/spend.html",
        {"spend": selectors.spend(user), "nav_section": SECTION, "tab": "spend"},
    )


# Exams.


@login_required
@require_GET
def one_away(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "incentives.view_examattempt")
    today = clock.today()
    return render(
        request,
        "incentives/one_away.html",
        {
            "rows": selectors.one_subject_away(user, today=today),
            "can_record": user.has_perm("incentives.add_examattempt"),
            "nav_section": SECTION,
            "tab": "exams",
        },
    )


@login_required
@require_GET
def person_exams(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require_perm(user, "incentives.view_examattempt")
    person = get_or_404(people_for(user).prefetch_related("certificates"), pk=pk)
    attempts = list(selectors.exam_attempts_for(user).filter(person=person).order_by("-year", "subject"))
    return render(
        request,
        "incentives/person_exams.html",
        {
            "person": person,
            "attempts": attempts,
            "standings": selectors.standings(person, attempts, today=clock.today()),
            "can_record": user.has_perm("incentives.add_examattempt")
            and selectors.exam_people_for(user).filter(pk=person.pk).exists(),
            "nav_section": SECTION,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def exam_record(request: HttpRequest) -> HttpResponse:
    from sanqu.incentives.forms import ExamAttemptForm
    from sanqu.orgs.viewsets import writable_counties

    user = _user(request)
    require_perm(user, "incentives.add_examattempt")
    people, counties = selectors.exam_people_for(user).order_by("name"), writable_counties(user)
    if request.method == "POST":
        form = ExamAttemptForm(request.POST, people=people, counties=counties)
        if form.is_valid():
            try:
                attempt = services.exam_attempt_record(actor=user, request=request, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已记录 %(person)s %(year)s 年度“%(subject)s”的成绩。")
                    % {
                        "person": attempt.person.name,
                        "year": attempt.year,
                        "subject": attempt.get_subject_display(),
                    },
                )
                return redirect("incentive_person_exams", pk=attempt.person_id)
    else:
        initial: dict[str, Any] = {"year": clock.today().year}
        person_id = request.GET.get("person")
        if person_id:
            chosen = get_or_404(people, pk=person_id)
            initial.update(person=chosen, county=chosen.county)
        form = ExamAttemptForm(initial=initial, people=people, counties=counties)
    return render(request, "incentives/exam_form.html", {"form": form, "nav_section": SECTION})
