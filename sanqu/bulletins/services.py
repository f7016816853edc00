"""Writes to bulletins and the distribution list: permission, scope, guard, validation, audit.

An editor drafts (`bulletin_create`, `bulletin_update`, `bulletin_delete`); a reviewer issues
(`bulletin_issue`: the next number of the year, the texts, figures and list frozen, the PDF kept)
and sends (`bulletin_send`: one mail per active recipient with the PDF, each delivery logged, a
failure logged and the others still sent). An issued bulletin never changes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, models, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import BULLETIN_ISSUE, BULLETIN_SEND
from sanqu.accounts.services import apply, audited_save, require_perm, snapshot
from sanqu.bulletins.document import (
    chinese_date,
    document_of,
    freeze_distribution,
    freeze_figures,
    render_bulletin_pdf,
)
from sanqu.bulletins.models import Bulletin, BulletinDelivery, BulletinItem, Recipient
from sanqu.bulletins.selectors import (
    active_recipients,
    bulletins_for,
    items_of,
    news_for_bulletins,
    scopes_for,
    writable_bulletins,
)
from sanqu.lib import clock
from sanqu.lib.files import random_name, save_whole
from sanqu.publicity import guard
from sanqu.publicity.models import ArticlePage
from sanqu.regions.models import Region

log = logging.getLogger(__name__)

MAX_ITEMS = 12
NUMBERING_ATTEMPTS = 5
# Plain texts printed in the bulletin: each passes the publishing guard.
GUARDED = ("masthead", "title", "issuer", "foreword")
EDITABLE = ("masthead", "title", "issuer", "foreword", "scope", "as_of")


# --- Drafts --------------------------------------------------------------------------------------


def _check_draft(actor: User, bulletin: Bulletin, articles: Sequence[ArticlePage]) -> None:
    for name in GUARDED:
        setattr(bulletin, name, (getattr(bulletin, name) or "").strip())
    errors: dict[str, list[ValidationError]] = {}
    for name in GUARDED:
        try:
            guard.require_clean(name, getattr(bulletin, name))
        except guard.Refused as refused:
            errors = refused.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    if not scopes_for(actor).filter(pk=bulletin.scope_id).exists():
        raise ValidationError({"scope": _("数据范围：只能选择您负责的市或区县。")})
    if bulletin.as_of > clock.today():
        raise ValidationError({"as_of": _("数据截至日期不能晚于今天。")})
    if not articles:
        raise ValidationError({"articles": _("本期稿件：至少选择一篇已发布的新闻。")})
    if len(articles) > MAX_ITEMS:
        raise ValidationError({"articles": _("本期稿件：一期最多 %(n)s 篇。") % {"n": MAX_ITEMS}})
    if len({article.pk for article in articles}) != len(articles):
        raise ValidationError({"articles": _("本期稿件：同一篇新闻只能选一次。")})
    live = set(news_for_bulletins().filter(pk__in=[a.pk for a in articles]).values_list("pk", flat=True))
    if len(live) != len(articles):
        raise ValidationError({"articles": _("本期稿件：只能选择已公开发布的新闻。")})


def _set_items(bulletin: Bulletin, articles: Sequence[ArticlePage]) -> bool:
    """Replace the items with the articles in this order; whether anything changed."""
    before = list(items_of(bulletin).values_list("article_id", flat=True))
    wanted = [article.pk for article in articles]
    if before == wanted:
        return False
    bulletin.items.all().delete()
    BulletinItem.objects.bulk_create(
        BulletinItem(bulletin=bulletin, article=article, position=index)
        for index, article in enumerate(articles, start=1)
    )
    return True


def _draft_for_write(actor: User, bulletin: Bulletin) -> Bulletin:
    """The bulletin locked for a change by the actor: 404 out of scope, 403 without the right."""
    if not bulletins_for(actor).filter(pk=bulletin.pk).exists():
        raise Http404
    require_perm(actor, "bulletins.change_bulletin")
    if not writable_bulletins(actor).filter(pk=bulletin.pk).exists():
        raise PermissionDenied
    locked = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if locked.is_issued:
        raise ValidationError(_("这期简报已经印发，不能再修改。"))
    return locked


@transaction.atomic
def bulletin_create(
    *,
    actor: User,
    title: str,
    scope: Region,
    as_of: dt.date,
    articles: Sequence[ArticlePage],
    foreword: str = "",
    masthead: str = "",
    issuer: str = "",
    request: HttpRequest | None = None,
) -> Bulletin:
    """A draft: not numbered until it is issued."""
    require_perm(actor, "bulletins.add_bulletin")
    bulletin = Bulletin(title=title, scope=scope, as_of=as_of, foreword=foreword, created_by=actor)
    if masthead.strip():
        bulletin.masthead = masthead
    if issuer.strip():
        bulletin.issuer = issuer
    _check_draft(actor, bulletin, articles)
    bulletin = audited_save(
        actor=actor,
        instance=bulletin,
        perm="bulletins.add_bulletin",
        writable=writable_bulletins(actor),
        request=request,
    )
    _set_items(bulletin, articles)
    return bulletin


@transaction.atomic
def bulletin_update(
    *,
    actor: User,
    bulletin: Bulletin,
    data: Mapping[str, Any],
    articles: Sequence[ArticlePage],
    request: HttpRequest | None = None,
) -> Bulletin:
    locked = _draft_for_write(actor, bulletin)
    before = snapshot(locked)
    apply(locked, data, editable=EDITABLE)
    _check_draft(actor, locked, articles)
    locked = audited_save(
        actor=actor,
        instance=locked,
        perm="bulletins.change_bulletin",
        writable=writable_bulletins(actor),
        before=before,
        request=request,
    )
    if _set_items(locked, articles):
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=locked,
            detail={"changed": ["articles"], "articles": [a.pk for a in articles]},
            request=request,
        )
    return locked


@transaction.atomic
def bulletin_delete(*, actor: User, bulletin: Bulletin, request: HttpRequest | None = None) -> None:
    """Discard a draft (an issued bulletin is a record: it stays)."""
    locked = _draft_for_write(actor, bulletin)
    require_perm(actor, "bulletins.delete_bulletin")
    audit.record(actor=actor, action=AuditEntry.Action.DELETE, obj=locked, request=request)
    locked.delete()


# --- Issue ---------------------------------------------------------------------------------------


def next_number(year: int) -> int:
    """The next number of the year: one more than the highest issued so far."""
    highest = Bulletin.objects.filter(year=year).aggregate(n=models.Max("number"))["n"]
    return (highest or 0) + 1


def _for_reviewer(actor: User, bulletin: Bulletin, perm: str) -> None:
    if not bulletins_for(actor).filter(pk=bulletin.pk).exists():
        raise Http404
    require_perm(actor, perm)
    if not writable_bulletins(actor).filter(pk=bulletin.pk).exists():
        raise PermissionDenied


def _freeze_items(bulletin: Bulletin) -> None:
    items = list(items_of(bulletin))
    if not items:
        raise ValidationError({"articles": _("本期稿件：至少选择一篇已发布的新闻。")})
    live = set(news_for_bulletins().values_list("pk", flat=True))
    for item in items:
        article = item.article
        if article is None or article.pk not in live:
            raise ValidationError(
                {
                    "articles": _("本期稿件：“%(title)s”已撤下或删除，请重新选择稿件。")
                    % {"title": item.title or "—"}
                }
            )
        item.title, item.source, item.date = article.title, article.source, article.date
        item.body = str(article.body_html)
        item.save(update_fields=["title", "source", "date", "body"])


@transaction.atomic
def bulletin_issue(
    *,
    actor: User,
    bulletin: Bulletin,
    issued_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Bulletin:
    """Number the draft (the next number of its year), freeze it and keep its PDF."""
    _for_reviewer(actor, bulletin, BULLETIN_ISSUE)
    locked = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if locked.is_issued:
        raise ValidationError(_("这期简报已经印发。"))
    issued_on = issued_on or clock.today()
    if issued_on > clock.today():
        raise ValidationError({"issued_on": _("印发日期不能晚于今天。")})
    if locked.as_of > issued_on:
        raise ValidationError({"as_of": _("数据截至日期不能晚于印发日期。")})
    _freeze_items(locked)
    locked.figures = freeze_figures(scope=locked.scope, as_of=locked.as_of)
    locked.distribution = freeze_distribution()
    locked.copies = sum(len(line["departments"]) for line in locked.distribution)
    locked.status = Bulletin.Status.ISSUED
    locked.year = issued_on.year
    locked.issued_on = issued_on
    locked.issued_by = actor
    locked.issued_at = timezone.now()
    # Two reviewers issuing at once may both read the same highest number: the unique constraint
    # refuses the second, which takes the next number and tries again.
    for _attempt in range(NUMBERING_ATTEMPTS):
        locked.number = next_number(locked.year)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            continue
        break
    else:
        raise ValidationError(_("期号分配冲突，请稍后再试。"))
    pdf = render_bulletin_pdf(document_of(locked))
    try:
        save_whole(locked.pdf, random_name("bulletins", "bulletin.pdf"), pdf, save=True)
    except OSError as error:  # e.g. a full disk: nothing is issued, the number stays free
        log.exception("bulletin %s: the PDF could not be written", locked.pk)
        raise ValidationError(
            _("简报 PDF 无法写入服务器（%(reason)s），本期未签发。请联系系统管理员检查磁盘空间后再签发。")
            % {"reason": error.strerror or error}
        ) from error
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=locked,
        detail={
            "changed": ["status", "year", "number", "issued_on", "figures", "distribution", "pdf"],
            "issued": locked.issue_label,
        },
        request=request,
    )
    return locked


# --- Send ----------------------------------------------------------------------------------------


def _message(bulletin: Bulletin, recipient: Recipient, pdf: bytes) -> EmailMessage:
    values = {
        "masthead": bulletin.masthead,
        "label": bulletin.issue_label,
        "title": bulletin.title,
        "department": recipient.department,
        "issuer": bulletin.issuer,
        "date": chinese_date(bulletin.issued_on) if bulletin.issued_on else "",
    }
    subject = _("【简报】%(masthead)s%(label)s") % values
    body = (
        _(
            "%(department)s：\n\n"
            "现将《%(masthead)s》%(label)s（%(title)s）送上，请查阅附件。\n\n"
            "%(issuer)s\n%(date)s\n\n"
            "本邮件由三区计划管理平台发送。"
        )
        % values
    )
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
    message.attach(bulletin.pdf_name, pdf, "application/pdf")
    return message


def bulletin_send(
    *, actor: User, bulletin: Bulletin, request: HttpRequest | None = None
) -> list[BulletinDelivery]:
    """Mail the PDF to every active recipient, one message each, and log every delivery.

    Not one transaction: a mail that went out is logged even if a later one fails, and a failing
    address is logged with its error while the others are still sent.
    """
    _for_reviewer(actor, bulletin, BULLETIN_SEND)
    bulletin.refresh_from_db()
    if not bulletin.is_issued or not bulletin.pdf:
        raise ValidationError(_("简报印发后才能发送。"))
    chosen = list(active_recipients())
    if not chosen:
        raise ValidationError(_("报送单位名单中没有在用的单位，请先添加。"))
    with bulletin.pdf.open("rb") as handle:
        pdf = handle.read()
    connection = mailers.default
    deliveries = []
    for recipient in chosen:
        error = ""
        try:
            if not connection.send_messages([_message(bulletin, recipient, pdf)]):
                error = _("邮件服务未接受这封邮件。")
        except Exception as failure:  # one address failing must not stop the others
            error = f"{type(failure).__name__}: {failure}"[:1000]
        deliveries.append(
            BulletinDelivery.objects.create(
                bulletin=bulletin,
                recipient=recipient,
                department=recipient.department,
                email=recipient.email,
                sent_at=timezone.now(),
                sent_by=actor,
                outcome=BulletinDelivery.Outcome.FAILED if error else BulletinDelivery.Outcome.SENT,
                error=error,
            )
        )
    failed = [d.department for d in deliveries if d.outcome == BulletinDelivery.Outcome.FAILED]
    audit.record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        obj=bulletin,
        detail={"sent": len(deliveries) - len(failed), "failed": failed},
        request=request,
    )
    return deliveries


# --- Distribution list ---------------------------------------------------------------------------

RECIPIENT_EDITABLE = ("department", "email", "kind", "position", "active")


def _check_recipient(recipient: Recipient) -> None:
    recipient.department = recipient.department.strip()
    recipient.email = recipient.email.strip().lower()
    clash = Recipient.objects.filter(department=recipient.department).exclude(pk=recipient.pk)
    if clash.exists():
        raise ValidationError(
            {"department": _("单位：名单中已有“%(name)s”。") % {"name": recipient.department}}
        )


def recipient_create(
    *,
    actor: User,
    department: str,
    email: str,
    kind: str = Recipient.Kind.COPY,
    position: int = 0,
    active: bool = True,
    request: HttpRequest | None = None,
) -> Recipient:
    recipient = Recipient(department=department, email=email, kind=kind, position=position, active=active)
    require_perm(actor, "bulletins.add_recipient")
    _check_recipient(recipient)
    return audited_save(
        actor=actor,
        instance=recipient,
        perm="bulletins.add_recipient",
        writable=Recipient.objects.all(),
        request=request,
    )


def recipient_update(
    *, actor: User, recipient: Recipient, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Recipient:
    """Change a recipient, or take it off the list (active=False; its past deliveries stay)."""
    require_perm(actor, "bulletins.change_recipient")
    before = snapshot(recipient)
    apply(recipient, data, editable=RECIPIENT_EDITABLE)
    _check_recipient(recipient)
    return audited_save(
        actor=actor,
        instance=recipient,
        perm="bulletins.change_recipient",
        writable=Recipient.objects.all(),
        before=before,
        request=request,
    )
