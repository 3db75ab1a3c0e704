"""Validation of figures (interface fixed; the rules are being written — see issue 5)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from chitieu.observation.models import Observation
from chitieu.validation.models import ValidationFinding


def enforce(
    session: Session,
    *,
    observation: Observation,
    actor: str,
    figure_id: int | None = None,
) -> list[ValidationFinding]:
    """Check a newly written observation against the rules and keep what they find.

    Returns the findings (warnings) stored for the review queue; raises
    ``ValidationBlockedError`` (nothing written: the caller's transaction rolls
    back) when a rule configured to block is broken.
    """
    return []


def open_findings(
    session: Session,
    *,
    observation_id: int | None = None,
    figure_id: int | None = None,
    indicator_code: str | None = None,
) -> list[ValidationFinding]:
    """Findings nobody has explained or dismissed yet, newest first."""
    return []
