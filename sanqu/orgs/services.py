"""Writes to the organisation registry: permission, scope, validation and audit in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sanqu.accounts.models import User
from sanqu.accounts.services import apply, audited_delete, audited_save, snapshot
from sanqu.orgs.forms import clean_credit_code
from sanqu.orgs.models import Organisation
from sanqu.orgs.selectors import writable_organisations
from sanqu.regions.models import Region

EDITABLE = (
    "name",
    "kind",
    "social_work",
    "credit_code",
    "home_county",
    "registered_on",
    "deregistered_on",
    "supervising_unit",
)


def _check(organisation: Organisation) -> None:
    organisation.credit_code = clean_credit_code(organisation.credit_code)
    if organisation.home_county_id and organisation.home_county.level != Region.Level.COUNTY:
        raise ValidationError({"home_county": _("所在区县须为区县级行政区划。")})
    if organisation.credit_code:
        clash = Organisation.objects.filter(credit_code=organisation.credit_code).exclude(pk=organisation.pk)
        if clash.exists():
            raise ValidationError({"credit_code": _("该统一社会信用代码已登记。")})


def organisation_create(
    *,
    actor: User,
    name: str,
    kind: str,
    home_county: Region,
    registered_on: dt.date,
    credit_code: str = "",
    social_work: bool = True,
    deregistered_on: dt.date | None = None,
    supervising_unit: str = "",
    request: HttpRequest | None = None,
) -> Organisation:
    organisation = Organisation(
        name=name,
        kind=kind,
        home_county=home_county,
        registered_on=registered_on,
        credit_code=credit_code,
        social_work=social_work,
        deregistered_on=deregistered_on,
        supervising_unit=supervising_unit,
    )
    _check(organisation)
    return audited_save(
        actor=actor,
        instance=organisation,
        perm="orgs.add_organisation",
        writable=writable_organisations(actor),
        request=request,
    )


def organisation_update(
    *,
    actor: User,
    organisation: Organisation,
    data: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> Organisation:
    before = snapshot(organisation)
    apply(organisation, data, editable=EDITABLE)
    _check(organisation)
    return audited_save(
        actor=actor,
        instance=organisation,
        perm="orgs.change_organisation",
        writable=writable_organisations(actor),
        before=before,
        request=request,
    )


def organisation_delete(
    *, actor: User, organisation: Organisation, request: HttpRequest | None = None
) -> None:
    audited_delete(
        actor=actor,
        instance=organisation,
        perm="orgs.delete_organisation",
        writable=writable_organisations(actor),
        request=request,
    )
