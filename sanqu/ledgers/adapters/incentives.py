"""The incentive policies ledger (激励政策台账) into the counties' incentive policies."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sanqu.accounts.models import User
from sanqu.incentives.models import IncentivePolicy
from sanqu.incentives.selectors import writable_policies
from sanqu.incentives.services import policy_create, policy_update
from sanqu.ledgers.kinds import choice_values


class IncentiveRows:
    """激励政策台账: a policy is its county, name and kind.

    The ledger holds neither the eligibility rule (levels covered, their amounts) nor "certificate
    obtained while in force": a new policy starts without them, and a re-import leaves them as set.
    """

    fields = {
        "county": "county",
        "name": "name",
        "kind": "kind",
        "effective_from": "effective_from",
        "effective_until": "effective_until",
        "amount": "amount",
    }
    kinds = choice_values(IncentivePolicy.Kind)

    def _data(self, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "county": values["county"],
            "name": values["name"].strip(),
            "kind": self.kinds[values["kind"]],
            "effective_from": values["effective_from"],
            "effective_until": values.get("effective_until"),
            "amount": values.get("amount"),
        }

    def writable(self, actor: User) -> QuerySet[IncentivePolicy]:
        return writable_policies(actor)

    def key(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return (values["county"].pk, values["name"].strip(), values["kind"])

    def find(self, values: dict[str, Any]) -> IncentivePolicy | None:
        data = self._data(values)
        return IncentivePolicy.objects.filter(
            county=data["county"], name=data["name"], kind=data["kind"]
        ).first()

    def differs(self, record: IncentivePolicy, values: dict[str, Any]) -> bool:
        return any(getattr(record, name) != value for name, value in self._data(values).items())

    def create(self, actor: User, values: dict[str, Any]) -> None:
        policy_create(actor=actor, **self._data(values))

    def update(self, actor: User, record: IncentivePolicy, values: dict[str, Any]) -> None:
        policy_update(actor=actor, policy=record, data=self._data(values))
