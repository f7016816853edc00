"""The service ledger through django-import-export (the ledgers benchmark's comparison (b)).

What a Django developer would write to import the same file into `ServiceRecord`: a `ModelResource`
whose columns carry the ledger's Chinese headers, the beneficiary and the worker found by ID
number with Sanqu's own look-ups (ID numbers are encrypted at rest: `find_by_id_number` and
`find_person_by_id_number` find them by their keyed hash), the service type by name, the method by
its Chinese label, the county from the beneficiary's village (`county_of`) and the author from the
`user` passed to `import_data`. The ledger's natural key (date, beneficiary, worker, method, type)
is the resource's `import_id_fields`, so a re-import updates rather than duplicates, as Sanqu's
does. Everything else is the library's default (see `resource()`).
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from import_export import fields, resources, widgets

from sanqu.cases import rollups
from sanqu.cases.models import Beneficiary, ServiceRecord, ServiceType
from sanqu.cases.services.beneficiaries import find_by_id_number
from sanqu.cases.services.service_records import county_of
from sanqu.ledgers.kinds import SERVICE
from sanqu.workforce.models import Person
from sanqu.workforce.services import find_person_by_id_number

HEADERS = {column.key: column.name for column in SERVICE.columns}


class BeneficiaryByIdNumber(widgets.ForeignKeyWidget):
    def __init__(self) -> None:
        super().__init__(Beneficiary)

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Beneficiary | None:
        if not value:
            return None
        found = find_by_id_number(str(value).strip())
        if found is None:
            raise ValueError(f"no beneficiary with ID number {value}")
        return found


class WorkerByIdNumber(widgets.ForeignKeyWidget):
    def __init__(self) -> None:
        super().__init__(Person)

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Person | None:
        if not value:
            return None
        found = find_person_by_id_number(str(value).strip())
        if found is None:
            raise ValueError(f"no worker with ID number {value}")
        return found


class MethodByLabel(widgets.Widget):
    """个案 / 小组 / 社区 → the model's choice values."""

    def __init__(self) -> None:
        super().__init__()
        with translation.override("zh-hans"):
            self.values = {str(label): value for value, label in ServiceRecord.Method.choices}

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        label = str(value or "").strip()
        if label not in self.values:
            raise ValueError(f"unknown service method {value!r}")
        return self.values[label]


def _field(attribute: str, key: str, widget: widgets.Widget | None = None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=HEADERS[key], widget=widget)


class ServiceRecordResource(resources.ModelResource):
    served_on = _field("served_on", "served_on", widgets.DateWidget())
    beneficiary = _field("beneficiary", "beneficiary_id_number", BeneficiaryByIdNumber())
    worker = _field("worker", "worker_id_number", WorkerByIdNumber())
    method = _field("method", "method", MethodByLabel())
    service_type = _field("service_type", "service_type", widgets.ForeignKeyWidget(ServiceType, field="name"))
    duration_hours = _field("duration_hours", "duration_hours", widgets.DecimalWidget())
    place = _field("place", "place", widgets.CharWidget())
    notes = _field("notes", "notes", widgets.CharWidget())

    class Meta:
        model = ServiceRecord
        fields = (
            "served_on",
            "beneficiary",
            "worker",
            "method",
            "service_type",
            "duration_hours",
            "place",
            "notes",
        )
        import_id_fields = ("served_on", "beneficiary", "worker", "method", "service_type")

    def before_save_instance(self, instance: ServiceRecord, row: Any, **kwargs: Any) -> None:
        instance.county = county_of(instance.beneficiary.region)
        if instance.created_by_id is None:
            instance.created_by = kwargs.get("user")


class BulkServiceRecordResource(ServiceRecordResource):
    """The same with `use_bulk = True`: new rows saved with bulk_create, 1,000 at a time (its default).

    bulk_create sends no signals, so the service rollups are rebuilt once at the end, as the
    project asks of code writing records that way (`sanqu.cases.rollups`).
    """

    class Meta(ServiceRecordResource.Meta):
        use_bulk = True

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        super().after_import(dataset, result, **kwargs)
        if not kwargs.get("dry_run"):
            rollups.rebuild()


def resource(*, bulk: bool) -> resources.ModelResource:
    """The resource with the library's defaults: transactions on (IMPORT_EXPORT_USE_TRANSACTIONS),
    skip_unchanged False, clean_model_instances False, skip_diff False, skip_html_diff False,
    report_skipped True; with `bulk`, use_bulk True and batch_size 1,000."""
    return BulkServiceRecordResource() if bulk else ServiceRecordResource()
