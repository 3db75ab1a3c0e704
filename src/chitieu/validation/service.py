"""Checking figures against the rule book, and the review queue of what the checks found.

``check_observation`` only reads; ``enforce`` keeps what it finds as
findings (once per figure and rule) and refuses a figure that breaks a
blocking rule; people then explain or dismiss the findings, and an explained
finding is not reported again, neither by ``enforce`` nor by ``check_all``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu._errors import InputError, ValidationBlockedError
from chitieu._periods import read_period
from chitieu.indicator.service import get_indicator
from chitieu.observation.models import STATUSES, Observation
from chitieu.plan.service import figure_horizon
from chitieu.region.models import Region
from chitieu.region.service import get_region
from chitieu.validation.checks import (
    check_bounds,
    check_growth,
    check_horizon,
    check_plausible,
    check_sums,
)
from chitieu.validation.figures import (
    Figure,
    Figures,
    load_figures,
    load_indicators,
    load_region_codes,
)
from chitieu.validation.findings import (
    RESOLVED,
    STATE_WORDS,
    dismiss_finding,
    explain_finding,
    finding_record,
    get_finding,
    list_findings,
)
from chitieu.validation.models import ValidationFinding
from chitieu.validation.rules import RuleBook, load_rules
from chitieu.validation.series import check_estimates, check_magnitudes, check_outliers
from chitieu.validation.violation import Context, Violation

__all__ = [
    "Violation",
    "check_all",
    "check_observation",
    "check_values",
    "dismiss_finding",
    "enforce",
    "explain_finding",
    "finding_record",
    "get_finding",
    "keep_finding",
    "list_findings",
    "open_findings",
    "violation_record",
    "with_explanations",
]
CHECKS: tuple[Callable[[Context, Figure], Iterator[Violation]], ...] = (
    check_horizon,
    check_plausible,
    check_bounds,
    check_sums,
    check_growth,
    check_outliers,
    check_magnitudes,
    check_estimates,
)


def check_figure(ctx: Context, figure: Figure) -> list[Violation]:
    """Every rule's violations by one figure, read against the figures in ``ctx``."""
    return [violation for check in CHECKS for violation in check(ctx, figure)]


def _context(session: Session, rules: RuleBook, figures: Figures) -> Context:
    return Context(
        rules=rules,
        figures=figures,
        indicators=load_indicators(session),
        regions=load_region_codes(session),
        horizon=figure_horizon(session, today=date.today()),
    )


def check_observation(
    session: Session, *, observation: Observation, rules: RuleBook | None = None
) -> list[Violation]:
    """The rules ``observation`` breaks; writes nothing.

    The observation may be one not yet written (no id): it is then read as if
    it were the newest figure of its period, which is what it would be.
    """
    book = rules or load_rules()
    figure = Figure.of(observation)
    figures = load_figures(
        session, codes=book.related(figure.indicator), region_id=figure.region_id
    )
    if figure.id is None:
        figures.add(figure)
    return check_figure(_context(session, book, figures), figure)


def check_all(
    session: Session, *, rules: RuleBook | None = None, region: Region | None = None
) -> list[Violation]:
    """Every violation in the database (of ``region``'s figures), each once.

    A violation someone has explained or dismissed comes back with its
    ``explanation`` set; the others are open.
    """
    book = rules or load_rules()
    figures = load_figures(session, region_id=region.id if region is not None else None)
    ctx = _context(session, book, figures)
    found: dict[tuple[str, str, int, str, str, str], Violation] = {}
    for figure in sorted(figures, key=lambda f: f.id or 0):
        for violation in check_figure(ctx, figure):
            key = (
                violation.rule,
                violation.indicator_code,
                violation.region_id,
                violation.period,
                violation.status,
                violation.message_vi,
            )
            found.setdefault(key, violation)
    return with_explanations(session, list(found.values()))


def with_explanations(session: Session, violations: list[Violation]) -> list[Violation]:
    """The violations, each with the explanation someone gave for it, if any."""
    resolved = _resolved(session)
    return [
        replace(violation, explanation=_explanation(violation, resolved))
        for violation in violations
    ]


