"""The demo's dispatch lifecycle: renewals linked, assessment dates and the 良好 grade.

The workforce builder already decided who served when, who left early and who was assessed; this
step only adds what the lifecycle keeps beside that, from its own generator (the shared one is
left alone, so nothing made after it changes):

- a worker who completed a term and came back to the same county the next programme year is a
  renewal (续派): the new term points at the old one, and the old term ends the day before the
  new one starts (the builder's terms of one person could share a few weeks in spring);
- every assessed term gets its assessment date, 10 to 20 days after its end;
- some of the 合格 grades become 良好, so the four grades all occur.

No figure of the seed table changes: starts, statuses and counties stay as they were, and the
terms shortened here all ended long before the demo's date.
"""

from __future__ import annotations

import datetime as dt
import random

from sanqu.demo.plan import AS_OF
from sanqu.workforce.models import Dispatch

SEED = 20130601  # the programme's first dispatch day
GOOD_SHARE = 0.4  # of the 合格 grades


def build_dispatch_terms() -> int:
    """Link renewals and complete the assessments; the number of renewals linked."""
    rng = random.Random(SEED)  # noqa: S311 (made-up data that must be the same every run)
    dispatches = list(Dispatch.objects.select_related("programme_year").order_by("started_on", "pk"))
    by_term = {(d.person_id, d.county_id, d.programme_year.year): d for d in dispatches}
    changed: set[int] = set()
    renewals = 0
    for dispatch in dispatches:
        previous = by_term.get((dispatch.person_id, dispatch.county_id, dispatch.programme_year.year - 1))
        if previous is None or previous.status != Dispatch.Status.COMPLETED:
            continue
        dispatch.renewal_of = previous
        renewals += 1
        assert previous.ended_on is not None  # noqa: S101 - a completed demo term has its end
        if previous.ended_on >= dispatch.started_on:
            previous.ended_on = previous.planned_end_on = dispatch.started_on - dt.timedelta(days=1)
        changed.update((dispatch.pk, previous.pk))
    for dispatch in dispatches:
        if not dispatch.assessment:
            continue
        assert dispatch.ended_on is not None  # noqa: S101 - only ended demo terms are assessed
        dispatch.assessed_on = min(dispatch.ended_on + dt.timedelta(days=rng.randint(10, 20)), AS_OF)
        if dispatch.assessment == Dispatch.Assessment.PASS and rng.random() < GOOD_SHARE:
            dispatch.assessment = Dispatch.Assessment.GOOD
        changed.add(dispatch.pk)
    Dispatch.objects.bulk_update(
        [d for d in dispatches if d.pk in changed],
        ["renewal_of", "ended_on", "planned_end_on", "assessment", "assessed_on"],
        batch_size=500,
    )
    return renewals
