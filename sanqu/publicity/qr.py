"""The QR code under an article: "scan to open this page on your phone"."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def qr_code(url: str) -> segno.QRCode:
    # Always a full QR code (segno.make may choose a Micro QR, which phone cameras do not read).
    return segno.make_qr(url, error="m")


def qr_svg(url: str) -> SafeString:
    """The code as inline SVG (no style attribute, so the public site's CSP allows it)."""
    svg = qr_code(url).svg_inline(scale=4, border=2, title=_("用手机扫码打开本页"), svgclass="qr__code")
    return mark_safe(svg)  # noqa: S308 (segno's own markup; the URL is encoded in the path, not inserted)
