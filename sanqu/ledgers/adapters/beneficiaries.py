"""The beneficiaries ledger (服务对象台账) into the beneficiary registry: one row is one person served.

A new person is registered only as `beneficiary_register` allows, which asks for informed consent:
its date and who gave it (a guardian, named with the relation, for a child under 14). The ledger's
consent columns (beyond DESIGN §6, in the template and the export) carry them; a row of someone not
yet on file without them is refused with the registration's own message. Rows of people on file update
them; the consent on file is never changed from a ledger (it is what was given at registration).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sanqu.accounts.models import User
from sanqu.cases.models import Beneficiary, TargetGroup
from sanqu.cases.selectors.beneficiaries import beneficiaries_in_full_for
from sanqu.cases.services.beneficiaries import (
    beneficiary_assign_worker,
    beneficiary_register,
    beneficiary_update,
    find_by_id_number,
)
from sanqu.ledgers.kinds import choice_values
from sanqu.regions.models import Region
from sanqu.workforce.models import Person
from sanqu.workforce.selectors import people_for
from sanqu.workforce.services import find_person_by_id_number

POOR = "registered_poor"  # the target group 建档立卡贫困户, which 是否建档立卡贫困户 also says


class BeneficiaryRows:
    """服务对象台账: the ID number names a beneficiary."""

    fields = {
        "name": "name",
        "id_number": "id_number",
        "region": "county",
        "target_groups": "target_groups",
        "phone": "phone",
        "poverty_registered": "poverty_registered",
        "household": "poverty_registered",
        "responsible_worker": "worker_id_number",
        "registered_on": "registered_on",
        "consent_on": "consent_on",
        "consent_by": "consent_by",
        "guardian_name": "guardian_name",
        "guardian_relation": "guardian_relation",
    }
    consent_by = choice_values(Beneficiary.ConsentBy)

    def _region(self, values: dict[str, Any]) -> Region:
        region: Region = values.get("village") or values.get("township") or values["county"]
        if region.level == Region.Level.COUNTY:
            raise ValidationError({"township": _("请填写服务对象所在的乡镇(街道)或村(社区)。")})
        return region

    def _groups(self, values: dict[str, Any], record: Beneficiary | None) -> list[TargetGroup]:
        """The row's target groups by name; 是否建档立卡贫困户 adds (or must agree with) 建档立卡贫困户."""
        names = list(dict.fromkeys(values["target_groups"]))
        found = {group.name: group for group in TargetGroup.objects.filter(name__in=names)}
        held = set(record.target_groups.values_list("pk", flat=True)) if record is not None else set()
        for name in names:
            group = found.get(name)
            if group is None or not (group.active or group.pk in held):
                raise ValidationError(
                    {"target_groups": _("没有名为“%(name)s”的服务对象类别。") % {"name": name}}
                )
        groups = [found[name] for name in names]
        poor = values.get("poverty_registered")
        household_poor = bool(record is not None and record.household and record.household.poverty_registered)
        listed_poor = any(group.code == POOR for group in groups)
        if poor is True and not household_poor and not listed_poor:
            groups.append(TargetGroup.objects.get(code=POOR))
        elif poor is False and household_poor:
            raise ValidationError(
                {"poverty_registered": _("该服务对象的家庭已登记为建档立卡贫困户，请在家庭信息中更改。")}
            )
        elif poor is False and listed_poor:
            raise ValidationError({"poverty_registered": _("服务对象类别含“建档立卡贫困户”，与“否”不一致。")})
        return groups

    def _group_ids(self, values: dict[str, Any], record: Beneficiary) -> set[int] | None:
        """For comparing: a row whose groups are refused differs, so `update` checks scope, then refuses."""
        try:
            return {group.pk for group in self._groups(values, record)}
        except ValidationError:
            return None

    def _worker(self, actor: User, values: dict[str, Any]) -> Person | None:
        """The responsible worker the row names (None: not named, the stored one stays)."""
        number = values.get("worker_id_number")
        if not number:
            return None
        worker = find_person_by_id_number(number)
        if worker is None:
            raise ValidationError({"responsible_worker": _("没有登记该身份证号的社工。")})
        if not people_for(actor).filter(pk=worker.pk).exists():
            raise ValidationError({"responsible_worker": _("负责社工不在您的权限范围内。")})
        return worker

    def writable(self, actor: User) -> QuerySet[Beneficiary]:
        return beneficiaries_in_full_for(actor)

    def key(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return (values["id_number"],)

    def find(self, values: dict[str, Any]) -> Beneficiary | None:
        return find_by_id_number(values["id_number"])

    def differs(self, record: Beneficiary, values: dict[str, Any]) -> bool:
        worker = values.get("worker_id_number")
        registered_on = values.get("registered_on")
        return (
            record.name != values["name"]
            or record.region_id != self._region(values).pk
            or set(record.target_groups.values_list("pk", flat=True)) != self._group_ids(values, record)
            or record.phone != (values.get("phone") or "")
            or bool(
                worker
                and (record.responsible_worker is None or record.responsible_worker.id_number != worker)
            )
            or bool(registered_on and record.registered_on != registered_on)
        )

    def create(self, actor: User, values: dict[str, Any]) -> None:
        beneficiary_register(
            actor=actor,
            name=values["name"],
            region=self._region(values),
            target_groups=self._groups(values, None),
            consent_on=values.get("consent_on"),
            consent_by=self.consent_by.get(values.get("consent_by") or "", ""),
            guardian_name=values.get("guardian_name") or "",
            guardian_relation=values.get("guardian_relation") or "",
            id_number=values["id_number"],
            phone=values.get("phone") or "",
            responsible_worker=self._worker(actor, values),
            registered_on=values.get("registered_on"),
        )

    def update(self, actor: User, record: Beneficiary, values: dict[str, Any]) -> None:
        if not beneficiaries_in_full_for(actor).filter(pk=record.pk).exists():
            raise PermissionDenied  # someone the actor may not change: nothing about them is told
        registered_on = values.get("registered_on")
        if registered_on and registered_on != record.registered_on:
            raise ValidationError({"registered_on": _("建档日期登记后不能更改。")})
        worker = self._worker(actor, values)
        record = beneficiary_update(
            actor=actor,
            beneficiary=record,
            data={"name": values["name"], "region": self._region(values)},
            target_groups=self._groups(values, record),
            phone=values.get("phone") or "",
        )
        if worker is not None and worker != record.responsible_worker:
            beneficiary_assign_worker(actor=actor, beneficiary=record, worker=worker)
