"""The shape every resource follows: a scoped queryset, filters, pagination, writes through services.

`ScopedViewSet` reads through a selector given the user (`selector = staticmethod(people_for)`), so a
record out of scope is simply not found (404). A list is filtered by `?region=<code>` (that region and
everything under it, through `region_field`), `?date_from` / `?date_to` (on `date_field`) and
`?status` (on `status_field`), each validated first (a bad value is a 400 naming the parameter, never
a database error). Writes validate the request with `write_serializer_class` and hand the clean
values to the resource's `create_record` / `update_record` / `delete_record`, which call the app's
service functions (permission, scope, rules, audit): never `serializer.save()`.

Optimistic locking (sanqu.accounts.versions): a resource that updates sends `ETag: "<version>"` with a
record; a PATCH carrying `If-Match: "<version>"` runs its service inside `versions.expect`, so
`audited_save` refuses it when someone saved the record since (412, see errors.py). Without
If-Match an update is not checked, as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from django.core.validators import RegexValidator
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from sanqu.accounts import versions
from sanqu.accounts.models import User
from sanqu.api.authentication import TokenAuthentication
from sanqu.api.errors import FormParser, JSONParser
from sanqu.api.throttling import TokenRateThrottle
from sanqu.regions.lookup import find_region
from sanqu.regions.models import Region


class ApiDefaults:
    """What every view of the API shares (the framework's global defaults also serve Wagtail's admin API)."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [TokenRateThrottle]
    parser_classes = [JSONParser, FormParser]
    renderer_classes = [JSONRenderer]


# Primary keys are bigints: anything longer than 18 digits is not a record (and never reaches the database).
PK_PATTERN = r"[0-9]{1,18}"
MAX_PK = 2**63 - 1


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_page_message = gettext_lazy("页码无效：没有这一页。")


# Fields that refuse what the database cannot store ------------------------------------------------

EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


class Day(serializers.DateField):
    """A calendar date YYYY-MM-DD within 1900–2999 (a year-long term from 9999-12-31 has no end)."""

    default_error_messages = {
        "range": gettext_lazy("日期须在 1900-01-01 至 2999-12-31 之间。"),
    }

    def to_internal_value(self, value: Any) -> dt.date:
        day = super().to_internal_value(value)
        if not EARLIEST <= day <= LATEST:
            self.fail("range")
        return day


@extend_schema_field({"type": "string", "pattern": "^[0-9]{2,12}$", "example": "500229"})
class RegionCodeField(serializers.CharField):
    """A region given by its code (former codes work: 500234 is 开州区 now); `level` restricts it."""

    default_error_messages = {
        "unknown": gettext_lazy("找不到区划代码“%(code)s”。"),
        "level": gettext_lazy("须为%(level)s级行政区划。"),
    }

    def __init__(self, *, level: int | None = None, **kwargs: Any) -> None:
        self.level = level
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)
        self.validators.append(
            RegexValidator(r"^[0-9]{2,12}$", gettext_lazy("区划代码须为 2 至 12 位数字。"))
        )

    def to_internal_value(self, data: Any) -> Region:
        code = super().to_internal_value(data)
        for validator in self.validators:
            validator(code)
        region = find_region(code) if code.isdigit() else None
        if region is None:
            self.fail("unknown", code=code)
        assert region is not None  # noqa: S101 - fail() raised otherwise
        if self.level is not None and region.level != self.level:
            self.fail("level", level=Region.Level(self.level).label)
        return region

    def to_representation(self, value: Any) -> str:
        return value.code if isinstance(value, Region) else str(value)

    def run_validators(self, value: Any) -> None:
        return None  # checked on the code, before the lookup


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_PK})
class ScopedRelatedField(serializers.Field):
    """A record by id, found only among those the requesting user may see (`selector(user)`)."""

    default_error_messages = {
        "invalid": gettext_lazy("须为记录编号（正整数）。"),
        "missing": gettext_lazy("“%(pk)s”对应的记录不存在，或不在您的权限范围内。"),
    }

    def __init__(
        self, *, selector: Callable[[User], QuerySet[Any]], lookup: str = "pk", **kwargs: Any
    ) -> None:
        self.selector = selector
        self.lookup = lookup
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Model:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("invalid")
        text = str(data).strip()
        if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_PK:
            self.fail("invalid")
        found = self.selector(self.context["request"].user).filter(**{self.lookup: int(text)}).first()
        if found is None:
            self.fail("missing", pk=text)
        assert found is not None  # noqa: S101 - fail() raised otherwise
        return found

    def to_representation(self, value: Any) -> int:
        return getattr(value, self.lookup)


