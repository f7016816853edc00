from __future__ import annotations

import re

from django.urls import reverse

from sanqu.testing import World


def test_it_gives_the_admin_widgets_inline_scripts_the_nonce_of_the_header(world: World, as_user) -> None:
    response = as_user("chengkou").get(reverse("wagtailsnippets_workforce_certificate:add"))
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    body = response.content.decode()
    assert f'<script nonce="{nonce}">new SnippetChooser(' in body
    assert "<script>" not in body


def test_it_does_the_same_inside_a_chooser_modal(world: World, as_user) -> None:
    response = as_user("chengkou").get("/admin/snippets/choose/workforce/person/")
    assert "<script>" not in response.content.decode()


def test_it_never_gives_the_nonce_to_a_preview_of_what_authors_wrote(db: None, rf) -> None:
    from django.http import HttpResponse
    from django.middleware.csp import ContentSecurityPolicyMiddleware

    from sanqu.accounts.admin_views_csp import AdminInlineScriptNonceMiddleware

    def page_with_script(request):
        return HttpResponse(b"<p>news</p><script>alert(1)</script>", content_type="text/html")

    middleware = ContentSecurityPolicyMiddleware(AdminInlineScriptNonceMiddleware(page_with_script))
    preview = middleware(rf.get("/admin/pages/3/edit/preview/"))
    editor = middleware(rf.get("/admin/pages/3/edit/"))

    assert b"<script>alert(1)" in preview.content
    assert b"<script nonce=" in editor.content
