"""The rule book: which checks apply to which indicators, how strict, and how severe.

The rules are configuration, not code: ``rules.yaml`` next to this module is
the default book, and every check takes another ``RuleBook`` when given one
(a province with other indicators, a test with a hand-made rule).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chitieu._errors import InputError

DEFAULT_RULES = Path(__file__).with_name("rules.yaml")
Severity = Literal["warning", "blocking"]
Earlier = Literal["estimate", "preliminary"]
EARLIER: tuple[Earlier, ...] = ("estimate", "preliminary")
RuleId = Annotated[str, Field(pattern=r"^[a-z0-9_.]+$", min_length=1, max_length=64)]
Text = Annotated[str, Field(min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Selector(_Strict):
    """Which indicators a rule applies to; empty lists mean "any".

    ``codes`` and ``exclude`` are code patterns with ``*`` and ``?``
    wildcards; ``units`` and ``groups`` are the catalogue's own values.
    """

    codes: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    units: list[str] = Field(default_factory=list)
    exclude_units: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)

    def matches(self, *, code: str, unit: str, group: str) -> bool:
        if self.codes and not any(fnmatchcase(code, pattern) for pattern in self.codes):
            return False
        if any(fnmatchcase(code, pattern) for pattern in self.exclude):
            return False
        if self.units and unit not in self.units:
            return False
        if unit in self.exclude_units:
            return False
        return not self.groups or group in self.groups


class _Rule(_Strict):
    id: RuleId
    severity: Severity
    note: str | None = None
    """Why the rule is set as it is (shown in the documentation, not to users)."""


class BoundsRule(_Rule):
    """A value that must lie within limits: a rate within 0–100, a count not below 0."""

    select: Selector
    min: float | None = None
    max: float | None = None
    integer: bool = False
    what_vi: Text
    what_en: Text

    @model_validator(mode="after")
    def _limits(self) -> BoundsRule:
        if self.min is None and self.max is None and not self.integer:
            raise ValueError("cần ít nhất một trong min, max, integer")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min lớn hơn max")
        return self


class Part(_Strict):
    indicator: str
    label_vi: Text
    label_en: Text


class SumRule(_Rule):
    """Parts of a whole that must add up to it: 100%, or another indicator's value."""

    name_vi: Text
    name_en: Text
    parts: Annotated[list[Part], Field(min_length=2)]
    optional_parts: list[Part] = Field(default_factory=list)
    total: float | None = None
    total_indicator: str | None = None
    total_label_vi: str | None = None
    total_label_en: str | None = None
    tolerance: Annotated[float, Field(ge=0)]

    @model_validator(mode="after")
    def _one_total(self) -> SumRule:
        if (self.total is None) == (self.total_indicator is None):
            raise ValueError("cần đúng một trong total, total_indicator")
        return self

    @property
    def indicators(self) -> list[str]:
        codes = [part.indicator for part in (*self.parts, *self.optional_parts)]
        return [*codes, self.total_indicator] if self.total_indicator else codes


class Sector(_Strict):
    growth: str
    share: str
    label_vi: Text
    label_en: Text


class GrowthRule(_Rule):
    """A total's growth against its sectors' growth weighted by last year's shares."""

    name_vi: Text
    name_en: Text
    total: str
    sectors: Annotated[list[Sector], Field(min_length=2)]
    tolerance: Annotated[float, Field(ge=0)]

    @property
    def indicators(self) -> list[str]:
        return [self.total, *(s.growth for s in self.sectors), *(s.share for s in self.sectors)]


class OutlierRule(_Rule):
    """A year-on-year change far outside the series' own usual changes."""

    select: Selector = Field(default_factory=Selector)
    min_points: Annotated[int, Field(ge=4, le=1000)] = 5
    z: Annotated[float, Field(gt=0)] = 3.0
    modified_z: Annotated[float, Field(gt=0)] = 3.5


class MagnitudeRule(_Rule):
    """A figure ``factor`` times its neighbour in the series or more (or a ``factor``-th)."""

    select: Selector = Field(default_factory=Selector)
    factor: Annotated[float, Field(gt=1)] = 10.0


class EstimateRule(_Rule):
    """An estimate far from the actual figure of the same period."""

    select: Selector = Field(default_factory=Selector)
    max_relative: Annotated[float, Field(gt=0)] | None = None
    max_points: Annotated[float, Field(gt=0)] | None = None
    earlier: list[Earlier] = Field(default_factory=lambda: list(EARLIER))

    @model_validator(mode="after")
    def _one_measure(self) -> EstimateRule:
        if (self.max_relative is None) == (self.max_points is None):
            raise ValueError("cần đúng một trong max_relative, max_points")
        return self


class RuleBook(_Strict):
    bounds: list[BoundsRule] = Field(default_factory=list)
    sums: list[SumRule] = Field(default_factory=list)
    growth: list[GrowthRule] = Field(default_factory=list)
    outliers: list[OutlierRule] = Field(default_factory=list)
    magnitudes: list[MagnitudeRule] = Field(default_factory=list)
    estimates: list[EstimateRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> RuleBook:
        seen: set[str] = set()
        for rule in self.all_rules():
            if rule.id in seen:
                raise ValueError(f"mã quy tắc '{rule.id}' bị trùng")
            seen.add(rule.id)
        return self

    def all_rules(self) -> list[_Rule]:
        return [
            *self.bounds,
            *self.sums,
            *self.growth,
            *self.outliers,
            *self.magnitudes,
            *self.estimates,
        ]

    def rule(self, rule_id: str) -> _Rule | None:
        return next((rule for rule in self.all_rules() if rule.id == rule_id), None)

    def related(self, code: str) -> set[str]:
        """The indicators whose figures the checks of ``code`` read."""
        codes = {code}
        groups = [rule.indicators for rule in self.sums] + [rule.indicators for rule in self.growth]
        for indicators in groups:
            if code in indicators:
                codes.update(indicators)
        return codes


def parse_rules(text: str, *, source: str = "rules") -> RuleBook:
    """A rule book from YAML text; a bad book stops with one line naming the field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng {mark.line + 1})" if mark is not None else ""
        raise InputError(f"{source}: không đọc được YAML{where}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{source}: tệp quy tắc phải là một bảng (khóa: giá trị)")
    try:
        return RuleBook.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise InputError(f"{source}: {where}: {error['msg']}") from exc


def load_rules(path: Path | None = None) -> RuleBook:
    """The rule book in ``path``, or the packaged default."""
    if path is None:
        return _default_rules()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: không đọc được tệp quy tắc ({exc})") from exc
    return parse_rules(text, source=str(path))


@cache
def _default_rules() -> RuleBook:
    return parse_rules(DEFAULT_RULES.read_text(encoding="utf-8"), source=DEFAULT_RULES.name)
