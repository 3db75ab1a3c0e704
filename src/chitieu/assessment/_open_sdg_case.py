"""One series of Open SDG's progress measure as sdg-build reads it: options, years, values.

sdg-build takes a series as a pandas frame and its options as a plain dict, so it
accepts more than a strict schema would: unknown options are ignored, ``series``,
``unit`` and ``disaggregation`` only select rows (a Year/Value series has none to
select), ``progress_thresholds`` replaces the default band edges, and a year is
anything whose first four characters read as one once any year is longer than four
characters (``2015.0``, ``2015.5``, ``"2015-2016"``). What sdg-build itself would
raise on is kept as that exception's name (:attr:`Case.raises`), a result like any
other; only input no sdg-build run could be given (not JSON, a value that is no
number) is refused, and then for its own line alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_BASE_YEAR = 2015
DEFAULT_TARGET_YEAR = 2030

KNOWN_OPTIONS = frozenset(
    {
        "base_year",
        "target_year",
        "target",
        "direction",
        "limit",
        "progress_thresholds",
        "series",
        "unit",
        "disaggregation",
    }
)
THRESHOLD_KEYS = ("high", "med", "low", "coefficient")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """``progress_thresholds``: band edges replacing the method's defaults (None = default).

    ``coefficient`` is the divisor of the no-target scores; sdg-build sets it from
    ``limit`` and otherwise takes a user's value as it is.
    """

    high: float | None = None
    med: float | None = None
    low: float | None = None
    coefficient: float | None = None


@dataclass(frozen=True, slots=True)
class Config:
    """The options Open SDG reads from ``progress_calculation_options``."""

    base_year: float = DEFAULT_BASE_YEAR
    target_year: float = DEFAULT_TARGET_YEAR
    target: float | None = None
    direction: str | None = None
    limit: float | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    ignored: tuple[str, ...] = ()  # options sdg-build does not know either

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Config:
        """Read a JSON object; ``ValueError`` names the first option no run could take."""
        target = _number_or_none(raw.get("target"), "target")
        # Without a target sdg-build never reads target_year; with one it ignores limit.
        target_year = (
            _year(raw, "target_year", DEFAULT_TARGET_YEAR)
            if target is not None
            else DEFAULT_TARGET_YEAR
        )
        limit = None if target is not None else _number_or_none(raw.get("limit"), "limit")
        direction = raw.get("direction")
        return cls(
            base_year=_year(raw, "base_year", DEFAULT_BASE_YEAR),
            target_year=target_year,
            target=target,
            direction=direction if isinstance(direction, str) else None,
            limit=limit,
            thresholds=_thresholds(raw.get("progress_thresholds")),
            ignored=tuple(sorted(set(raw) - KNOWN_OPTIONS)),
        )


@dataclass(frozen=True, slots=True)
class Case:
    """One series: its id, observations (None = missing value) and options.

    ``raises`` is the exception sdg-build raises for this series before measuring it.
    """

    id: str | int
    years: Sequence[int]
    values: Sequence[float | None]
    config: Config = field(default_factory=Config)
    raises: str | None = None

    def __post_init__(self) -> None:
        if len(self.years) != len(self.values):
            raise ValueError(
                f"'years' có {len(self.years)} phần tử, 'values' có {len(self.values)}"
            )

    @classmethod
    def from_record(cls, record: Any) -> Case:
        """Read ``{"id", "years", "values", "config"}``; other keys are ignored."""
        if not isinstance(record, Mapping):
            raise ValueError("không phải một đối tượng JSON")
        case_id = record_id(record)
        if case_id is None:
            raise ValueError("thiếu 'id' (chuỗi hoặc số nguyên)")
        raw_years = record.get("years")
        values = record.get("values")
        if not isinstance(raw_years, list) or not all(_is_year(y) for y in raw_years):
            raise ValueError("'years' phải là danh sách năm (số hoặc chuỗi như \"2015-2016\")")
        if not isinstance(values, list) or not all(v is None or _is_number(v) for v in values):
            raise ValueError("'values' phải là danh sách số (hoặc null)")
        if len(raw_years) != len(values):
            raise ValueError(f"'years' có {len(raw_years)} phần tử, 'values' có {len(values)}")
        raw_config = record.get("config") or {}
        if not isinstance(raw_config, Mapping):
            raise ValueError("'config' phải là một đối tượng JSON")
        config = Config.from_mapping(raw_config)
        raises = _tag_error(raw_config)
        years, year_error = sdg_years(raw_years, values)
        if year_error or not years:  # also short string years whose values are all missing
            return cls(case_id, [], [], config, raises or year_error)
        return cls(case_id, years, values, config, raises)


def record_id(record: Mapping[str, Any]) -> str | int | None:
    """The record's ``id`` when it is one a result can carry."""
    case_id = record.get("id")
    if isinstance(case_id, bool) or not isinstance(case_id, str | int):
        return None
    return case_id