# Filters ------------------------------------------------------------------------------------------


class ListFilters(serializers.Serializer):
    """The query parameters every list understands; a resource adds its own (e.g. `status`)."""

    region = RegionCodeField(
        required=False, help_text=gettext_lazy("区划代码：该区划及其下级的记录，例如 500229（城口县）。")
    )
    date_from = Day(required=False, help_text=gettext_lazy("起始日期（含），YYYY-MM-DD。"))
    date_to = Day(required=False, help_text=gettext_lazy("截止日期（含），YYYY-MM-DD。"))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        first, last = attrs.get("date_from"), attrs.get("date_to")
        if first and last and first > last:
            raise serializers.ValidationError({"date_to": [_("截止日期不能早于起始日期。")]})
        return attrs


def status_filters(choices: Any) -> type[ListFilters]:
    """ListFilters with `status` from the model's choices."""

    class StatusFilters(ListFilters):
        status = serializers.ChoiceField(
            choices=choices, required=False, help_text=gettext_lazy("状态（取值见枚举）。")
        )

    return StatusFilters


# The schema: request and response serializers of a resource, and its filters ------------------------


class ScopedAutoSchema(AutoSchema):
    def get_request_serializer(self) -> Any:
        write = getattr(self.view, "get_write_serializer_class", lambda: None)()
        if write is not None and self.method in ("POST", "PATCH", "PUT"):
            return write
        return super().get_request_serializer()

    def get_override_parameters(self) -> list[Any]:
        extra = list(super().get_override_parameters())
        if getattr(self.view, "action", None) == "list" and getattr(self.view, "filter_class", None):
            extra.append(self.view.filter_class)
        if getattr(self.view, "action", None) in ("list", "retrieve") and getattr(
            self.view, "unmask_class", None
        ):
            extra.append(self.view.unmask_class)
        if getattr(self.view, "action", None) == "partial_update":
            extra.append(IF_MATCH)
        return extra


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy(
        '取回记录时的 ETag（例如 "3f2a…"）：记录在此之后被他人修改时不保存，返回 412。不填则不检查。'
    ),
)


def if_match(request: Request) -> list[str] | None:
    """The versions an If-Match header accepts; None when it is absent or `*` (no check)."""
    header = request.headers.get("If-Match", "")[:1000].strip()
    if not header:
        return None
    tags: list[str] = []
    for part in header.split(","):
        part = part.strip()
        if part == "*":
            return None
        tag = part.removeprefix("W/").strip().strip('"')
        if tag:
            tags.append(tag[:64])
    return tags


def etag(record: Model) -> str:
    return f'"{versions.version_of(record)}"'


# The base viewset ---------------------------------------------------------------------------------


