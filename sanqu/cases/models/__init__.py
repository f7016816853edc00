"""Work with people: beneficiaries, cases and their stages, services, groups, community work."""

from sanqu.cases.models.beneficiaries import Beneficiary, Household, TargetGroup
from sanqu.cases.models.cases import (
    Assessment,
    Case,
    CasePlan,
    Closure,
    Evaluation,
    FollowUp,
    GoalAttainment,
    Intake,
    PlanGoal,
    Referral,
)
from sanqu.cases.models.community import CommunityActivity, CommunityAttendance
from sanqu.cases.models.groups import Group, GroupAttendance, GroupMember, GroupSession
from sanqu.cases.models.rollups import BeneficiaryRollup, CaseStageRollup, ServiceRollup
from sanqu.cases.models.services import ServiceRecord, ServiceType

__all__ = [
    "Assessment",
    "Beneficiary",
    "BeneficiaryRollup",
    "Case",
    "CasePlan",
    "CaseStageRollup",
    "Closure",
    "CommunityActivity",
    "CommunityAttendance",
    "Evaluation",
    "FollowUp",
    "GoalAttainment",
    "Group",
    "GroupAttendance",
    "GroupMember",
    "GroupSession",
    "Household",
    "Intake",
    "PlanGoal",
    "Referral",
    "ServiceRecord",
    "ServiceRollup",
    "ServiceType",
    "TargetGroup",
]
