"""One adapter per ledger kind: how its rows find, compare, create and update records.

An adapter has `fields` (a model field named in a ValidationError → the column key it comes from)
and `key(values)`, `find(values)`, `differs(record, values)`, `create(actor, values)`,
`update(actor, record, values)`; writes go through the kind's own service functions, so an
imported row is checked exactly as the form checks it (see `sanqu.ledgers.importing`).
"""

from __future__ import annotations

from typing import Any

from sanqu.ledgers.adapters.organisations import OrganisationRows

# Kind code → the adapter's class, in the order of DESIGN §6.
ADAPTERS: dict[str, Any] = {
    "organisation": OrganisationRows,
}
