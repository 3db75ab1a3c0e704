"""Checking the figures of one file as ``enforce`` checks one figure, reading the database once.

``enforce`` reads the catalogue, the region codes, the plans' horizon, the
series and the findings for every figure: right for a figure typed in, but an
agency's yearly file of 20,000 rows spent nearly all its time rereading them.
``FileChecker`` reads them once for the file's indicators and regions, then
checks each figure in the file's order against those read plus the file's
figures before it, so every row sees what it saw when rows were written and
checked one at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu.observation.models import Observation
from chitieu.validation.figures import Figure, Figures, load_figures
from chitieu.validation.models import ValidationFinding
from chitieu.validation.rules import RuleBook, load_rules
from chitieu.validation.service import _context, check_figure, keep_finding
from chitieu.validation.violation import Violation

_Series = tuple[str, str, int, str]  # rule, indicator, region id, period


class FileChecker:
    """The rule book, figures and findings for a file's indicators and regions, read once."""

    def __init__(
        self,
        session: Session,
        *,
        indicator_codes: Iterable[str],
        region_ids: Iterable[int],
        rules: RuleBook | None = None,
    ) -> None:
        self._session = session
        book = rules or load_rules()
        codes: set[str] = set()
        for code in indicator_codes:
            codes |= book.related(code)
        regions = sorted(set(region_ids))
        figures = Figures(
            figure
            for region in regions
            for figure in load_figures(session, codes=codes, region_id=region)
        )
        self._context = _context(session, book, figures)
        self._findings: dict[_Series, list[ValidationFinding]] = defaultdict(list)
        query = select(ValidationFinding).where(
            ValidationFinding.indicator_code.in_(sorted(codes)),
            ValidationFinding.region_id.in_(regions),
        )
        for finding in session.scalars(query.order_by(ValidationFinding.id)):
            key = (finding.rule, finding.indicator_code, finding.region_id, finding.period)
            self._findings[key].append(finding)

    def check(self, observation: Observation) -> list[Violation]:
        """Check a figure just written: the blocking violations, or none and its findings kept.

        A blocked figure is no longer read by the later rows' checks; the caller
        removes it. Findings are kept once per figure and rule, as ``enforce`` does.
        """
        figures = self._context.figures
        figure = Figure.of(observation)
        replaced = [
            old
            for old in figures.at(figure.indicator, figure.region_id, figure.period)
            if old.id is not None and old.id == observation.supersedes_id
        ]
        for old in replaced:
            figures.remove(old)
        figures.add(figure)
        violations = check_figure(self._context, figure)
        blocking = [v for v in violations if v.blocking]
        if blocking:
            # The figure will not be written: later rows must not read it.
            figures.remove(figure)
            for old in replaced:
                figures.add(old)
            return blocking
        for violation in violations:
            self._keep(violation)
        return []

    def _keep(self, violation: Violation) -> None:
        key = (violation.rule, violation.indicator_code, violation.region_id, violation.period)
        known = self._findings[key]
        finding = keep_finding(self._session, violation, known=known)
        if finding is not None and finding not in known:
            known.append(finding)
