"""Imports every domain's models so that the metadata is complete."""

from chitieu._orm import Base
from chitieu._version import DataVersion
from chitieu.agency.models import Agency, AgencySuccession
from chitieu.audit.models import AuditEntry
from chitieu.document.models import SourceDocument
from chitieu.extraction.models import ConflictChoice, ExtractedFigure
from chitieu.indicator.models import Indicator, IndicatorAgency
from chitieu.observation.models import ImportBatch, Observation
from chitieu.plan.models import Plan, Target
from chitieu.region.models import Region, RegionSuccession
from chitieu.task.models import Task, TaskUpdate
from chitieu.user.models import ApiToken, User
from chitieu.validation.models import ValidationFinding

__all__ = [
    "Agency",
    "AgencySuccession",
    "ApiToken",
    "AuditEntry",
    "Base",
    "ConflictChoice",
    "DataVersion",
    "ExtractedFigure",
    "ImportBatch",
    "Indicator",
    "IndicatorAgency",
    "Observation",
    "Plan",
    "Region",
    "RegionSuccession",
    "SourceDocument",
    "Target",
    "Task",
    "TaskUpdate",
    "User",
    "ValidationFinding",
]
