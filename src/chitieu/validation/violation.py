"""What a check reports, what it reads, and how its numbers are written in both languages."""

from __future__ import annotations

from dataclasses import dataclass

from chitieu import _format
from chitieu._labels import word
from chitieu._periods import parse_period
from chitieu.validation.figures import Figure, Figures, IndicatorInfo
from chitieu.validation.rules import RuleBook

# Sums of figures written to one decimal are not exact in binary; this much is equality.
EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Violation:
    """A rule a figure breaks, said with its numbers in Vietnamese and English.

    ``indicator_code``, ``region_id`` and ``period`` name the series and
    period the finding is about (for a rule over several indicators, its
    anchor: the first part of a sum, the total of a growth); ``observation_id``
    is the figure whose check found it (None for a figure not yet written).
    ``explanation`` is set by ``check_all`` when someone has explained it.
    """

    rule: str
    kind: str
    severity: str
    indicator_code: str
    region_id: int
    region_code: str
    period: str
    status: str
    observation_id: int | None
    message_vi: str
    message_en: str
    explanation: str | None = None

    @property
    def blocking(self) -> bool:
        return self.severity == "blocking"

    @property
    def explained(self) -> bool:
        return self.explanation is not None

    def message(self, lang: str = "vi") -> str:
        return self.message_vi if lang == "vi" else self.message_en


@dataclass(frozen=True)
class Context:
    """Everything a check reads: the rules, the figures, the catalogue, the region codes."""

    rules: RuleBook
    figures: Figures
    indicators: dict[str, IndicatorInfo]
    regions: dict[int, str]
    # The last year a figure may be for (plan.service.figure_horizon); None: no limit.
    horizon: int | None = None

    def violation(
        self,
        *,
        rule: str,
        kind: str,
        severity: str,
        checked: Figure,
        vi: str,
        en: str,
        indicator: str | None = None,
        period: str | None = None,
        status: str | None = None,
    ) -> Violation:
        return Violation(
            rule=rule,
            kind=kind,
            severity=severity,
            indicator_code=indicator or checked.indicator,
            region_id=checked.region_id,
            region_code=self.regions.get(checked.region_id, str(checked.region_id)),
            period=period or checked.period,
            status=status or checked.status,
            observation_id=checked.id,
            message_vi=vi,
            message_en=en,
        )


def num(value: float, lang: str, digits: int = 2) -> str:
    return _format.number(value, lang, digits)


def signed(value: float, lang: str, digits: int = 2) -> str:
    """A change with its sign: +2,6 or -5,9."""
    text = num(value, lang, digits)
    return f"+{text}" if value > 0 and not text.startswith("+") else text


def amount(value: float, unit: str, lang: str) -> str:
    return _format.value_with_unit(value, unit, lang)


def period_label(code: str, lang: str) -> str:
    return parse_period(code).label(lang)


def status_word(status: str, lang: str) -> str:
    return word(status, lang)


def gap_text(gap: float, unit: str, lang: str) -> str:
    """A difference: in points for rates, in the unit otherwise."""
    if unit == "%":
        return f"{num(abs(gap), lang)} {'điểm' if lang == 'vi' else 'points'}"
    return amount(abs(gap), unit, lang)
