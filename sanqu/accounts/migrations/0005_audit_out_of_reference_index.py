"""Audit entries leave Wagtail's reference index (`AuditEntry.wagtail_reference_index_ignore`).

Until now every entry had a row there (the entry refers to its user), written by a task queued on
each save. The rows are removed here; nothing read them. Data only: no table changes, so the
append-only triggers of 0004 are untouched.
"""

from django.db import migrations


def forget_audit_references(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    references = apps.get_model("wagtailcore", "ReferenceIndex")
    audit = content_types.objects.filter(app_label="accounts", model="auditentry").first()
    if audit is not None:
        references.objects.filter(base_content_type=audit).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_audit_append_only"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forget_audit_references, migrations.RunPython.noop)]
