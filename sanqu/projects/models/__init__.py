"""Programme years, county projects and their supervision, and livelihood projects."""

from sanqu.projects.models.evaluations import (
    EvaluationIndicator,
    EvaluationScheme,
    Grade,
    IndicatorScore,
    ProjectEvaluation,
)
from sanqu.projects.models.livelihood import LivelihoodMeasure, LivelihoodProject
from sanqu.projects.models.programme import ProgrammeYear, ReceivingCounty
from sanqu.projects.models.projects import Milestone, Project, ProjectBeneficiary, ProjectPeopleServed, Target
from sanqu.projects.models.reports import (
    PeriodFigure,
    PeriodicReport,
    ReportEvent,
    ReportField,
    ReportReminder,
    ReportTemplate,
)
from sanqu.projects.models.visits import MonitoringVisit, VisitAction

__all__ = [
    "EvaluationIndicator",
    "EvaluationScheme",
    "Grade",
    "IndicatorScore",
    "LivelihoodMeasure",
    "LivelihoodProject",
    "Milestone",
    "MonitoringVisit",
    "PeriodFigure",
    "PeriodicReport",
    "ProgrammeYear",
    "Project",
    "ProjectBeneficiary",
    "ProjectEvaluation",
    "ProjectPeopleServed",
    "ReceivingCounty",
    "ReportEvent",
    "ReportField",
    "ReportReminder",
    "ReportTemplate",
    "Target",
    "VisitAction",
]