def check_values(
    session: Session,
    *,
    indicator: str,
    region: str,
    period: str,
    value: float,
    status: str = "actual",
    rules: RuleBook | None = None,
) -> list[Violation]:
    """What a figure not yet written would break (a dry run: nothing is written).

    Each violation carries the explanation already given for it, if any: an
    explained one would not enter the review queue.
    """
    if status not in STATUSES:
        raise InputError(f"trạng thái '{status}' không hợp lệ ({', '.join(STATUSES)})")
    if not math.isfinite(value):
        raise InputError("giá trị phải là một số hữu hạn")
    found = get_indicator(session, code_or_name=indicator)
    if found.is_derived:
        raise InputError(
            f"chỉ tiêu {found.code} được tính theo công thức {found.formula}, không nhập"
        )
    when = read_period(period)
    place = get_region(session, code_or_name=region, on=when.end)
    candidate = Observation(
        indicator_code=found.code,
        region_id=place.id,
        period=when.code,
        period_start=when.start,
        period_end=when.end,
        value=value,
        unit=found.unit,
        status=status,
    )
    violations = check_observation(session, observation=candidate, rules=rules)
    return with_explanations(session, violations)


def _resolved(session: Session) -> list[ValidationFinding]:
    query = select(ValidationFinding).where(ValidationFinding.state.in_(RESOLVED))
    return list(session.scalars(query.order_by(ValidationFinding.id)))


def _matches(finding: ValidationFinding, violation: Violation) -> bool:
    """Whether ``finding`` is about ``violation``: the same rule, series and period, and either
    the same figure, the same numbers, or (an explanation given for the series' period as a
    whole, as the seeds give them) no figure at all."""
    return (
        finding.rule == violation.rule
        and finding.indicator_code == violation.indicator_code
        and finding.region_id == violation.region_id
        and finding.period == violation.period
        and (
            finding.observation_id is None
            or finding.observation_id == violation.observation_id
            or finding.message_vi == violation.message_vi
        )
    )


def _explanation(violation: Violation, resolved: Iterable[ValidationFinding]) -> str | None:
    for finding in resolved:
        if _matches(finding, violation):
            return finding.explanation or STATE_WORDS[finding.state][0]
    return None


def _series_findings(session: Session, violation: Violation) -> list[ValidationFinding]:
    query = select(ValidationFinding).where(
        ValidationFinding.rule == violation.rule,
        ValidationFinding.indicator_code == violation.indicator_code,
        ValidationFinding.region_id == violation.region_id,
        ValidationFinding.period == violation.period,
    )
    return list(session.scalars(query.order_by(ValidationFinding.id)))


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
    back) when a rule configured to block is broken. Checking the same figure
    again adds nothing: an open finding of the same rule and figure is
    returned as it is, and an explained or dismissed one is not reopened.
    ``actor`` is who wrote the figure (findings do not record it: the
    observation does).
    """
    violations = check_observation(session, observation=observation)
    kept: list[ValidationFinding] = []
    for violation in violations:
        known = _series_findings(session, violation)
        finding = keep_finding(session, violation, known=known, figure_id=figure_id)
        if finding is not None:
            kept.append(finding)
    session.flush()
    blocking = [v for v in violations if v.blocking]
    if blocking:
        raise ValidationBlockedError("; ".join(v.message_vi for v in blocking))
    return kept


def keep_finding(
    session: Session,
    violation: Violation,
    *,
    known: Iterable[ValidationFinding],
    figure_id: int | None = None,
) -> ValidationFinding | None:
    """The finding recording ``violation`` among its series' ``known`` ones, or a new one.

    None when someone explained or dismissed it: it is not reported again.
    """
    known = list(known)
    if any(f.state in RESOLVED and _matches(f, violation) for f in known):
        return None
    for finding in known:
        if (
            finding.state == "open"
            and finding.observation_id == violation.observation_id
            and finding.message_vi == violation.message_vi
        ):
            return finding
    finding = ValidationFinding(
        rule=violation.rule,
        severity=violation.severity,
        indicator_code=violation.indicator_code,
        region_id=violation.region_id,
        period=violation.period,
        observation_id=violation.observation_id,
        figure_id=figure_id,
        message_vi=violation.message_vi,
        message_en=violation.message_en,
        state="open",
    )
    session.add(finding)
    return finding


def open_findings(
    session: Session,
    *,
    observation_id: int | None = None,
    figure_id: int | None = None,
    indicator_code: str | None = None,
) -> list[ValidationFinding]:
    """Findings nobody has explained or dismissed yet, newest first."""
    return list_findings(
        session,
        state="open",
        observation_id=observation_id,
        figure_id=figure_id,
        indicator_code=indicator_code,
    )


def violation_record(violation: Violation, lang: str = "vi") -> dict[str, Any]:
    """A violation as the CLI and the API show it."""
    return {
        "rule": violation.rule,
        "kind": violation.kind,
        "severity": violation.severity,
        "indicator": violation.indicator_code,
        "region": violation.region_code,
        "period": violation.period,
        "status": violation.status,
        "observation_id": violation.observation_id,
        "message": violation.message(lang),
        "message_vi": violation.message_vi,
        "message_en": violation.message_en,
        "explanation": violation.explanation,
    }
