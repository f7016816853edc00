"""Beneficiaries (服务对象): read in the two circles of the beneficiary pages, masked; written through
sanqu.cases.services.beneficiaries (de-duplication, consent, a guardian's for a child under 14).

As on the person's page: the ID number and phone come masked, the birth date as its year only, the
address, health and correction notes not at all. `?unmask=1` shows them for the records the caller
sees in full (`beneficiaries_in_full_for`) and needs UNMASK_BENEFICIARY; each record shown so is an
audit entry naming the same fields as the page's reveal. A record the caller only lists (the city
office, an organisation, a worker of the township) stays masked whatever is asked, and says so
(`in_full: false`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import UNMASK_BENEFICIARY
from sanqu.api.base import (
    CreateRecord,
    Day,
    ListFilters,
    RegionCodeField,
    ScopedRelatedField,
    ScopedViewSet,
    UpdateRecord,
)
from sanqu.api.resources.people import UnmaskParameter
from sanqu.cases.models import Beneficiary, Household, TargetGroup
from sanqu.cases.selectors.beneficiaries import beneficiaries_for, beneficiaries_in_full_for, child_cutoff
from sanqu.cases.services.beneficiaries import beneficiary_register, beneficiary_update, registrable_regions
from sanqu.lib import clock
from sanqu.regions.selectors import stations_for

REVEALED = ["id_number", "phone", "address", "health_notes", "correction_notes"]


def _households(user: User) -> QuerySet[Household]:
    """Households of the places where the user registers (as the register form offers them)."""
    return Household.objects.filter(region__in=registrable_regions(user))


class TargetGroupCodes(serializers.ListField):
    """Target groups by code (e.g. `left_behind_children`), from the active list."""

    default_error_messages = {"unknown": gettext_lazy("没有代码为“%(code)s”的服务对象类别。")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.SlugField(max_length=40), max_length=20, **kwargs)

    def to_internal_value(self, data: Any) -> list[TargetGroup]:
        codes = list(dict.fromkeys(super().to_internal_value(data)))
        found = {group.code: group for group in TargetGroup.objects.filter(active=True, code__in=codes)}
        for code in codes:
            if code not in found:
                self.fail("unknown", code=code)
        return [found[code] for code in codes]


class BeneficiarySerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField(help_text=gettext_lazy("身份证号（默认脱敏）"))
    phone = serializers.SerializerMethodField(help_text=gettext_lazy("联系电话（默认脱敏）"))
    birth_date = serializers.SerializerMethodField(help_text=gettext_lazy("出生日期（脱敏时为空，只给年份）"))
    birth_year = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField(help_text=gettext_lazy("住址（脱敏时为空）"))
    health_notes = serializers.SerializerMethodField(help_text=gettext_lazy("健康与残障情况（脱敏时为空）"))
    correction_notes = serializers.SerializerMethodField(
        help_text=gettext_lazy("社区矫正/服刑经历（脱敏时为空）")
    )
    region = RegionCodeField(read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True, default=None, allow_null=True)
    responsible_worker_name = serializers.CharField(
        source="responsible_worker.name", read_only=True, default=None, allow_null=True
    )
    target_groups = serializers.SerializerMethodField(help_text=gettext_lazy("服务对象类别代码"))
    restricted = serializers.SerializerMethodField(
        help_text=gettext_lazy("限制查看：未满14周岁，或属于社区矫正对象等类别")
    )
    in_full = serializers.SerializerMethodField(
        help_text=gettext_lazy("您是否可查看其完整信息（负责社工、其督导、本区县专门科室）")
    )
    unmasked = serializers.SerializerMethodField()

    class Meta:
        model = Beneficiary
        fields = [
            "id",
            "name",
            "sex",
            "id_number",
            "birth_date",
            "birth_year",
            "phone",
            "address",
            "health_notes",
            "correction_notes",
            "region",
            "region_name",
            "station",
            "station_name",
            "household",
            "relation_to_head",
            "target_groups",
            "responsible_worker",
            "responsible_worker_name",
            "registered_on",
            "consent_on",
            "consent_by",
            "guardian_name",
            "guardian_relation",
            "restricted",
            "in_full",
            "unmasked",
        ]

    def _shown(self, beneficiary: Beneficiary) -> bool:
        return beneficiary.pk in self.context.get("unmasked", ())

    @extend_schema_field(serializers.CharField())
    def get_id_number(self, beneficiary: Beneficiary) -> str:
        return (beneficiary.id_number or "") if self._shown(beneficiary) else beneficiary.id_number_masked

    @extend_schema_field(serializers.CharField())
    def get_phone(self, beneficiary: Beneficiary) -> str:
        return (beneficiary.phone or "") if self._shown(beneficiary) else beneficiary.phone_masked

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_birth_date(self, beneficiary: Beneficiary) -> str | None:
        if not self._shown(beneficiary) or beneficiary.birth_date is None:
            return None
        return beneficiary.birth_date.isoformat()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_birth_year(self, beneficiary: Beneficiary) -> int | None:
        return beneficiary.birth_date.year if beneficiary.birth_date else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_address(self, beneficiary: Beneficiary) -> str | None:
        return (beneficiary.address or "") if self._shown(beneficiary) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_health_notes(self, beneficiary: Beneficiary) -> str | None:
        return (beneficiary.health_notes or "") if self._shown(beneficiary) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_correction_notes(self, beneficiary: Beneficiary) -> str | None:
        return (beneficiary.correction_notes or "") if self._shown(beneficiary) else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_target_groups(self, beneficiary: Beneficiary) -> list[str]:
        return [group.code for group in beneficiary.target_groups.all()]

    @extend_schema_field(serializers.BooleanField())
    def get_restricted(self, beneficiary: Beneficiary) -> bool:
        born = beneficiary.birth_date
        child = born is not None and born > child_cutoff(self.context.get("today") or clock.today())
        return child or any(group.restricted for group in beneficiary.target_groups.all())

    @extend_schema_field(serializers.BooleanField())
    def get_in_full(self, beneficiary: Beneficiary) -> bool:
        return beneficiary.pk in self.context.get("in_full", ())

    @extend_schema_field(serializers.BooleanField())
    def get_unmasked(self, beneficiary: Beneficiary) -> bool:
        return self._shown(beneficiary)


class BeneficiaryEdit(serializers.Serializer):
    """What a correction may change (PATCH: the fields sent); an empty ID number or phone keeps it."""

    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=32, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    health_notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    correction_notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    region = RegionCodeField(help_text=gettext_lazy("所在乡镇或村（社区）的区划代码"))
    station = ScopedRelatedField(selector=stations_for, required=False, allow_null=True)
    household = ScopedRelatedField(selector=_households, required=False, allow_null=True)
    relation_to_head = serializers.CharField(max_length=20, required=False, allow_blank=True)
    target_groups = TargetGroupCodes(help_text=gettext_lazy("服务对象类别代码，至少一个"))
    consent_on = Day(help_text=gettext_lazy("知情同意日期"))
    consent_by = serializers.ChoiceField(choices=Beneficiary.ConsentBy.choices)
    guardian_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    guardian_relation = serializers.CharField(max_length=20, required=False, allow_blank=True)


class BeneficiaryWrite(BeneficiaryEdit):
    """Registration, as the register form: without an ID number, the birth date (and sex) instead."""

    birth_date = Day(required=False, allow_null=True)
    sex = serializers.ChoiceField(choices=Beneficiary.Sex.choices, required=False, allow_blank=True)
    create_household = serializers.BooleanField(
        required=False, default=False, help_text=gettext_lazy("新建家庭档案（本人为户主）")
    )
    poverty_registered = serializers.BooleanField(required=False, default=False)
    confirm_similar = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("同村有姓名和出生日期相同的服务对象时，核对不是同一人后置为 true 再提交"),
    )


class BeneficiaryFilters(ListFilters):
    target_group = serializers.SlugField(
        max_length=40, required=False, help_text=gettext_lazy("服务对象类别代码")
    )


class BeneficiaryViewSet(CreateRecord, UpdateRecord, ScopedViewSet):
    """服务对象：身份证号、电话默认脱敏，出生日期只给年份，住址、健康与矫正情况不显示。`?unmask=1`
    对您可查看完整信息的服务对象显示全部（须有权限，每人记一条审计）。日期筛选按建档日期。"""

    selector = staticmethod(beneficiaries_for)
    serializer_class = BeneficiarySerializer
    write_perms = {"create": "cases.add_beneficiary", "partial_update": "cases.change_beneficiary"}
    write_serializer_class = BeneficiaryWrite
    filter_class = BeneficiaryFilters
    unmask_class = UnmaskParameter
    view_perm = "cases.view_beneficiary"
    region_field = "region"
    date_field = "registered_on"

    in_full: frozenset[int] = frozenset()
    unmasked: frozenset[int] = frozenset()

    def get_write_serializer_class(self) -> type[serializers.Serializer]:
        return BeneficiaryEdit if self.action == "partial_update" else BeneficiaryWrite

    def get_queryset(self) -> QuerySet[Any]:
        return (
            super()
            .get_queryset()
            .select_related("region", "station", "responsible_worker")
            .prefetch_related("target_groups")
        )

    def apply_filters(self, queryset: QuerySet[Any], values: dict[str, Any]) -> QuerySet[Any]:
        queryset = super().apply_filters(queryset, values)
        if values.get("target_group"):
            chosen = Beneficiary.target_groups.through.objects.filter(
                targetgroup__code=values["target_group"]
            )
            queryset = queryset.filter(pk__in=chosen.values("beneficiary_id"))
        return queryset

    def get_serializer_context(self) -> dict[str, Any]:
        return {
            **super().get_serializer_context(),
            "in_full": self.in_full,
            "unmasked": self.unmasked,
            "today": clock.today(),
        }

    def _unmask_requested(self) -> bool:
        parameter = UnmaskParameter(data=self.request.query_params)
        parameter.is_valid(raise_exception=True)
        if not parameter.validated_data["unmask"]:
            return False
        if not self.actor.has_perm(UNMASK_BENEFICIARY):
            raise exceptions.PermissionDenied(_("您的角色不能查看服务对象的完整信息。"))
        return True

    def before_output(self, records: Sequence[Any]) -> None:
        """Which records the caller sees in full; with `?unmask=1` those are revealed, each audited."""
        pks = [record.pk for record in records]
        self.in_full = frozenset(
            beneficiaries_in_full_for(self.actor).filter(pk__in=pks).values_list("pk", flat=True)
        )
        if self.action not in ("list", "retrieve") or not self._unmask_requested():
            return
        if self.action == "retrieve" and not self.in_full:
            raise exceptions.PermissionDenied(
                _("只有负责社工、其督导和本区县专门科室可以查看该服务对象的完整信息。")
            )
        self.unmasked = self.in_full
        for beneficiary in records:
            if beneficiary.pk in self.unmasked:
                audit.record(
                    actor=self.actor,
                    action=AuditEntry.Action.UNMASK,
                    obj=beneficiary,
                    detail={"fields": REVEALED},
                    request=self.request._request,
                )

    def create_record(self, values: dict[str, Any]) -> Beneficiary:
        beneficiary = beneficiary_register(actor=self.actor, request=self.request._request, **values)
        return self._shown(beneficiary)

    def update_record(self, record: Beneficiary, values: dict[str, Any]) -> Beneficiary:
        keep = {name: values.pop(name) for name in ("target_groups", "household") if name in values}
        id_number = values.pop("id_number", "")
        phone = values.pop("phone", None)
        for name in ("address", "health_notes", "correction_notes"):  # empty keeps what is stored
            if name in values and not values[name].strip():
                del values[name]
        beneficiary = beneficiary_update(
            actor=self.actor,
            beneficiary=record,
            data=values,
            id_number=id_number,
            phone=phone or None,
            request=self.request._request,
            **keep,
        )
        return self._shown(beneficiary)

    def _shown(self, beneficiary: Beneficiary) -> Beneficiary:
        """After a write the answer is the masked record, as it reads now."""
        self.in_full = frozenset(
            beneficiaries_in_full_for(self.actor).filter(pk=beneficiary.pk).values_list("pk", flat=True)
        )
        return self.get_queryset().get(pk=beneficiary.pk)
