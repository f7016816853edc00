"""What the top bar shows a user: who they are, in which roles, and where they may go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sanqu.accounts.roles import ADMIN_ACCESS, VIEW_AUDIT
from sanqu.accounts.scoping import memberships_of, scope_of
from sanqu.cases.selectors.cases import review_label_for, sees_county_cases
from sanqu.cases.services.case_rules import worker_person_ids
from sanqu.figures.dashboard import dashboard_paths
from sanqu.ledgers.exporting import exportable_kinds
from sanqu.ledgers.import_services import importable_kinds_for


@dataclass(frozen=True)
class Navigation:
    name: str = ""
    roles: tuple[str, ...] = ()
    people: bool = False
    community: bool = False  # groups, community activities, livelihood projects
    admin: bool = False
    audit: bool = False
    beneficiaries: bool = False
    my_services: bool = False
    cases: bool = False  # my caseload
    county_cases: bool = False
    reviews: str = ""  # the review queue's label for this user ("" hides it)
    dispatches: bool = False
    teams: bool = False
    supervision: bool = False  # for supervisors and workers, who have no team list of their own
    volunteers: bool = False
    training: bool = False
    incentives: bool = False
    projects: bool = False  # project supervision: the desk, projects, reports, visits, evaluations
    programme: bool = False  # the programme page comparing counties (region roles)
    figures: bool = False  # the dashboard (city roles, county officers)
    snapshots: bool = False
    ledgers: bool = False  # ledger templates, exports and imports
    bulletins: bool = False  # bulletins (简报): the city office and the publicity roles


def navigation_for(*, user: Any) -> Navigation:
    if user is None or not user.is_authenticated:
        return Navigation()
    roles = tuple(
        f"{membership.get_role_display()} · {membership.region.name}" for membership in memberships_of(user)
    )
    return Navigation(
        name=str(user),
        roles=roles,
        people=not scope_of(user).is_empty,
        community=user.has_perm("cases.view_group"),
        admin=user.has_perm(ADMIN_ACCESS),
        audit=user.has_perm(VIEW_AUDIT),
        beneficiaries=user.has_perm("cases.view_beneficiary"),
        my_services=user.has_perm("cases.add_servicerecord"),
        cases=bool(worker_person_ids(user)),
        county_cases=sees_county_cases(user),
        reviews=review_label_for(user),
        dispatches=user.has_perm("workforce.view_dispatch"),
        teams=user.has_perm("workforce.view_team") and not scope_of(user).is_empty,
        supervision=user.has_perm("workforce.add_supervisionsession") or bool(worker_person_ids(user)),
        volunteers=user.has_perm("volunteers.view_volunteer"),
        training=user.has_perm("training.view_trainee"),
        incentives=user.has_perm("incentives.view_incentiveclaim")
        or user.has_perm("incentives.view_examattempt"),
        projects=user.has_perm("projects.view_project"),
        programme=user.has_perm("projects.view_project")
        and (user.is_superuser or bool(scope_of(user).region_paths)),
        figures=bool(dashboard_paths(user)),
        snapshots=user.has_perm("figures.view_figuresnapshot"),
        ledgers=bool(exportable_kinds(user) or importable_kinds_for(user)),
        bulletins=user.has_perm("bulletins.view_bulletin"),
    )
