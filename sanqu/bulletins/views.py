"""Bulletin pages of the workbench: the list, compose and edit a draft, preview, issue, send, the
delivery log, the PDF, and the distribution list. Thin: every write goes through a service."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sanqu.accounts import versions
from sanqu.accounts.models import User
from sanqu.accounts.roles import BULLETIN_ISSUE, BULLETIN_SEND, BULLETIN_VIEW
from sanqu.accounts.services import require_perm
from sanqu.bulletins.document import document_of
from sanqu.bulletins.forms import BulletinForm, RecipientForm
from sanqu.bulletins.models import Bulletin, BulletinDelivery, Recipient
from sanqu.bulletins.selectors import (
    active_recipients,
    bulletins_for,
    deliveries_of,
    get_bulletin_for_user,
    items_of,
    news_for_bulletins,
    recipients,
    scopes_for,
    writable_bulletins,
)
from sanqu.bulletins.services import (
    bulletin_create,
    bulletin_delete,
    bulletin_issue,
    bulletin_send,
    bulletin_update,
    recipient_create,
    recipient_update,
)
from sanqu.cases.forms.groups import add_service_errors
from sanqu.lib import clock
from sanqu.lib.files import private_file_response

SECTION = "bulletins"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, f"bulletins/{template}", {"nav_section": SECTION, **context})


def _can_write(user: User, bulletin: Bulletin, perm: str) -> bool:
    return user.has_perm(perm) and writable_bulletins(user).filter(pk=bulletin.pk).exists()


@login_required
@require_GET
def bulletin_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, BULLETIN_VIEW)
    found = list(bulletins_for(user))
    drafts = [b for b in found if not b.is_issued]
    issued = [b for b in found if b.is_issued]
    by_year = [(year, list(group)) for year, group in groupby(issued, key=lambda b: b.year)]
    return _page(
        request,
        "list.html",
        {
            "drafts": drafts,
            "by_year": by_year,
            "can_add": user.has_perm("bulletins.add_bulletin"),
            "can_manage_recipients": user.has_perm("bulletins.view_recipient"),
        },
    )


def _compose(request: HttpRequest, bulletin: Bulletin | None) -> HttpResponse:
    user = _user(request)
    chosen = [item.article for item in items_of(bulletin) if item.article] if bulletin else []
    options: dict[str, Any] = {"scopes": scopes_for(user), "news": news_for_bulletins(), "chosen": chosen}
    if request.method == "POST":
        form = BulletinForm(request.POST, **options)
        if form.is_valid():
            try:
                if bulletin is None:
                    bulletin = bulletin_create(
                        actor=user, articles=form.ordered_articles(), request=request, **form.draft_data()
                    )
                    messages.success(request, _("已保存简报草稿。"))
                else:
                    with versions.expect(bulletin, versions.submitted(request)):
                        bulletin_update(
                            actor=user,
                            bulletin=bulletin,
                            data=form.draft_data(),
                            articles=form.ordered_articles(),
                            request=request,
                        )
                    messages.success(request, _("已保存修改。"))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("bulletins:detail", pk=bulletin.pk)
    elif bulletin is None:
        scopes = options["scopes"]
        form = BulletinForm(initial={"as_of": clock.today(), "scope": scopes.first()}, **options)
    else:
        initial = {
            name: getattr(bulletin, name)
            for name in ("title", "masthead", "issuer", "foreword", "scope", "as_of")
        }
        form = BulletinForm(initial={**initial, "articles": chosen}, **options)
    return _page(request, "form.html", {"form": form, "bulletin": bulletin})


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_new(request: HttpRequest) -> HttpResponse:
    require_perm(_user(request), "bulletins.add_bulletin")
    return _compose(request, None)


def _draft(request: HttpRequest, pk: int, perm: str) -> Bulletin:
    """A draft the user may change (404 out of scope, 403 without the right); an issued one goes
    back to its page with a message."""
    user = _user(request)
    bulletin = get_bulletin_for_user(user, pk)
    if not _can_write(user, bulletin, perm):
        raise PermissionDenied
    return bulletin


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_edit(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _draft(request, pk, "bulletins.change_bulletin")
    if bulletin.is_issued:
        messages.error(request, _("这期简报已经印发，不能再修改。"))
        return redirect("bulletins:detail", pk=bulletin.pk)
    return _compose(request, bulletin)


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_discard(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _draft(request, pk, "bulletins.delete_bulletin")
    if bulletin.is_issued:
        messages.error(request, _("已印发的简报不能删除。"))
        return redirect("bulletins:detail", pk=bulletin.pk)
    if request.method == "POST":
        bulletin_delete(actor=_user(request), bulletin=bulletin, request=request)
        messages.success(request, _("已删除简报草稿。"))
        return redirect("bulletins:list")
    return _page(request, "discard.html", {"bulletin": bulletin})


@login_required
@require_GET
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    bulletin = get_bulletin_for_user(user, pk)
    return _page(
        request,
        "detail.html",
        {
            "bulletin": bulletin,
            "doc": document_of(bulletin),
            "can_edit": not bulletin.is_issued and _can_write(user, bulletin, "bulletins.change_bulletin"),
            "can_discard": not bulletin.is_issued and _can_write(user, bulletin, "bulletins.delete_bulletin"),
            "can_issue": not bulletin.is_issued and _can_write(user, bulletin, BULLETIN_ISSUE),
            "can_send": bulletin.is_issued and _can_write(user, bulletin, BULLETIN_SEND),
            "deliveries": deliveries_of(bulletin)[:5],
            "delivery_count": bulletin.deliveries.count(),
        },
    )


def _reviewer_action(
    request: HttpRequest, pk: int, perm: str, *, allowed: Callable[[Bulletin], bool], refusal: str
) -> Bulletin | HttpResponse:
    user = _user(request)
    bulletin = get_bulletin_for_user(user, pk)
    if not _can_write(user, bulletin, perm):
        raise PermissionDenied
    if not allowed(bulletin):
        messages.error(request, refusal)
        return redirect("bulletins:detail", pk=bulletin.pk)
    return bulletin


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_issue_view(request: HttpRequest, pk: int) -> HttpResponse:
    found = _reviewer_action(
        request, pk, BULLETIN_ISSUE, allowed=lambda b: not b.is_issued, refusal=_("这期简报已经印发。")
    )
    if isinstance(found, HttpResponse):
        return found
    bulletin = found
    if request.method == "POST":
        try:
            bulletin = bulletin_issue(actor=_user(request), bulletin=bulletin, request=request)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("bulletins:issue", pk=bulletin.pk)
        messages.success(
            request, _("已印发：%(bulletin)s。可以发送给报送单位了。") % {"bulletin": bulletin.issue_label}
        )
        return redirect("bulletins:detail", pk=bulletin.pk)
    return _page(
        request,
        "issue.html",
        {
            "bulletin": bulletin,
            "items": items_of(bulletin),
            "recipients": active_recipients(),
            "today": clock.today(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    found = _reviewer_action(
        request, pk, BULLETIN_SEND, allowed=lambda b: b.is_issued, refusal=_("简报印发后才能发送。")
    )
    if isinstance(found, HttpResponse):
        return found
    bulletin = found
    if request.method == "POST":
        try:
            deliveries = bulletin_send(actor=_user(request), bulletin=bulletin, request=request)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("bulletins:send", pk=bulletin.pk)
        failed = sum(1 for d in deliveries if d.outcome == BulletinDelivery.Outcome.FAILED)
        values = {"sent": len(deliveries) - failed, "failed": failed}
        if failed:
            messages.warning(
                request, _("已发送 %(sent)s 个单位，%(failed)s 个单位发送失败，见发送记录。") % values
            )
        else:
            messages.success(request, _("已发送给 %(sent)s 个单位。") % values)
        return redirect("bulletins:deliveries", pk=bulletin.pk)
    return _page(
        request,
        "send.html",
        {"bulletin": bulletin, "recipients": active_recipients(), "already": bulletin.deliveries.exists()},
    )


@login_required
@require_GET
def bulletin_deliveries(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = get_bulletin_for_user(_user(request), pk)
    return _page(request, "deliveries.html", {"bulletin": bulletin, "deliveries": deliveries_of(bulletin)})


@login_required
@require_GET
def bulletin_pdf(request: HttpRequest, pk: int) -> FileResponse:
    bulletin = get_bulletin_for_user(_user(request), pk)
    if not bulletin.is_issued or not bulletin.pdf:
        raise Http404
    return private_file_response(bulletin.pdf, name=bulletin.pdf_name, content_type="application/pdf")


# --- The distribution list ---------------------------------------------------------------------------


@login_required
@require_GET
def recipient_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "bulletins.view_recipient")
    return _page(
        request,
        "recipients.html",
        {
            "recipients": recipients(),
            "can_add": user.has_perm("bulletins.add_recipient"),
            "can_change": user.has_perm("bulletins.change_recipient"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recipient_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "bulletins.add_recipient")
    form = RecipientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recipient = recipient_create(actor=user, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已添加报送单位“%(name)s”。") % {"name": recipient.department})
            return redirect("bulletins:recipients")
    return _page(request, "recipient_form.html", {"form": form, "recipient": None})


@login_required
@require_http_methods(["GET", "POST"])
def recipient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require_perm(user, "bulletins.change_recipient")
    recipient = get_object_or_404(Recipient, pk=pk)
    form = RecipientForm(request.POST or None, instance=Recipient.objects.get(pk=recipient.pk))
    if request.method == "POST" and form.is_valid():
        try:
            with versions.expect(recipient, versions.submitted(request)):
                recipient_update(actor=user, recipient=recipient, data=form.cleaned_data, request=request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已保存报送单位“%(name)s”。") % {"name": recipient.department})
            return redirect("bulletins:recipients")
    return _page(request, "recipient_form.html", {"form": form, "recipient": recipient})


@login_required
@require_http_methods(["POST"])
def recipient_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a department off the list (its past deliveries stay), or put it back."""
    user = _user(request)
    require_perm(user, "bulletins.change_recipient")
    recipient = get_object_or_404(Recipient, pk=pk)
    recipient_update(actor=user, recipient=recipient, data={"active": not recipient.active}, request=request)
    if recipient.active:
        messages.success(request, _("已恢复报送单位“%(name)s”。") % {"name": recipient.department})
    else:
        messages.success(
            request, _("已停用报送单位“%(name)s”，今后不再发送给它。") % {"name": recipient.department}
        )
    return redirect("bulletins:recipients")