class ScopedViewSet(ApiDefaults, GenericViewSet):
    """List and retrieve through a scoped selector; writes only where a resource defines them."""

    selector: Any  # staticmethod(<the app's *_for(user) selector>)
    filter_class: ClassVar[type[serializers.Serializer] | None] = ListFilters
    region_field: ClassVar[str | None] = None  # lookup from the record to a Region
    date_field: ClassVar[str | None] = None
    status_field: ClassVar[str | None] = None
    write_serializer_class: ClassVar[type[serializers.Serializer] | None] = None
    unmask_class: ClassVar[type[serializers.Serializer] | None] = None
    view_perm: ClassVar[str | None] = None  # a role without it reads nothing here (403), as on the pages
    # The permission each write action needs: a role without it gets 403 before its body is read
    # (the service checks it again, with the record's scope and rules).
    write_perms: ClassVar[dict[str, str]] = {}
    lookup_value_regex = PK_PATTERN
    pagination_class = Pagination
    schema = ScopedAutoSchema()

    @property
    def actor(self) -> User:
        return self.request.user

    def get_queryset(self) -> QuerySet[Any]:
        return type(self).selector(self.actor)

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.action != "list" or self.filter_class is None:
            return queryset
        filters = self.filter_class(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return self.apply_filters(queryset, filters.validated_data)

    def apply_filters(self, queryset: QuerySet[Any], values: dict[str, Any]) -> QuerySet[Any]:
        region: Region | None = values.get("region")
        if region is not None and self.region_field:
            queryset = queryset.filter(region.subtree_q(self.region_field))
        first: dt.date | None = values.get("date_from")
        last: dt.date | None = values.get("date_to")
        if first is not None and self.date_field:
            queryset = queryset.filter(**{f"{self.date_field}__gte": first})
        if last is not None and self.date_field:
            queryset = queryset.filter(**{f"{self.date_field}__lte": last})
        if values.get("status") and self.status_field:
            queryset = queryset.filter(**{self.status_field: values["status"]})
        return queryset

    # Reading.

    def check_view_perm(self) -> None:
        if self.view_perm and not self.actor.has_perm(self.view_perm):
            raise exceptions.PermissionDenied

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.check_view_perm()
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        records = list(page) if page is not None else list(queryset)
        self.before_output(records)
        data = self.get_serializer(records, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.check_view_perm()
        record = self.get_object()
        self.before_output([record])
        response = Response(self.get_serializer(record).data)
        if isinstance(self, UpdateRecord):
            response["ETag"] = etag(record)
        return response

    def before_output(self, records: Sequence[Any]) -> None:
        """A hook run on the records about to be shown (unmasking writes its audit entries here)."""

    def get_write_serializer_class(self) -> type[serializers.Serializer] | None:
        """The request body's serializer for the current action (one for every write unless overridden)."""
        return self.write_serializer_class

    def write_values(self, *, partial: bool) -> dict[str, Any]:
        """The request body validated by the resource's write serializer (a 400 names each bad field)."""
        perm = self.write_perms.get(self.action or "")
        if perm and not self.actor.has_perm(perm):
            raise exceptions.PermissionDenied
        write = self.get_write_serializer_class()
        assert write is not None  # noqa: S101 - only resources that write call this
        serializer = write(data=self.request.data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


# Writes: a resource mixes in the ones it has and implements them with its app's services.


class CreateRecord:
    """POST to the list: `create_record(values)` calls the app's create service."""

    def create(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.create_record(self.write_values(partial=False))
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)

    def create_record(self, values: dict[str, Any]) -> Any:
        raise NotImplementedError


class UpdateRecord:
    """PATCH a record (the fields sent): `update_record(record, values)` calls the update service.

    With `If-Match`, the service runs expecting the record at that version (412 when it changed).
    """

    def partial_update(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        values = self.write_values(partial=True)
        tags = if_match(request)
        if tags is None:
            record = self.update_record(record, values)
        else:
            current = versions.version_of(record)
            # A tag that no version can have ("-") when none was given: If-Match "" never matches.
            expected = current if current in tags else (tags[0] if tags else "-")
            with transaction.atomic(), versions.expect(record, expected):
                versions.check(record)  # a stale version is 412 before any rule of the service is asked
                record = self.update_record(record, values)
        response = Response(self.get_serializer(record).data)
        stored = type(record)._default_manager.filter(pk=record.pk).first()
        if stored is not None:
            response["ETag"] = etag(stored)
        return response

    def update_record(self, record: Any, values: dict[str, Any]) -> Any:
        raise NotImplementedError


class DeleteRecord:
    """DELETE a record: `delete_record(record)` calls the delete service (204, or 400 when still used)."""

    def destroy(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.delete_record(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def delete_record(self, record: Any) -> None:
        raise NotImplementedError
