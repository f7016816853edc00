"""The organisations ledger (社会工作组织台账) into the organisation registry.

The ledger has no column for whether an organisation is a social-work organisation (the registry's
`social_work`, which the figures count). Universities (高校) come into it as the bodies that send
social workers, not as a county's social-work organisations, so a new 高校 is registered as not one;
every other kind is. An organisation on file keeps what the registry says.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sanqu.accounts.models import User
from sanqu.ledgers.kinds import choice_values
from sanqu.orgs.models import Organisation
from sanqu.orgs.selectors import writable_organisations
from sanqu.orgs.services import organisation_create, organisation_update


class OrganisationRows:
    """组织台账: the credit code names an organisation, else its name within its county."""

    fields = {
        "name": "name",
        "kind": "kind",
        "credit_code": "credit_code",
        "home_county": "county",
        "registered_on": "registered_on",
        "deregistered_on": "deregistered_on",
        "supervising_unit": "supervising_unit",
    }
    kinds = choice_values(Organisation.Kind)

    def _data(self, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": values["name"],
            "kind": self.kinds[values["kind"]],
            "credit_code": values.get("credit_code") or "",
            "home_county": values["county"],
            "registered_on": values["registered_on"],
            "deregistered_on": values.get("deregistered_on"),
            "supervising_unit": values.get("supervising_unit") or "",
        }

    def writable(self, actor: User) -> QuerySet[Organisation]:
        return writable_organisations(actor)

    def key(self, values: dict[str, Any]) -> tuple[Any, ...]:
        code = values.get("credit_code")
        return ("code", code) if code else ("name", values["name"], values["county"].pk)

    def find(self, values: dict[str, Any]) -> Organisation | None:
        code = values.get("credit_code")
        if code:
            found = Organisation.objects.filter(credit_code=code).first()
            if found is not None:
                return found
        return Organisation.objects.filter(name=values["name"], home_county=values["county"]).first()

    def differs(self, record: Organisation, values: dict[str, Any]) -> bool:
        return any(getattr(record, name) != value for name, value in self._data(values).items())

    def create(self, actor: User, values: dict[str, Any]) -> None:
        data = self._data(values)
        organisation_create(actor=actor, social_work=data["kind"] != Organisation.Kind.COLLEGE, **data)

    def update(self, actor: User, record: Organisation, values: dict[str, Any]) -> None:
        organisation_update(actor=actor, organisation=record, data=self._data(values))
