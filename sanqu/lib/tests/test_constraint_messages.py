"""Every rule the database keeps is told to the user in words, never by the constraint's name.

Django reports a broken check (or a unique rule with a condition) on a form as "约束 “<name>” 是无效的"
unless the constraint has a message of its own. Only a unique rule on plain fields gets Django's
own wording ("… 已经存在"), which names the fields.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import BaseConstraint, UniqueConstraint

# Tallies the code keeps from the records; no form or import writes them.
DERIVED = {
    "cases.servicerollup",
    "cases.beneficiaryrollup",
    "cases.casestagerollup",
    "projects.projectbeneficiary",
    "projects.projectpeopleserved",
}


def _told_by_name(constraint: BaseConstraint) -> bool:
    if isinstance(constraint, UniqueConstraint) and constraint.fields and constraint.condition is None:
        return False
    return constraint.violation_error_message == constraint.default_violation_error_message


def test_every_rule_a_user_can_break_has_a_message_of_its_own() -> None:
    ours = [model for model in apps.get_models() if model.__module__.startswith("sanqu.")]
    told_by_name = [
        f"{model._meta.label_lower}: {constraint.name}"
        for model in ours
        if model._meta.label_lower not in DERIVED
        for constraint in model._meta.constraints
        if _told_by_name(constraint)
    ]
    assert len(ours) > 40  # the walk reaches the models
    assert told_by_name == []
