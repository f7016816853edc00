"""The certified social workers ledger (持证社工台账) into the people registry's certificates."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sanqu.accounts.models import User
from sanqu.ledgers.kinds import choice_values
from sanqu.workforce.models import Certificate, Person
from sanqu.workforce.selectors import people_for
from sanqu.workforce.services import (
    certificate_create,
    certificate_update,
    find_person_by_id_number,
    person_create,
    writable_certificates,
)


class CertificateRows:
    """持证台账: the holder's ID number and the level name a certificate.

    The holder is found by ID number; someone not on file yet is registered (name, ID number, and
    the row's county as her county), as the person form would. A holder on file must be someone the
    importer may see (the certificate form offers no one else), and the row's name must be hers:
    the ledger does not rename people.
    """

    fields = {
        "person": "id_number",
        "level": "level",
        "obtained_on": "obtained_on",
        "county": "county",
        "number": "number",
        # person_create's fields, when the holder is registered from the row.
        "name": "name",
        "id_number": "id_number",
    }
    levels = choice_values(Certificate.Level)

    def _data(self, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "level": self.levels[values["level"]],
            "obtained_on": values["obtained_on"],
            "county": values["county"],
            "number": values.get("number") or "",
        }

    def _holder(self, actor: User, values: dict[str, Any]) -> Person | None:
        """The person the row's ID number names, checked against the row's name; None if not on file."""
        person = find_person_by_id_number(values["id_number"])
        if person is None:
            return None
        if not people_for(actor).filter(pk=person.pk).exists():
            raise PermissionDenied
        if person.name != values["name"].strip():
            raise ValidationError(
                {
                    "name": _("姓名“%(row)s”与该身份证号登记的姓名“%(name)s”不符。")
                    % {"row": values["name"], "name": person.name}
                }
            )
        return person

    def writable(self, actor: User) -> QuerySet[Certificate]:
        return writable_certificates(actor)

    def key(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return (values["id_number"], values["level"])

    def find(self, values: dict[str, Any]) -> Certificate | None:
        person = find_person_by_id_number(values["id_number"])
        if person is None:
            return None
        return (
            Certificate.objects.select_related("person", "county")
            .filter(person=person, level=self.levels[values["level"]])
            .first()
        )

    def differs(self, record: Certificate, values: dict[str, Any]) -> bool:
        if record.person.name != values["name"].strip():
            return True  # refused by update, which names both names
        return any(getattr(record, name) != value for name, value in self._data(values).items())

    def create(self, actor: User, values: dict[str, Any]) -> None:
        person = self._holder(actor, values)
        if person is None:
            person = person_create(
                actor=actor, name=values["name"], id_number=values["id_number"], county=values["county"]
            )
        certificate_create(actor=actor, person=person, **self._data(values))

    def update(self, actor: User, record: Certificate, values: dict[str, Any]) -> None:
        if not writable_certificates(actor).filter(pk=record.pk).exists():
            raise PermissionDenied  # another county's certificate: out of scope before its holder's name
        self._holder(actor, values)
        certificate_update(actor=actor, certificate=record, data=self._data(values))
