"""Every named URL of the site has a name of its own: two views under one name would make
`{% url %}` and `reverse()` send people to whichever was included last."""

from __future__ import annotations

from collections import Counter

from django.urls import URLPattern, URLResolver, get_resolver


def _names(patterns: list, namespace: str = "") -> list[str]:
    names: list[str] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(namespace + pattern.name)
    return names


def test_no_two_views_share_a_url_name() -> None:
    repeated = {
        name: count
        for name, count in Counter(_names(get_resolver().url_patterns)).items()
        if count > 1 and not name.startswith(("wagtail", "django-admin"))
    }
    assert repeated == {}
