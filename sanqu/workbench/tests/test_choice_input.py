"""The chips' inputs, built without a template per option, say what Django's own widgets say."""

from __future__ import annotations

from html.parser import HTMLParser

from django import forms

from sanqu.workbench.templatetags.sanqu import choice_input


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            self.found.append(dict(attrs))


def _inputs(html: str) -> list[dict[str, str | None]]:
    parser = _Inputs()
    parser.feed(html)
    return parser.found


class _Form(forms.Form):
    kind = forms.ChoiceField(choices=[("1", "走访"), ('"<&', "引号")], widget=forms.RadioSelect)
    people = forms.MultipleChoiceField(
        choices=[("a", "甲"), ("b", "乙"), ("c", "丙")], widget=forms.CheckboxSelectMultiple, required=False
    )


def test_a_radio_and_a_checkbox_come_out_as_djangos_own_tags() -> None:
    form = _Form(data={"kind": '"<&', "people": ["a", "c"]})
    for name in ("kind", "people"):
        for option in form[name]:
            assert _inputs(choice_input(option)) == _inputs(option.tag()), option.tag()


def test_the_chosen_options_are_checked_and_a_required_choice_is_required() -> None:
    form = _Form(data={"kind": '"<&', "people": ["a", "c"]})
    kinds = _inputs("".join(choice_input(option) for option in form["kind"]))
    people = _inputs("".join(choice_input(option) for option in form["people"]))

    assert [(i["value"], "checked" in i, "required" in i) for i in kinds] == [
        ("1", False, True),
        ('"<&', True, True),
    ]
    assert [(i["value"], "checked" in i) for i in people] == [("a", True), ("b", False), ("c", True)]
    assert [i["id"] for i in people] == ["id_people_0", "id_people_1", "id_people_2"]