def sdg_years(raw: Sequence[Any], values: Sequence[float | None]) -> tuple[list[int], str | None]:
    """Years as sdg-build's frame ends up holding them, or the exception it raises.

    pandas makes the column int (all ints), float (ints and floats) or object (any
    string); when any year printed that way is longer than four characters, every
    year becomes ``int`` of its first four (``2015.5`` → 2015, ``"2015-2016"`` → 2015).
    """
    if any(isinstance(y, str) for y in raw):
        printed = [str(y) if isinstance(y, str | int) else repr(float(y)) for y in raw]
    elif any(isinstance(y, float) for y in raw):
        printed = [repr(float(y)) for y in raw]
    else:
        printed = [str(y) for y in raw]
    if any(len(p) > 4 for p in printed):
        try:
            return [int(p[:4]) for p in printed], None
        except ValueError:
            return [], "ValueError"
    if all(isinstance(y, int) for y in raw):
        return list(raw), None
    # Short strings or floats stay as they are; with data, the year comparisons fail.
    kept = [y for y, v in zip(raw, values, strict=True) if v is not None]
    if not kept:
        return [], None
    if len(kept) != len(set(kept)):
        return [], "Exception"
    if all(_is_number(y) and float(y).is_integer() for y in kept):
        return [int(y) for y in raw], None
    return [], "TypeError"


def _tag_error(raw: Mapping[str, Any]) -> str | None:
    """sdg-build joins ``series``, ``unit`` and each ``disaggregation`` value into a tag."""
    for key in ("series", "unit"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            return "TypeError"
    disaggregation = raw.get("disaggregation")
    if disaggregation is None:
        return None
    if not isinstance(disaggregation, list):
        return "TypeError"
    for item in disaggregation:
        if not isinstance(item, Mapping):
            return "TypeError"
        if "value" not in item:
            return "KeyError"
        if not isinstance(item["value"], str):
            return "TypeError"
    return None


def _thresholds(raw: object) -> Thresholds:
    if raw is None:
        return Thresholds()
    if not isinstance(raw, Mapping):
        raise ValueError("'progress_thresholds' phải là một đối tượng JSON")
    given = {}
    for key in THRESHOLD_KEYS:
        if key in raw:
            value = _number_or_none(raw[key], f"progress_thresholds.{key}")
            if value is None:
                raise ValueError(f"'progress_thresholds.{key}' phải là một số")
            given[key] = value
    return Thresholds(**given)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_year(value: object) -> bool:
    if isinstance(value, str):
        return True
    return _is_number(value) and math.isfinite(value)  # type: ignore[arg-type]


def _year(raw: Mapping[str, Any], key: str, default: int) -> float:
    value = raw.get(key, default)
    if not _is_number(value) or not math.isfinite(value):
        raise ValueError(f"'{key}' phải là một năm (số)")
    return value  # type: ignore[no-any-return]


def _number_or_none(value: object, key: str) -> float | None:
    if value is None:
        return None
    if not _is_number(value):
        raise ValueError(f"'{key}' phải là một số")
    return float(value)  # type: ignore[arg-type]
