"""Chinese first, English on request, through Django's set_language view."""

from __future__ import annotations

from sanqu.testing import World


def test_it_switches_the_page_to_english_and_back(world: World, as_user) -> None:
    client = as_user("worker")
    assert "<h1>工作台</h1>" in client.get("/").content.decode()

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    content = client.get("/").content.decode()
    assert '<html lang="en">' in content
    assert "<h1>Workbench</h1>" in content
    assert "My dispatch" in content

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "<h1>工作台</h1>" in client.get("/").content.decode()


def test_it_offers_the_switch_as_a_post_form_with_csrf(world: World, as_user) -> None:
    content = as_user("worker").get("/people/").content.decode()
    form = content[content.index('action="/i18n/setlang/"') :]
    form = form[: form.index("</form>")]
    assert 'name="csrfmiddlewaretoken"' in form
    assert 'name="next" value="/people/"' in form
    assert 'name="language" value="en"' in form


def test_chinese_pages_keep_djangos_and_wagtails_chinese_and_english_ones_ours() -> None:
    from django.utils import translation

    # Our Chinese msgids have a catalogue of their own in Chinese (setup makes it from the English
    # one); it must not take the place of what Django and Wagtail translate themselves.
    djangos = "This field is required."  # a name, not a literal: the message is Django's, not ours to list
    with translation.override("zh-hans"):
        assert translation.gettext("服务对象") == "服务对象"
        assert translation.gettext(djangos) == "该字段是必填项。"
        assert translation.ngettext("%(n)s 项全部相符", "%(n)s 项全部相符", 3) == "%(n)s 项全部相符"
    with translation.override("en"):
        assert translation.gettext("服务对象") == "Beneficiary"
        assert translation.gettext(djangos) == djangos
