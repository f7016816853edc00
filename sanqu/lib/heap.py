"""Keep the garbage collector off the objects a long-running process loads once.

A Sanqu process holds a few hundred thousand objects from start-up (modules, classes, the URL
patterns, the settings) that live as long as it does. Python's collector walks them all at each
full collection, and a results report or a busy page triggers several: about a third of a second
of a province's report was spent there. `settle()` collects once, then moves every survivor out of
the collector's sight (`gc.freeze()`), so later collections walk only what requests and tasks
create. Called once Django is set up, by the processes that run until stopped: the web
application (sanqu.wsgi), the task worker and the scheduler (sanqu.cli).
"""

from __future__ import annotations

import gc

from django.urls import get_resolver


def settle() -> None:
    # The URL patterns import every view, and through them the models' services, WeasyPrint and
    # openpyxl: loaded now rather than at the first request or task, they are settled with the rest.
    get_resolver().url_patterns  # noqa: B018
    gc.collect()
    gc.freeze()
