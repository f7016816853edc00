"""What the public saw when a page was approved, and whether it still sees the same (DESIGN §5).

Every page of the public site is kept: the home page, the news centre, the columns and the news items.
When a reviewer approves one through the workflow 新闻审核, Wagtail publishes the approved revision and
sends `page_published`; so does `publish_scheduled` when an approved page with a go-live time goes
online. `on_page_published` then fetches the page as a reader would (`fetch`: Django's test client
inside the process, a GET of the page's address with the site's hostname, so every middleware,
template and database read plays its part) and keeps a `PublishedFingerprint`: the approved revision,
the reviewer, the time of the approval, the SHA-256 of the normalised HTML and that HTML (to show a
difference later). A publish that no reviewer approved (`revision.publish()` from a shell, or the
superuser's publish button) leaves no fingerprint, so `sanqu check-published` reports the page as
published without review.

Normalised before hashing, because they change from one request to the next and are not content:
- the value of every `nonce` attribute (a fresh CSP nonce per response: see sanqu.publicity.csp);
- the view count figure (`<span class="article__views">`): every reader's visit raises it;
- the value of CSRF token fields (`csrfmiddlewaretoken`): a new token per visitor (the public pages
  have no POST form today; a later one must not make every page differ).
The QR code is NOT normalised: it encodes the page's full address, which depends on the host the
reader asked for, so both the approval and the check ask with the site's own hostname and port (the
Wagtail `Site` of the page) and get the same code; a QR code sending readers elsewhere is caught.
The normalised HTML also gets a line break between adjacent tags (`><`), so that a difference shows
as a few short lines; that changes no character of the content.

Pages show parts of other pages: a news item the titles of the pages above it (breadcrumb) and its own
address (QR code); the home page, the news centre and a column the lists of the pages below them
(the templates mark those lists with `<!-- listed -->` comments). An approved publish of one page
changes those parts of its relatives by an approved change, and so does taking a page offline:
`refresh_related` then takes a new fingerprint of each live page above or below whose HTML differs in
nothing else, and leaves the others (a tampered page stays reported). The lists are made of the
titles, dates and summaries of pages that have fingerprints of their own. A page moved in the admin
(no approval) makes its relatives differ.

After a deployment that changes the templates, every page differs from its approval:
`sanqu check-published --accept --by <city admin>` shows the differences and, once confirmed, takes
what is served now as approved (`accept`), with an audit entry per page. It also accepts the site's
frame (home page, news centre, columns) when it was set up without review, never a news item.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import hashlib
import logging
import re
import urllib.error
import urllib.request
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.test import Client
from django.urls import get_script_prefix, set_script_prefix
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.models import Page, Revision, TaskState
from wagtail.query import PageQuerySet

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import Role
from sanqu.publicity.models import (
    ArticlePage,
    NewsColumnPage,
    NewsIndexPage,
    PublicHomePage,
    PublishedFingerprint,
)

logger = logging.getLogger(__name__)

# Matched by models.BOT_AGENT: fetching a page for a fingerprint is not a reading.
USER_AGENT = "Sanqu check-published bot"
# The audit action of a finding.
AUDIT_ACTION = AuditEntry.Action.ALERT
DIFF_LINES = 40
DIFF_WIDTH = 200

_NONCE = re.compile(r"""(\snonce=)(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_VIEWS = re.compile(r'(<span class="article__views">)\d+(</span>)')
_CSRF = re.compile(
    r"""(<input\b[^>]*\bname=["']csrfmiddlewaretoken["'][^>]*\bvalue=)(?:"[^"]*"|'[^']*')""", re.IGNORECASE
)
_CSRF_FIRST = re.compile(
    r"""(<input\b[^>]*\bvalue=)(?:"[^"]*"|'[^']*')([^>]*\bname=["']csrfmiddlewaretoken["'])""",
    re.IGNORECASE,
)
# The parts of a news item that show the pages above it (see the module's docstring).
_BREADCRUMB = re.compile(r'<nav class="breadcrumb".*?</nav>', re.DOTALL)
_QR = re.compile(r"<svg\b[^>]*\bclass=\"qr__code\".*?</svg>", re.DOTALL)
# The lists of other pages on the home page, the news centre and the columns (templates mark them).
_LISTED = re.compile(r"<!-- listed -->.*?<!-- /listed -->", re.DOTALL)

# The pages kept as approved: every page type of the public site.
FINGERPRINTED = (PublicHomePage, NewsIndexPage, NewsColumnPage, ArticlePage)


def normalise(html: str) -> str:
    """The page's HTML without what differs from one request to the next (see the module's docstring)."""
    html = _NONCE.sub(r'\1""', html)
    html = _VIEWS.sub(r"\1#\2", html)
    html = _CSRF.sub(r'\1""', html)
    html = _CSRF_FIRST.sub(r'\1""\2', html)
    return html.replace("><", ">\n<")


def digest(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


@dataclasses.dataclass
class Served:
    url: str
    status: int
    html: str

    @property
    def normalised(self) -> str:
        return normalise(self.html)


def site_address(page: Page) -> tuple[str, str, bool]:
    """(host header, path, https?) of the page on its Wagtail site."""
    _site_id, root_url, path = page.get_url_parts() or (None, "", page.url_path)
    parts = urlsplit(root_url or "http://localhost")
    return parts.netloc or "localhost", path or "/", parts.scheme == "https"


def fetch(page: Page, *, base_url: str | None = None) -> Served:
    """The page as the public gets it now, asked for with the site's hostname.

    In the process through the whole Django stack, or with `base_url` over HTTP from a server on
    this machine (loopback only).
    """
    host, path, secure = site_address(page)
    if base_url:
        return _fetch_http(base_url, host, path)
    # The test client activates the request's language and script prefix for the thread: keep the
    # caller's (a reviewer's request in the admin goes on after this).
    prefix = get_script_prefix()
    with translation.override(translation.get_language()):
        try:
            response = Client(HTTP_USER_AGENT=USER_AGENT).get(path, HTTP_HOST=host, secure=secure)
        finally:
            set_script_prefix(prefix)
    return Served(url=path, status=response.status_code, html=response.content.decode("utf-8", "replace"))


def check_loopback(base_url: str) -> str:
    """The base URL without its trailing slash, if it is http(s) on this machine; ValueError if not."""
    parts = urlsplit(base_url)
    hostname = parts.hostname or ""
    loopback = hostname == "localhost"
    with contextlib.suppress(ValueError):  # not an IP address
        loopback = loopback or ip_address(hostname).is_loopback
    if parts.scheme not in {"http", "https"} or not loopback:
        raise ValueError(base_url)
    return base_url.rstrip("/")


def _fetch_http(base_url: str, host: str, path: str) -> Served:
    url = check_loopback(base_url) + path
    request = urllib.request.Request(url, headers={"Host": host, "User-Agent": USER_AGENT})  # noqa: S310 (loopback http(s) only)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return Served(url=path, status=response.status, html=response.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as error:
        return Served(url=path, status=error.code, html=error.read().decode("utf-8", "replace"))


# --- Taking fingerprints -------------------------------------------------------------------------


def approval_of(revision: Revision) -> TaskState | None:
    """The workflow task that approved this revision, if a reviewer approved it (the newest one)."""
    return (
        TaskState.objects.filter(revision=revision, status=TaskState.STATUS_APPROVED)
        .select_related("finished_by")
        .order_by("-finished_at", "-pk")
        .first()
    )


def latest_fingerprint(page: Page) -> PublishedFingerprint | None:
    return PublishedFingerprint.objects.filter(page=page).select_related("approved_by").first()


def public_pages() -> PageQuerySet:
    """Every live public page of the site: home page, news centre, columns, news items."""
    return Page.objects.live().public().type(*FINGERPRINTED).order_by("path")


def save_fingerprint(
    page: Page, served: Served, *, like: PublishedFingerprint | None = None, **fields: Any
) -> PublishedFingerprint:
    normalised = served.normalised
    if like is not None:
        fields = {
            "revision": like.revision,
            "approved_by": like.approved_by,
            "approved_at": like.approved_at,
        } | fields
    return PublishedFingerprint.objects.create(
        page=page, url=served.url, sha256=digest(normalised), html=normalised, **fields
    )


def take_fingerprint(
    page: Page, *, revision: Revision | None, approved_by: Any, approved_at: Any
) -> PublishedFingerprint | None:
    """Fetch the page and keep its fingerprint; None if the public cannot open it (not 200)."""
    served = fetch(page)
    if served.status != 200:
        logger.warning("No fingerprint of page %s: %s answers %s", page.pk, served.url, served.status)
        return None
    return save_fingerprint(page, served, revision=revision, approved_by=approved_by, approved_at=approved_at)


def without_derived(normalised: str) -> str:
    """The page without what other pages put there (see the module's docstring)."""
    return _LISTED.sub("", _QR.sub("", _BREADCRUMB.sub("", normalised)))


def refresh_related(page: Page) -> list[PublishedFingerprint]:
    """New fingerprints of the live pages above and below `page` that changed only where it shows.

    Run after an approved publish of `page`: the lists above it and the breadcrumbs and addresses
    below it then change by an approved change. A page that differs in anything else keeps its
    fingerprint, and the check reports it.
    """
    related = public_pages().filter(
        Q(pk__in=Page.objects.ancestor_of(page).values("pk")) | Q(path__startswith=page.path)
    )
    return [taken for other in related.exclude(pk=page.pk) if (taken := refresh(other)) is not None]


def refresh(page: Page) -> PublishedFingerprint | None:
    """A new fingerprint of `page` if it now differs from its last one only where other pages show."""
    before = latest_fingerprint(page)
    if before is None:
        return None
    served = fetch(page)
    if served.status != 200 or digest(served.normalised) == before.sha256:
        return None
    if without_derived(served.normalised) != without_derived(before.html):
        return None
    return save_fingerprint(page, served, like=before, kind=PublishedFingerprint.Kind.REFRESH)


def on_page_published(*, sender: Any, instance: Page, revision: Revision, **kwargs: Any) -> None:
    """Wagtail's `page_published`: fingerprint what a reviewer approved (nothing else)."""
    approval = approval_of(revision)
    if approval is None or not instance.live:
        return
    page = instance.specific
    try:
        with transaction.atomic():
            if isinstance(page, FINGERPRINTED):
                take_fingerprint(
                    page,
                    revision=revision,
                    approved_by=approval.finished_by,
                    approved_at=approval.finished_at or timezone.now(),
                )
            refresh_related(page)
    except Exception:
        # The approval stands; without a fingerprint the check reports the page, so nothing is hidden.
        logger.exception("Could not fingerprint page %s after its approval", instance.pk)


def on_page_unpublished(*, sender: Any, instance: Page, **kwargs: Any) -> None:
    """Wagtail's `page_unpublished` (also sent for a live page being deleted): the lists above it change.

    Taking a page offline needs no approval (it shows nothing new); the pages listing it are refreshed
    once the change is committed.
    """
    above = list(public_pages().ancestor_of(instance).values_list("pk", flat=True))

    def refresh_above() -> None:
        try:
            with transaction.atomic():
                for page in public_pages().filter(pk__in=above):
                    refresh(page)
        except Exception:
            logger.exception("Could not refresh the fingerprints above page %s", instance.pk)

    transaction.on_commit(refresh_above)


# --- Checking ------------------------------------------------------------------------------------


@dataclasses.dataclass
class Finding:
    """A live public page that the public does not see as it was approved."""

    page: Page
    fingerprint: PublishedFingerprint | None  # None: live without any approval
    status: int = 200
    diff: list[str] = dataclasses.field(default_factory=list)

    @property
    def unapproved(self) -> bool:
        return self.fingerprint is None


def short_diff(before: str, after: str, *, url: str = "") -> list[str]:
    lines = list(
        difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            fromfile=f"{url} (approved)",
            tofile=f"{url} (served)",
            lineterm="",
            n=1,
        )
    )
    clipped = [line if len(line) <= DIFF_WIDTH else line[: DIFF_WIDTH - 1] + "…" for line in lines]
    if len(clipped) > DIFF_LINES:
        clipped = [*clipped[:DIFF_LINES], f"… (+{len(clipped) - DIFF_LINES})"]
    return clipped


def check_published(*, base_url: str | None = None) -> list[Finding]:
    """Every live public page whose served HTML differs from its approval, or that has none."""
    findings = []
    for page in public_pages().specific():
        fingerprint = latest_fingerprint(page)
        if fingerprint is None:
            findings.append(Finding(page=page, fingerprint=None))
            continue
        served = fetch(page, base_url=base_url)
        normalised = served.normalised
        if served.status == 200 and digest(normalised) == fingerprint.sha256:
            continue
        findings.append(
            Finding(
                page=page,
                fingerprint=fingerprint,
                status=served.status,
                diff=short_diff(fingerprint.html, normalised, url=served.url),
            )
        )
    return findings


def city_admin(username: str) -> User:
    """The active city admin of that username; ValueError if there is none."""
    user = User.objects.filter(username=username, is_active=True, memberships__role=Role.CITY_ADMIN).first()
    if user is None:
        raise ValueError(username)
    return user


@transaction.atomic
def accept(findings: list[Finding], *, by: User) -> list[PublishedFingerprint]:
    """Take what the site serves now as approved, for pages a city admin checked (after a deployment).

    For a page that differs from its approval (a new template, a new version of Sanqu), and for a page
    of the site's frame (home, news centre, column) set up without review. A news item live without
    any approval is never accepted here: it goes through the review like any other. Each acceptance
    is a fingerprint of kind 市级管理员确认 and an audit entry.
    """
    taken = []
    now = timezone.now()
    for finding in findings:
        if finding.unapproved and isinstance(finding.page, ArticlePage):
            continue
        served = fetch(finding.page)
        if served.status != 200:
            continue
        fingerprint = save_fingerprint(
            finding.page,
            served,
            revision=finding.page.live_revision,
            approved_by=by,
            approved_at=now,
            kind=PublishedFingerprint.Kind.ACCEPTED,
        )
        audit.record(
            actor=by,
            action=AuditEntry.Action.UPDATE,
            obj=finding.page,
            detail={
                "check": "check-published --accept",
                "url": served.url,
                "sha256": fingerprint.sha256,
                "previous_sha256": finding.fingerprint.sha256 if finding.fingerprint else "",
            },
        )
        taken.append(fingerprint)
    return taken


def public_url(page: Page) -> str:
    return page.get_full_url() or page.url_path


def describe(finding: Finding) -> str:
    """One paragraph about the finding, for the console and the email (no diff)."""
    values = {"title": finding.page.title, "url": public_url(finding.page)}
    if finding.fingerprint is None:
        return _("“%(title)s” %(url)s\n  已公开，但没有经过审核的记录（未经审核流程发布）。") % values
    fingerprint = finding.fingerprint
    values |= {
        "at": timezone.localtime(fingerprint.approved_at).strftime("%Y-%m-%d %H:%M"),
        "by": fingerprint.approved_by.get_username() if fingerprint.approved_by else _("（已删除的用户）"),
    }
    if finding.status != 200:
        values["status"] = finding.status
        return _("“%(title)s” %(url)s\n  %(at)s 由 %(by)s 审核通过，现在打开返回状态 %(status)s。") % values
    return _("“%(title)s” %(url)s\n  %(at)s 由 %(by)s 审核通过，现在公开的页面与审核通过时不一致。") % values


def city_admins() -> list[User]:
    """Active users holding the role city_admin, with an email address."""
    return list(
        User.objects.filter(is_active=True, memberships__role=Role.CITY_ADMIN, email__gt="")
        .distinct()
        .order_by("username")
    )


def report(findings: list[Finding]) -> None:
    """An audit entry per page and one email to the city admins listing them all."""
    with transaction.atomic():
        for finding in findings:
            audit.record(
                actor=None,
                action=AUDIT_ACTION,
                obj=finding.page,
                detail={
                    "check": "check-published",
                    "kind": "unapproved" if finding.unapproved else "changed",
                    "url": public_url(finding.page),
                    "status": finding.status,
                    "approved_sha256": finding.fingerprint.sha256 if finding.fingerprint else "",
                },
            )
    recipients = [user.email for user in city_admins()]
    if not recipients:
        logger.warning("check-published found %s pages and no city admin has an email address", len(findings))
        return
    subject = _("【三区计划】%(count)s 个公开页面与审核通过时不一致") % {"count": len(findings)}
    body = (
        _("您好：\n\n以下公开网站页面与审核通过时不一致，或未经审核就已公开，请尽快核查：\n\n")
        + "\n\n".join(describe(finding) for finding in findings)
        + _("\n\n差异详情可在服务器上运行 sanqu check-published 查看。\n本邮件由系统自动发送。")
    )
    EmailMessage(subject, body, None, recipients).send()
