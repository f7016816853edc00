"""People (人员): read in scope with ID number and phone masked; `?unmask=1` reveals them (audited)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry
from sanqu.accounts.roles import UNMASK
from sanqu.api.base import (
    CreateRecord,
    DeleteRecord,
    RegionCodeField,
    ScopedRelatedField,
    ScopedViewSet,
    UpdateRecord,
)
from sanqu.orgs.selectors import organisations_for
from sanqu.regions.models import Region
from sanqu.workforce.models import Person
from sanqu.workforce.selectors import people_for
from sanqu.workforce.services import person_create, person_delete, person_update


class UnmaskParameter(serializers.Serializer):
    unmask = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("为 1 时显示完整的身份证号和手机号（须有查看权限，并记入审计日志）。"),
    )


class PersonSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField(help_text=gettext_lazy("身份证号（默认脱敏）"))
    phone = serializers.SerializerMethodField(help_text=gettext_lazy("手机号（默认脱敏）"))
    unmasked = serializers.SerializerMethodField()
    county = RegionCodeField(read_only=True)
    county_name = serializers.CharField(source="county.name", read_only=True)
    organisation_name = serializers.CharField(
        source="organisation.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "sex",
            "id_number",
            "phone",
            "unmasked",
            "county",
            "county_name",
            "organisation",
            "organisation_name",
        ]

    def _unmask(self) -> bool:
        return bool(self.context.get("unmask"))

    def get_id_number(self, person: Person) -> str:
        return (person.id_number or "") if self._unmask() else person.id_number_masked

    def get_phone(self, person: Person) -> str:
        return (person.phone or "") if self._unmask() else person.phone_masked

    def get_unmasked(self, person: Person) -> bool:
        return self._unmask()


class PersonWrite(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=32, help_text=gettext_lazy("18 位公民身份号码"))
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    county = RegionCodeField(level=Region.Level.COUNTY, help_text=gettext_lazy("所属区县代码"))
    organisation = ScopedRelatedField(selector=organisations_for, required=False, allow_null=True)


class PersonViewSet(CreateRecord, UpdateRecord, DeleteRecord, ScopedViewSet):
    """人员：身份证号与手机号默认脱敏；`?unmask=1` 显示完整信息（须有权限，每人记一条审计）。"""

    selector = staticmethod(people_for)
    serializer_class = PersonSerializer
    write_perms = {"create": "workforce.add_person", "partial_update": "workforce.change_person"}
    write_serializer_class = PersonWrite
    unmask_class = UnmaskParameter
    region_field = "county"

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "unmask": self._unmask_requested()}

    def _unmask_requested(self) -> bool:
        if self.request is None or self.action not in ("list", "retrieve"):
            return False
        parameter = UnmaskParameter(data=self.request.query_params)
        parameter.is_valid(raise_exception=True)
        if not parameter.validated_data["unmask"]:
            return False
        if not self.request.user.has_perm(UNMASK):
            raise exceptions.PermissionDenied(_("您的角色不能查看完整的身份证号和手机号。"))
        return True

    def before_output(self, records: Sequence[Any]) -> None:
        """Each person shown unmasked is an audit entry, as on the person's page."""
        if not self._unmask_requested():
            return
        for person in records:
            audit.record(
                actor=self.actor,
                action=AuditEntry.Action.UNMASK,
                obj=person,
                detail={"fields": ["id_number", "phone"]},
                request=self.request._request,
            )

    def create_record(self, values: dict[str, Any]) -> Person:
        return person_create(actor=self.actor, request=self.request._request, **values)

    def update_record(self, record: Person, values: dict[str, Any]) -> Person:
        id_number = values.pop("id_number", "")
        phone = values.pop("phone", None)
        return person_update(
            actor=self.actor,
            person=record,
            data=values,
            id_number=id_number,
            phone=phone,
            request=self.request._request,
        )

    def delete_record(self, record: Person) -> None:
        person_delete(actor=self.actor, person=record, request=self.request._request)
