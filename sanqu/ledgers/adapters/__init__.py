"""One adapter per ledger kind: how its rows find, compare, create and update records.

An adapter has `fields` (a model field named in a ValidationError → the column key it comes from)
and `writable(actor)` (the records the actor may change: a row naming any other is refused, even
when it would change nothing, so an import never tells what lies outside one's scope),
`key(values)`, `find(values)`, `differs(record, values)`, `create(actor, values)`,
`update(actor, record, values)`; writes go through the kind's own service functions, so an
imported row is checked exactly as the form checks it (see `sanqu.ledgers.importing`).
"""

from __future__ import annotations

from typing import Any

from sanqu.ledgers.adapters.beneficiaries import BeneficiaryRows
from sanqu.ledgers.adapters.certificates import CertificateRows
from sanqu.ledgers.adapters.dispatches import DispatchRows
from sanqu.ledgers.adapters.incentives import IncentiveRows
from sanqu.ledgers.adapters.organisations import OrganisationRows
from sanqu.ledgers.adapters.services import ServiceRows
from sanqu.ledgers.adapters.trainees import TraineeRows

# Kind code → the adapter's class, in the order of DESIGN §6.
ADAPTERS: dict[str, Any] = {
    "dispatch": DispatchRows,
    "trainee": TraineeRows,
    "organisation": OrganisationRows,
    "certificate": CertificateRows,
    "beneficiary": BeneficiaryRows,
    "service": ServiceRows,
    "incentive": IncentiveRows,
}
