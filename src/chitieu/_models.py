"""Imports every domain's models so that the metadata is complete."""

from chitieu._orm import Base
from chitieu.agency.models import Agency, AgencySuccession
from chitieu.document.models import SourceDocument
from chitieu.extraction.models import ConflictChoice, ExtractedFigure
from chitieu.indicator.models import Indicator
from chitieu.observation.models import ImportBatch, Observation
from chitieu.plan.models import Plan, Target
from chitieu.region.models import Region, RegionSuccession
from chitieu.task.models import Task, TaskUpdate

__all__ = [
    "Agency",
    "AgencySuccession",
    "Base",
    "ConflictChoice",
    "ExtractedFigure",
    "ImportBatch",
    "Indicator",
    "Observation",
    "Plan",
    "Region",
    "RegionSuccession",
    "SourceDocument",
    "Target",
    "Task",
    "TaskUpdate",
]
