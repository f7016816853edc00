"""Audit entries stay out of Wagtail's reference index: an audited action (every service recorded,
every sign-in) queues no background work, and the rows an earlier version left are removed."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from wagtail.models import ReferenceIndex

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User

pytestmark = pytest.mark.django_db


def audit_references() -> int:
    return ReferenceIndex.objects.filter(
        base_content_type=ContentType.objects.get_for_model(AuditEntry)
    ).count()


def test_an_audited_action_queues_no_background_work() -> None:
    reverse("wagtailadmin_home")  # the back office's viewsets registered, as in any served request
    someone = User.objects.create_user("reviewer-x", password="Xy-12345-abc")
    audit.record(actor=someone, action=AuditEntry.Action.LOGIN)

    assert not DBTaskResult.objects.exists()
    assert audit_references() == 0


def test_the_migration_removes_the_rows_an_entry_had_in_the_index() -> None:
    someone = User.objects.create_user("reviewer-y", password="Xy-12345-abc")
    entry = audit.record(actor=someone, action=AuditEntry.Action.LOGIN)
    kept = ContentType.objects.get_for_model(User)
    for content_type, object_id in (
        (ContentType.objects.get_for_model(AuditEntry), entry.pk),
        (kept, someone.pk),
    ):
        ReferenceIndex.objects.create(
            content_type=content_type, base_content_type=content_type, object_id=str(object_id),
            to_content_type=kept, to_object_id=str(someone.pk), model_path="actor", content_path="actor",
            content_path_hash=ReferenceIndex._get_content_path_hash("actor"),
        )  # fmt: skip
    migration = importlib.import_module("sanqu.accounts.migrations.0005_audit_out_of_reference_index")

    migration.forget_audit_references(apps, None)

    assert audit_references() == 0
    assert ReferenceIndex.objects.filter(base_content_type=kept).count() == 1
