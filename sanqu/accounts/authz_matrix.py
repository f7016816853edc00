"""Who may open each page of the site: the authorization matrix, declared.

Every URL pattern of the site (the workbench, the API, Wagtail's admin, the Django admin, the public
site) is classified here, by URL name or by route prefix, as a rule: for each persona of the test
world (`sanqu.testing`) and an anonymous visitor, what a GET (and, where the page writes, a POST)
answers when the URL carries the ids of 城口's records:

- `allow`: the page is served (or the form is shown, or the write is attempted);
- `deny`: 403, a 401 from the API, a 302 to the sign-in page for the anonymous, or Wagtail's 302
  back to its dashboard;
- `not_found`: 404, a record out of the persona's scope (never 403: existence does not leak).

The personas stand for the roles of `sanqu.accounts.roles`: `city` the city office, `leader` the
leadership (reads only), `chengkou` the county section the records belong to, `wanzhou` another
county's section (every 城口 record is out of its scope), `yangguang` the sending organisation's
manager, `worker` the social worker whose caseload it is, `mentor` her supervisor, `editor` and
`reviewer` the publicity staff. `sanqu/accounts/tests/test_authz_matrix.py` walks every pattern as
each of them and compares the answers with this table; a pattern the table does not classify fails
that test, so no page goes live unclassified.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

ALLOW, DENY, NOT_FOUND = "allow", "deny", "not_found"
ANONYMOUS = "anonymous"
PERSONAS = ("city", "leader", "chengkou", "wanzhou", "yangguang", "worker", "mentor", "editor", "reviewer")
EVERYONE = frozenset(PERSONAS)

# Persona sets by role (DESIGN §1).
CITY = frozenset({"city"})
LEADER = frozenset({"leader"})
SECTION = frozenset({"chengkou"})  # the county section of the records' county
OUTSIDER = frozenset({"wanzhou"})  # another county's section
MANAGER = frozenset({"yangguang"})
WORKER = frozenset({"worker"})
MENTOR = frozenset({"mentor"})
PUBLICITY = frozenset({"editor", "reviewer"})
REGION_ROLES = CITY | LEADER | SECTION | OUTSIDER
FIELD = MANAGER | WORKER | MENTOR
ADMIN_USERS = REGION_ROLES | PUBLICITY  # ADMIN_ACCESS: Wagtail's admin


@dataclass(frozen=True)
class Access:
    """Who is let in; who gets 404; everyone else (and the anonymous, unless public) is refused."""

    allow: frozenset[str]
    not_found: frozenset[str] = frozenset()

    def expected(self, persona: str) -> str:
        if persona in self.allow:
            return ALLOW
        if persona in self.not_found:
            return NOT_FOUND
        return DENY


def access(allow: Iterable[str], not_found: Iterable[str] = ()) -> Access:
    allowed = frozenset(allow)
    hidden = frozenset(not_found)
    if allowed & hidden or not allowed | hidden <= EVERYONE | {ANONYMOUS}:
        raise ValueError(f"a persona twice or unknown: {sorted(allowed)} / {sorted(hidden)}")
    return Access(allowed, hidden)


PUBLIC = access(EVERYONE | {ANONYMOUS})
SIGNED_IN = access(EVERYONE)
NOBODY = access(())


@dataclass(frozen=True)
class Rule:
    """One row of the matrix. `names` are URL names (with their namespace); `prefix` classifies every
    pattern under a route (Wagtail's and Django's admin pages with ids) as one policy. `ids` says
    which record each URL argument names. `walk` False: classified, but its URL needs a record the
    test world does not make (an admin page of one Wagtail object), so the walk leaves it out."""

    get: Access | None
    post: Access | None = None
    names: tuple[str, ...] = ()
    prefix: str = ""
    ids: dict[str, str] = field(default_factory=dict)
    query: str = ""  # a query string the page needs, with {record} ids
    walk: bool = True
    why: str = ""


class PatternLike(Protocol):
    route: str
    name: str | None


def rule_for(pattern: PatternLike) -> Rule | None:
    """The rule classifying a URL pattern: by its name, else by the longest route prefix."""
    if pattern.name is not None and pattern.name in _BY_NAME:
        return _BY_NAME[pattern.name]
    if pattern.name is None and pattern.route in _BY_NAME:
        return _BY_NAME[pattern.route]
    best: Rule | None = None
    for rule in RULES:
        longer = best is None or len(rule.prefix) > len(best.prefix)
        if rule.prefix and pattern.route.startswith(rule.prefix) and longer:
            best = rule
    return best


RULES: list[Rule] = []

_BY_NAME: dict[str, Rule] = {}


def _index() -> None:
    for rule in RULES:
        for name in rule.names:
            if name in _BY_NAME:
                raise ValueError(f"{name} is classified twice")
            _BY_NAME[name] = rule


def _rules() -> list[Rule]:
    R = Rule
    return [
        # --- Signing in, the language, the workbench home ------------------------------------------------
        R(PUBLIC, PUBLIC, names=("login",)),
        R(
            None,
            PUBLIC,
            names=("logout",),
            walk=False,
            why="signs the session out (sanqu/accounts/tests/test_login.py)",
        ),
        R(SIGNED_IN, SIGNED_IN, names=("two_factor_verify", "two_factor_setup")),
        R(PUBLIC, PUBLIC, names=("set_language",)),
        R(SIGNED_IN, names=("home",)),
        R(SIGNED_IN, names=("account",)),
        R(SIGNED_IN, SIGNED_IN, names=("password_change",)),
        R(access(CITY), names=("audit_log",)),
        # --- People and dispatches -----------------------------------------------------------------------
        R(access(REGION_ROLES | FIELD), names=("people",)),
        R(
            access(FIELD | CITY | LEADER | SECTION, OUTSIDER | PUBLICITY),
            names=("person_detail",),
            ids={"pk": "person"},
        ),
        R(None, access(CITY | SECTION | MANAGER, OUTSIDER), names=("person_unmask",), ids={"pk": "person"}),
        R(access(REGION_ROLES | MANAGER | WORKER), names=("dispatch_list",)),
        R(access(REGION_ROLES), names=("dispatch_retention",)),
        R(access(CITY | SECTION | OUTSIDER), access(CITY | SECTION | OUTSIDER), names=("dispatch_create",)),
        R(
            access(FIELD | CITY | LEADER | SECTION, OUTSIDER | PUBLICITY),
            names=("dispatch_detail",),
            ids={"pk": "dispatch"},
        ),
        R(
            access(CITY | SECTION, OUTSIDER | PUBLICITY),
            access(CITY | SECTION, OUTSIDER | PUBLICITY),
            names=("dispatch_end", "dispatch_assess", "dispatch_renew"),
            ids={"pk": "dispatch"},
        ),
        # --- Teams and supervision -----------------------------------------------------------------------
        R(access(REGION_ROLES | FIELD), names=("teams",)),
        R(access(REGION_ROLES | WORKER | MENTOR), names=("supervision_sessions", "supervision_follow_ups")),
        R(
            access(CITY | SECTION | OUTSIDER | MANAGER),
            access(CITY | SECTION | OUTSIDER | MANAGER),
            names=("team_new",),
        ),
        R(access(MENTOR), access(MENTOR), names=("supervision_session_new",)),
        R(access(FIELD | CITY | LEADER | SECTION, OUTSIDER), names=("team_detail",), ids={"pk": "team"}),
        R(
            access(CITY | SECTION | MANAGER, OUTSIDER | PUBLICITY),
            access(CITY | SECTION | MANAGER, OUTSIDER | PUBLICITY),
            names=("team_edit",),
            ids={"pk": "team"},
        ),
        R(
            None,
            access(CITY | SECTION | MANAGER, OUTSIDER | PUBLICITY),
            names=("team_member_new",),
            ids={"pk": "team"},
        ),
        R(
            None,
            access(CITY | SECTION | MANAGER, OUTSIDER | PUBLICITY),
            names=("team_member_leave",),
            ids={"pk": "team", "member_pk": "team_member"},
        ),
        R(
            access(CITY | LEADER | SECTION | WORKER | MENTOR, OUTSIDER),
            names=("supervision_session_detail",),
            ids={"pk": "session"},
        ),
        R(None, access(MENTOR, OUTSIDER), names=("supervision_follow_up_new",), ids={"pk": "session"}),
        R(
            None,
            access(WORKER | MENTOR, OUTSIDER),
            names=("supervision_follow_up_done",),
            ids={"pk": "follow_up"},
        ),
        # --- Volunteers ----------------------------------------------------------------------------------
        R(access(REGION_ROLES | MANAGER | WORKER), names=("volunteers",)),
        R(
            access(CITY | SECTION | OUTSIDER | MANAGER | WORKER),
            access(CITY | SECTION | OUTSIDER | MANAGER | WORKER),
            names=("volunteer_create",),
        ),
        R(
            access(CITY | LEADER | SECTION | MANAGER | WORKER, OUTSIDER),
            names=("volunteer_detail",),
            ids={"pk": "volunteer"},
        ),
        R(
            access(CITY | SECTION | MANAGER | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            access(CITY | SECTION | MANAGER | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            names=("volunteer_edit", "volunteer_service_create"),
            ids={"pk": "volunteer"},
        ),
        R(
            access(CITY | SECTION | MANAGER, OUTSIDER | MENTOR | PUBLICITY),
            access(CITY | SECTION | MANAGER, OUTSIDER | MENTOR | PUBLICITY),
            names=(
                "volunteer_training_create",
                "volunteer_commendation_create",
                "volunteer_certificate_create",
            ),
            ids={"pk": "volunteer"},
        ),
        R(
            None,
            access(CITY | SECTION | MANAGER, OUTSIDER | MENTOR | PUBLICITY),
            names=("volunteer_certificate_pdf",),
            ids={"pk": "volunteer_certificate"},
        ),
        # --- Training ------------------------------------------------------------------------------------
        R(
            access(REGION_ROLES),
            names=("training_overview", "training_trainees", "training_hours", "training_courses"),
        ),
        R(
            access(CITY | SECTION | OUTSIDER),
            access(CITY | SECTION | OUTSIDER),
            names=("training_recommend",),
        ),
        R(access(CITY), access(CITY), names=("training_course_new",)),
        R(access(CITY | LEADER | SECTION, OUTSIDER), names=("training_trainee",), ids={"pk": "trainee"}),
        R(
            None,
            access(CITY | SECTION, FIELD | OUTSIDER | PUBLICITY),
            names=("training_trainee_course",),
            ids={"pk": "trainee"},
        ),
        R(
            None,
            access(CITY | SECTION, FIELD | OUTSIDER | PUBLICITY),
            names=("training_trainee_complete",),
            ids={"pk": "trainee"},
        ),
        R(access(REGION_ROLES, FIELD | PUBLICITY), names=("training_course",), ids={"pk": "course"}),
        R(
            access(CITY, FIELD | PUBLICITY),
            access(CITY, FIELD | PUBLICITY),
            names=("training_course_edit",),
            ids={"pk": "course"},
        ),
        R(None, access(CITY, FIELD | PUBLICITY), names=("training_session_new",), ids={"pk": "course"}),
        R(
            access(REGION_ROLES),
            access(CITY | SECTION | OUTSIDER),
            names=("training_attendance",),
            ids={"pk": "course_session"},
        ),
        # --- Incentives ----------------------------------------------------------------------------------
        R(
            access(REGION_ROLES | WORKER),
            names=("incentive_claims", "incentive_policies", "incentive_spend", "incentive_exams"),
        ),
        R(
            access(SECTION | OUTSIDER | WORKER),
            access(SECTION | OUTSIDER | WORKER),
            names=("incentive_claim_create",),
        ),
        R(
            access(CITY | SECTION | OUTSIDER),
            access(CITY | SECTION | OUTSIDER),
            names=("incentive_exam_record",),
        ),
        R(
            access(CITY | LEADER | SECTION | WORKER, OUTSIDER | MANAGER | MENTOR | PUBLICITY),
            names=("incentive_claim",),
            ids={"pk": "claim"},
        ),
        R(
            None,
            access(SECTION, OUTSIDER | MANAGER | MENTOR | PUBLICITY),
            names=("incentive_claim_decide", "incentive_claim_payment"),
            ids={"pk": "claim"},
        ),
        R(
            access(CITY | LEADER | SECTION | WORKER, OUTSIDER | MANAGER | MENTOR | PUBLICITY),
            names=("incentive_claim_evidence",),
            ids={"pk": "claim", "evidence_id": "claim_evidence"},
        ),
        R(
            access(CITY | SECTION, OUTSIDER | MANAGER | MENTOR | PUBLICITY),
            access(CITY | SECTION, OUTSIDER | MANAGER | MENTOR | PUBLICITY),
            names=("incentive_policy_eligibility",),
            ids={"pk": "policy"},
        ),
        R(
            access(CITY | LEADER | SECTION | WORKER, OUTSIDER),
            names=("incentive_person_exams",),
            ids={"pk": "person"},
        ),
        # --- Case work -----------------------------------------------------------------------------------
        R(access(WORKER), names=("cases",)),
        R(access(SECTION | OUTSIDER), names=("case_county",)),
        R(access(SECTION | OUTSIDER | MANAGER | MENTOR), names=("case_reviews",)),
        R(access(REGION_ROLES | FIELD), names=("beneficiaries",)),
        R(access(WORKER | MENTOR), names=("service_mine",)),
        R(access(WORKER), access(WORKER), names=("case_open",)),
        R(
            access(SECTION | OUTSIDER | WORKER),
            access(SECTION | OUTSIDER | WORKER),
            names=("beneficiary_register",),
        ),
        R(
            access(FIELD | CITY | LEADER | SECTION, OUTSIDER | PUBLICITY),
            names=("case_detail",),
            ids={"pk": "case"},
        ),
        R(
            access(WORKER, OUTSIDER | PUBLICITY),
            access(WORKER, OUTSIDER | PUBLICITY),
            names=(
                "case_assessment",
                "case_plan",
                "case_evaluation",
                "case_closure",
                "case_follow_up",
                "case_referral",
                "case_reopen",
            ),
            ids={"pk": "case"},
        ),
        R(
            access(SECTION | MENTOR, OUTSIDER | PUBLICITY),
            access(SECTION | MENTOR, OUTSIDER | PUBLICITY),
            names=("case_plan_review",),
            ids={"pk": "plan"},
        ),
        R(
            access(SECTION | MENTOR, OUTSIDER | PUBLICITY),
            access(SECTION | MENTOR, OUTSIDER | PUBLICITY),
            names=("case_closure_review",),
            ids={"pk": "closure"},
        ),
        R(
            access(SECTION, OUTSIDER | PUBLICITY),
            access(SECTION, OUTSIDER | PUBLICITY),
            names=("case_referral_answer",),
            ids={"pk": "referral"},
        ),
        R(
            access(FIELD | CITY | LEADER | SECTION, OUTSIDER | PUBLICITY),
            names=("beneficiary_detail",),
            ids={"pk": "beneficiary"},
        ),
        R(
            None,
            access(SECTION | WORKER | MENTOR, OUTSIDER | PUBLICITY),
            names=("beneficiary_unmask",),
            ids={"pk": "beneficiary"},
        ),
        R(
            access(SECTION | WORKER, OUTSIDER | PUBLICITY),
            access(SECTION | WORKER, OUTSIDER | PUBLICITY),
            names=("beneficiary_edit",),
            ids={"pk": "beneficiary"},
        ),
        R(
            access(WORKER | MENTOR, OUTSIDER | PUBLICITY),
            access(WORKER | MENTOR, OUTSIDER | PUBLICITY),
            names=("service_create",),
            ids={"pk": "beneficiary"},
        ),
        R(access(REGION_ROLES | FIELD), names=("groups", "community")),
        R(
            access(SECTION | OUTSIDER | WORKER),
            access(SECTION | OUTSIDER | WORKER),
            names=("group_create", "community_create"),
        ),
        R(
            access(FIELD | CITY | LEADER | SECTION, OUTSIDER | PUBLICITY),
            names=("group_detail",),
            ids={"pk": "group"},
        ),
        R(
            access(SECTION | WORKER, OUTSIDER | PUBLICITY),
            access(SECTION | WORKER, OUTSIDER | PUBLICITY),
            names=("group_edit", "group_session_create", "group_close"),
            ids={"pk": "group"},
        ),
        R(
            None,
            access(SECTION | WORKER, OUTSIDER | PUBLICITY),
            names=("group_member_add",),
            ids={"pk": "group"},
        ),
        R(
            None,
            access(SECTION | WORKER, OUTSIDER | PUBLICITY),
            names=("group_member_remove",),
            ids={"pk": "group", "member_pk": "group_member"},
        ),
        R(
            access(FIELD | CITY | LEADER | SECTION, OUTSIDER | PUBLICITY),
            names=("community_detail",),
            ids={"pk": "activity"},
        ),
        # --- Projects ------------------------------------------------------------------------------------
        R(
            access(REGION_ROLES | MANAGER | WORKER),
            names=(
                "project_list",
                "report_list",
                "visit_list",
                "my_actions",
                "evaluation_list",
                "project_desk",
                "programme_overview",
                "livelihood_projects",
            ),
        ),
        R(access(CITY), access(CITY), names=("project_create",)),
        R(access(CITY | SECTION | OUTSIDER), access(CITY | SECTION | OUTSIDER), names=("visit_create",)),
        R(
            access(SECTION | OUTSIDER | WORKER),
            access(SECTION | OUTSIDER | WORKER),
            names=("livelihood_create",),
        ),
        R(
            access(CITY | SECTION, OUTSIDER),
            access(CITY | SECTION, OUTSIDER),
            names=("evaluation_create",),
            query="project={project}",
        ),
        R(
            access(CITY | LEADER | SECTION | MANAGER | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            names=("project_detail",),
            ids={"pk": "project"},
        ),
        R(
            access(CITY, OUTSIDER | MENTOR | PUBLICITY),
            access(CITY, OUTSIDER | MENTOR | PUBLICITY),
            names=("project_edit",),
            ids={"pk": "project"},
        ),
        R(
            access(CITY | LEADER | SECTION | MANAGER | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            names=("project_plan",),
            ids={"pk": "project"},
        ),
        R(None, access(CITY, OUTSIDER | MENTOR | PUBLICITY), names=("milestone_add",), ids={"pk": "project"}),
        R(
            access(CITY, OUTSIDER | MENTOR | PUBLICITY),
            access(CITY, OUTSIDER | MENTOR | PUBLICITY),
            names=("milestone_edit", "milestone_delete"),
            ids={"pk": "project", "milestone_id": "milestone"},
        ),
        R(
            None,
            access(CITY | SECTION | MANAGER, OUTSIDER | MENTOR | PUBLICITY),
            names=("milestone_done",),
            ids={"pk": "project", "milestone_id": "milestone"},
        ),
        R(
            access(CITY | LEADER | SECTION | MANAGER | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            names=("report_detail",),
            ids={"pk": "report"},
        ),
        R(
            access(MANAGER | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            access(MANAGER | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            names=("report_edit",),
            ids={"pk": "report"},
        ),
        R(
            None,
            access(MANAGER | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            names=("report_submit",),
            ids={"pk": "report"},
        ),
        R(
            None,
            access(CITY | SECTION, OUTSIDER | MENTOR | PUBLICITY),
            names=("report_return", "report_accept"),
            ids={"pk": "report"},
        ),
        R(
            None,
            access(MANAGER | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            names=("report_start",),
            ids={"project_pk": "project"},
        ),
        R(
            access(CITY | LEADER | SECTION | MANAGER | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            names=("report_project_panel",),
            ids={"project_pk": "project"},
        ),
        R(
            access(CITY | LEADER | SECTION | MANAGER | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            names=("visit_detail",),
            ids={"pk": "visit"},
        ),
        R(
            access(CITY | SECTION, OUTSIDER | MENTOR | PUBLICITY),
            access(CITY | SECTION, OUTSIDER | MENTOR | PUBLICITY),
            names=("visit_edit", "visit_record"),
            ids={"pk": "visit"},
        ),
        R(
            None,
            access(CITY | SECTION, OUTSIDER | MENTOR | PUBLICITY),
            names=("visit_action_create",),
            ids={"pk": "visit"},
        ),
        R(
            None,
            access(CITY | SECTION | MANAGER, OUTSIDER | MENTOR | PUBLICITY),
            names=("visit_action_close",),
            ids={"pk": "action"},
        ),
        R(
            None,
            access(SECTION, OUTSIDER | MENTOR | PUBLICITY),
            names=("visit_action_reopen",),
            ids={"pk": "action"},
        ),
        R(
            access(CITY | LEADER | SECTION | MANAGER | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            names=("visit_action_evidence",),
            ids={"pk": "action"},
        ),
        R(
            access(CITY | LEADER | SECTION | MANAGER | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            names=("evaluation_detail",),
            ids={"pk": "evaluation"},
        ),
        R(
            access(CITY | SECTION, OUTSIDER | MENTOR | PUBLICITY),
            access(CITY | SECTION, OUTSIDER | MENTOR | PUBLICITY),
            names=("evaluation_edit",),
            ids={"pk": "evaluation"},
        ),
        R(
            None,
            access(CITY | SECTION, OUTSIDER | MENTOR | PUBLICITY),
            names=("evaluation_score", "evaluation_submit"),
            ids={"pk": "evaluation"},
        ),
        R(
            access(CITY | LEADER | SECTION | MANAGER | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            names=("evaluation_evidence",),
            ids={"pk": "evaluation", "score_id": "score"},
        ),
        R(
            access(CITY | LEADER | SECTION | MANAGER | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            names=("livelihood_detail",),
            ids={"pk": "livelihood"},
        ),
        R(
            access(SECTION | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            access(SECTION | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            names=("livelihood_edit",),
            ids={"pk": "livelihood"},
        ),
        R(
            None,
            access(SECTION | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            names=("livelihood_measure_create",),
            ids={"pk": "livelihood"},
        ),
        # --- Figures -------------------------------------------------------------------------------------
        R(access(REGION_ROLES, FIELD | PUBLICITY), names=("figures_dashboard", "figures_county_map")),
        R(
            access(CITY | LEADER | SECTION, FIELD | OUTSIDER | PUBLICITY),
            names=("figure_records",),
            query="figure=dispatched_total&scope=500229&as_of=2018-07-10",
        ),
        R(access(REGION_ROLES), names=("snapshots",)),
        R(access(REGION_ROLES), access(REGION_ROLES), names=("results_reports",)),
        R(access(CITY | SECTION | OUTSIDER), access(CITY | SECTION | OUTSIDER), names=("snapshot_create",)),
        R(
            access(CITY | LEADER | SECTION, OUTSIDER),
            names=("snapshot_detail", "snapshot_comparison", "snapshot_changes"),
            ids={"pk": "snapshot"},
        ),
        R(
            access(CITY | LEADER | SECTION, FIELD | OUTSIDER | PUBLICITY),
            names=("results_report_detail", "results_report_status", "results_report_file"),
            ids={"pk": "results_report"},
        ),
        R(
            access(CITY | SECTION, FIELD | OUTSIDER | PUBLICITY),
            access(CITY | SECTION, FIELD | OUTSIDER | PUBLICITY),
            names=("results_report_publish",),
            ids={"pk": "results_report"},
        ),
        # --- Ledgers -------------------------------------------------------------------------------------
        R(access(REGION_ROLES | FIELD), names=("ledgers",)),
        R(access(REGION_ROLES | MANAGER), names=("ledger_template",)),
        R(access(CITY | SECTION | OUTSIDER | WORKER | MENTOR), names=("ledger_imports",)),
        R(
            access(CITY | LEADER | SECTION | MANAGER, OUTSIDER),
            names=("ledger_export",),
            query="kind=organisation&scope=500229",
        ),
        R(None, access(CITY | SECTION | OUTSIDER | WORKER | MENTOR), names=("ledger_import_upload",)),
        R(
            access(CITY | SECTION, FIELD | LEADER | OUTSIDER | PUBLICITY),
            names=("ledger_import", "ledger_import_progress", "ledger_import_errors"),
            ids={"pk": "ledger_import"},
        ),
        R(
            access(SECTION, FIELD | LEADER | OUTSIDER | PUBLICITY),
            access(SECTION, FIELD | LEADER | OUTSIDER | PUBLICITY),
            names=("ledger_import_commit",),
            ids={"pk": "ledger_import"},
        ),
        # --- Bulletins -----------------------------------------------------------------------------------
        R(access(CITY | LEADER | PUBLICITY), names=("bulletins:list",)),
        R(access(CITY | {"reviewer"}), names=("bulletins:recipients",)),
        R(access(CITY | {"editor"}), access(CITY | {"editor"}), names=("bulletins:new",)),
        R(access(CITY | {"reviewer"}), access(CITY | {"reviewer"}), names=("bulletins:recipient_new",)),
        R(
            access(CITY | LEADER | PUBLICITY, FIELD | SECTION | OUTSIDER),
            names=("bulletins:detail",),
            ids={"pk": "bulletin"},
        ),
        R(
            access(CITY | LEADER | PUBLICITY, FIELD | SECTION | OUTSIDER),
            names=("bulletins:deliveries", "bulletins:pdf"),
            ids={"pk": "issued_bulletin"},
        ),
        R(
            access(CITY | {"editor"}, FIELD | SECTION | OUTSIDER),
            access(CITY | {"editor"}, FIELD | SECTION | OUTSIDER),
            names=("bulletins:edit", "bulletins:discard"),
            ids={"pk": "bulletin"},
        ),
        R(
            access(CITY | {"reviewer"}, FIELD | SECTION | OUTSIDER),
            access(CITY | {"reviewer"}, FIELD | SECTION | OUTSIDER),
            names=("bulletins:issue",),
            ids={"pk": "bulletin"},
        ),
        R(
            access(CITY | {"reviewer"}, FIELD | SECTION | OUTSIDER),
            access(CITY | {"reviewer"}, FIELD | SECTION | OUTSIDER),
            names=("bulletins:send",),
            ids={"pk": "issued_bulletin"},
        ),
        R(
            access(CITY | {"reviewer"}),
            access(CITY | {"reviewer"}),
            names=("bulletins:recipient_edit",),
            ids={"pk": "recipient"},
        ),
        R(None, access(CITY | {"reviewer"}), names=("bulletins:recipient_toggle",), ids={"pk": "recipient"}),
        # --- The public site -----------------------------------------------------------------------------
        R(PUBLIC, names=("bulletins_public:archive",)),
        R(PUBLIC, PUBLIC, names=("wagtail_serve", "wagtailcore_login")),
        R(PUBLIC, names=("bulletins_public:bulletin", "bulletins_public:pdf"), ids={"pk": "issued_bulletin"}),
        # --- The API (session or token; JSON) ------------------------------------------------------------
        R(None, PUBLIC, names=("api:token",)),
        R(SIGNED_IN, SIGNED_IN, names=("api:tokens",)),
        R(None, SIGNED_IN, names=("api:token_revoke",), ids={"pk": "own_token"}),
        R(SIGNED_IN, names=("api:schema", "api:docs")),
        R(access(REGION_ROLES), names=("api:figures",)),
        R(SIGNED_IN, names=("api:region-list",)),
        # A POST to a list is refused (403) before its body is read to a role that may not add here.
        R(
            SIGNED_IN,
            access(CITY | SECTION | OUTSIDER),
            names=("api:station-list", "api:organisation-list", "api:person-list", "api:dispatch-list"),
        ),
        R(
            access(CITY | LEADER | SECTION | MANAGER | MENTOR | PUBLICITY, OUTSIDER | WORKER),
            names=("api:region-detail",),
            ids={"code": "region_code"},
        ),
        R(
            access(FIELD | CITY | LEADER | SECTION | PUBLICITY, OUTSIDER),
            names=("api:station-detail",),
            ids={"pk": "station"},
        ),
        R(
            access(CITY | LEADER | SECTION | MANAGER, OUTSIDER | WORKER | MENTOR | PUBLICITY),
            names=("api:organisation-detail",),
            ids={"pk": "organisation"},
        ),
        R(
            access(FIELD | CITY | LEADER | SECTION, OUTSIDER | PUBLICITY),
            names=("api:person-detail",),
            ids={"pk": "person"},
        ),
        R(
            access(FIELD | CITY | LEADER | SECTION, OUTSIDER | PUBLICITY),
            names=("api:dispatch-detail",),
            ids={"pk": "dispatch"},
        ),
        R(
            access(REGION_ROLES | FIELD),
            access(SECTION | OUTSIDER | WORKER),
            names=("api:beneficiary-list", "api:group-list"),
        ),
        R(access(REGION_ROLES | FIELD), access(WORKER | MENTOR), names=("api:service-record-list",)),
        R(SIGNED_IN, access(WORKER), names=("api:case-list",)),
        R(access(REGION_ROLES | MANAGER | WORKER), names=("api:project-list",)),
        R(access(REGION_ROLES | MANAGER | WORKER), access(MANAGER | WORKER), names=("api:report-list",)),
        R(
            access(FIELD | CITY | LEADER | SECTION, OUTSIDER),
            names=("api:beneficiary-detail",),
            ids={"pk": "beneficiary"},
        ),
        R(
            access(FIELD | CITY | LEADER | SECTION, OUTSIDER | PUBLICITY),
            names=("api:case-detail",),
            ids={"pk": "case"},
        ),
        R(
            None,
            access(WORKER, OUTSIDER | PUBLICITY),
            names=(
                "api:case-assessments",
                "api:case-closures",
                "api:case-evaluations",
                "api:case-follow-ups",
                "api:case-plans",
                "api:case-referrals",
                "api:case-reopen",
            ),
            ids={"pk": "case"},
        ),
        R(
            None,
            access(MENTOR | SECTION, OUTSIDER | PUBLICITY),
            names=("api:case-closure-review", "api:case-plan-review"),
            ids={"pk": "case"},
        ),
        R(
            access(FIELD | CITY | LEADER | SECTION, OUTSIDER),
            names=("api:service-record-detail",),
            ids={"pk": "service_record"},
        ),
        R(
            access(FIELD | CITY | LEADER | SECTION, OUTSIDER),
            names=("api:group-detail",),
            ids={"pk": "group"},
        ),
        R(
            access(CITY | LEADER | SECTION | MANAGER | WORKER, OUTSIDER),
            names=("api:project-detail",),
            ids={"pk": "project"},
        ),
        R(
            access(CITY | LEADER | SECTION | MANAGER | WORKER, OUTSIDER),
            names=("api:report-detail",),
            ids={"pk": "report"},
        ),
        R(
            None,
            access(CITY | SECTION, OUTSIDER | MENTOR | PUBLICITY),
            names=("api:report-accept", "api:report-send-back"),
            ids={"pk": "report"},
        ),
        R(
            None,
            access(MANAGER | WORKER, OUTSIDER | MENTOR | PUBLICITY),
            names=("api:report-submit",),
            ids={"pk": "report"},
        ),
        # --- Wagtail's admin (the back office) -----------------------------------------------------------
        R(access(REGION_ROLES | PUBLICITY), names=("wagtailadmin_home",)),
        R(
            access(REGION_ROLES | PUBLICITY),
            access(REGION_ROLES | PUBLICITY),
            names=("wagtailadmin_account",),
        ),
        R(access(CITY), names=("two_factor_admin",)),
        R(
            access(PUBLICITY),
            names=(
                "wagtailadmin_explore_root",
                "wagtailimages:index",
                "wagtailforms:index",
                "wagtailadmin_reports:aging_pages",
            ),
        ),
        R(
            NOBODY,
            NOBODY,
            names=(
                "wagtailsnippets:index",
                "wagtaildocs:index",
                "wagtailusers_users:index",
                "wagtailusers_groups:index",
                "wagtailsites:index",
                "wagtailadmin_collections:index",
                "wagtailadmin_workflows:index",
                "wagtailredirects:index",
            ),
        ),
        R(access(REGION_ROLES | PUBLICITY), names=("wagtailadmin_reports:site_history",)),
        R(access({"reviewer"}), names=("wagtailadmin_reports:locked_pages",)),
        R(access(REGION_ROLES), names=("wagtailsnippets_regions_region:list",)),
        R(access(REGION_ROLES), names=("wagtailsnippets_regions_regioncode:list",)),
        R(access(REGION_ROLES), names=("wagtailsnippets_regions_station:list",)),
        R(access(REGION_ROLES), names=("wagtailsnippets_orgs_organisation:list",)),
        R(access(REGION_ROLES), names=("wagtailsnippets_workforce_person:list",)),
        R(access(REGION_ROLES), names=("wagtailsnippets_workforce_dispatch:list",)),
        R(access(REGION_ROLES), names=("wagtailsnippets_workforce_certificate:list",)),
        R(access(REGION_ROLES), names=("wagtailsnippets_training_trainee:list",)),
        R(access(REGION_ROLES), names=("wagtailsnippets_incentives_incentivepolicy:list",)),
        R(access(REGION_ROLES), names=("wagtailsnippets_projects_programmeyear:list",)),
        R(access(REGION_ROLES), names=("wagtailsnippets_projects_receivingcounty:list",)),
        R(access(CITY), names=("wagtailsnippets_accounts_membership:list",)),
        R(access(CITY), names=("wagtailsnippets_accounts_auditentry:list",)),
        R(access(CITY), names=("wagtailsnippets_projects_reporttemplate:list",)),
        R(access(CITY), names=("wagtailsnippets_projects_evaluationscheme:list",)),
        R(access(CITY), names=("wagtailsnippets_cases_targetgroup:list",)),
        R(access(CITY), names=("wagtailsnippets_cases_servicetype:list",)),
        R(NOBODY, NOBODY, names=("wagtailsnippets_regions_region:add",)),
        R(NOBODY, NOBODY, names=("wagtailsnippets_regions_regioncode:add",)),
        R(
            access(CITY | SECTION | OUTSIDER),
            access(CITY | SECTION | OUTSIDER),
            names=("wagtailsnippets_regions_station:add",),
        ),
        R(
            access(CITY | SECTION | OUTSIDER),
            access(CITY | SECTION | OUTSIDER),
            names=("wagtailsnippets_orgs_organisation:add",),
        ),
        R(
            access(CITY | SECTION | OUTSIDER),
            access(CITY | SECTION | OUTSIDER),
            names=("wagtailsnippets_workforce_person:add",),
        ),
        R(
            access(CITY | SECTION | OUTSIDER),
            access(CITY | SECTION | OUTSIDER),
            names=("wagtailsnippets_workforce_dispatch:add",),
        ),
        R(
            access(CITY | SECTION | OUTSIDER),
            access(CITY | SECTION | OUTSIDER),
            names=("wagtailsnippets_workforce_certificate:add",),
        ),
        R(
            access(CITY | SECTION | OUTSIDER),
            access(CITY | SECTION | OUTSIDER),
            names=("wagtailsnippets_training_trainee:add",),
        ),
        R(
            access(CITY | SECTION | OUTSIDER),
            access(CITY | SECTION | OUTSIDER),
            names=("wagtailsnippets_incentives_incentivepolicy:add",),
        ),
        R(access(CITY), access(CITY), names=("wagtailsnippets_projects_programmeyear:add",)),
        R(access(CITY), access(CITY), names=("wagtailsnippets_projects_receivingcounty:add",)),
        R(access(CITY), access(CITY), names=("wagtailsnippets_accounts_membership:add",)),
        R(access(CITY), access(CITY), names=("wagtailsnippets_projects_reporttemplate:add",)),
        R(access(CITY), access(CITY), names=("wagtailsnippets_projects_evaluationscheme:add",)),
        R(access(CITY), access(CITY), names=("wagtailsnippets_cases_targetgroup:add",)),
        R(access(CITY), access(CITY), names=("wagtailsnippets_cases_servicetype:add",)),
        # --- The Django admin: superusers only -----------------------------------------------------------
        R(NOBODY, NOBODY, names=("admin:index",)),
        R(
            PUBLIC,
            PUBLIC,
            names=("wagtailcore_authenticate_with_password",),
            walk=False,
            why="needs a page restriction; none exists",
        ),
        R(PUBLIC, names=("api/^",), walk=False, why="any other /api/ path: a JSON 404 for everyone"),
        # Every other admin page names one Wagtail object (a page, an image, a snippet's row): Wagtail
        # asks its own permissions of the object, and the anonymous are sent to sign in.
        R(access(ADMIN_USERS), prefix="admin/", walk=False, why="Wagtail checks each object's permissions"),
        R(NOBODY, prefix="django-admin/", walk=False, why="no role makes a user staff: superusers only"),
    ]


RULES.extend(_rules())
_index()
