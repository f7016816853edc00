"""The seed's table from ledgers alone: the demo's records exported as the bureau's ledgers, imported into
a database holding only the programme's set-up, give the same `sanqu figures`.

The set-up is what a bureau enters on the programme pages before any ledger: the regions, the
programme years with their receiving counties and quotas, and the stations. Every record the
seed's table counts — organisations, dispatched workers (and so the people), trainees, certificates
and incentive policies — comes back from its ledger.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Q

from sanqu.accounts.models import Membership, User
from sanqu.cases import rollups
from sanqu.demo.loading import DOMAIN_MODELS
from sanqu.ledgers.exporting import export_ledger_file
from sanqu.ledgers.importing import import_ledger
from sanqu.orgs.models import Organisation
from sanqu.projects.models import ProgrammeYear, ReceivingCounty
from sanqu.regions.models import Region, Station
from sanqu.workforce.models import Person

AS_OF = dt.date(2018, 7, 10)
# In the order a bureau would import them: the sending organisations before the dispatches.
LEDGERS = ("organisation", "dispatch", "trainee", "certificate", "incentive")
SET_UP = {ProgrammeYear, ReceivingCounty, Station}
# The seed's table (README of the seed), and the people side the same ledgers carry.
SEED_TABLE = (
    "receiving_counties",
    "dispatched_total",
    "dispatched_people",
    "trained_total",
    "organisations_total",
    "organisations_by_type",
    "counties_with_organisations",
    "organisations_baseline",
    "organisations_added",
    "certified_total",
    "certified_baseline",
    "certified_growth_multiple",
    "incentive_counties",
    "dispatch_retention",
    "early_leavers_by_reason",
    "trainees_vs_quota",
    "certified_by_level",
)


def figures() -> dict[str, Any]:
    out = io.StringIO()
    call_command("figures", "--scope", "500000", "--as-of", AS_OF.isoformat(), "--json", stdout=out)
    found = json.loads(out.getvalue())
    return {key: found[key] for key in SEED_TABLE}


def keep_only_the_set_up() -> None:
    """Delete every programme record but the set-up (the stations lose their operators); the
    figures' rollups and tallies are rebuilt once at the end, as a reset of the demo does."""
    Station.objects.update(organisation=None)
    Membership.objects.filter(Q(organisation__isnull=False) | Q(person__isnull=False)).delete()
    with rollups.deferred():
        for model in DOMAIN_MODELS:
            if model not in SET_UP:
                model._default_manager.all().delete()


@pytest.mark.django_db
def test_the_demos_ledgers_imported_into_an_empty_programme_give_the_same_figures(
    demo: str, settings: Any
) -> None:
    settings.SANQU_TODAY = AS_OF
    city = User.objects.get(username="city")
    chongqing = Region.objects.get(code="500000")
    before = figures()
    assert before["dispatched_total"] == 284 and before["certified_total"] == 1077  # the seed's
    files = {
        kind: export_ledger_file(actor=city, kind=kind, scope=chongqing, unmask=True).content
        for kind in LEDGERS
    }

    keep_only_the_set_up()
    assert not Organisation.objects.exists() and not Person.objects.exists()
    assert figures() != before

    for kind in LEDGERS:
        result = import_ledger(actor=city, kind=kind, data=files[kind], filename=f"{kind}.xlsx")
        assert result.committed, (kind, result.rejected[:5])
        assert result.count("create") == len(result.rows) > 0
    assert figures() == before
