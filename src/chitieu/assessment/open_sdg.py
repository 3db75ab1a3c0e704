"""Open SDG's automatic progress measure, computed for many series at once with numpy.

This reproduces the result of sdg-build's ``IndicatorProgress`` (the 2.4-era
class, one headline series per indicator) to 1e-9 on the 300 cases of
``shared/oracle``, quirks included; every step below is an array operation over
all series, with no per-series Python loop (only packing and unpacking loop).

Method, per series (``y`` the observed values, ``t`` their years):

1. Observations whose value is missing (None/NaN) are dropped first.
2. The latest year ``t1`` is the largest year; ``y1`` its value.
3. The base year ``t0`` is ``base_year`` (default 2015) if it has data, else the
   first later year with data; ``y0`` its value.
4. ``CAGR(a, b, t, u) = (a/b)^(1/(t-u)) - 1``; ``s = -1`` if ``y0 < 0`` else 1;
   ``d = +1`` if ``direction == "positive"`` else -1.
5. With a target (``target_year`` default 2030): the target is achieved when
   ``y1 >= target`` (d = +1) or ``y1 <= target`` (d = -1); the progress value is
   ``R = s*d*CAGR(y1, y0, t1, t0) / |CAGR(target, y0, target_year, t0)|`` and the
   score ``min(7.1429R - 4.2857, 5)`` if ``R >= 0.6`` else ``max(4.1667R - 2.5, -5)``.
6. Without a target: ``v = s*d*CAGR(y1, y0, t1, t0)``; with a ``limit``,
   ``C = 1 - (|y0|/|L|)^4.44`` when ``|y0| <= |L|``, ``1 - ((2|L| - |y0|)/|L|)^4.44``
   when ``|L| < |y0| < 2|L|``, else 1 (no limit: C = 1). Score
   ``max(125v - 2.5, -5)`` if ``v < 0``; 5 if ``C == 0``; ``min(500v/C - 5, 5)`` if
   ``v >= 0.015C``; ``250v/C - 1.25`` if ``v >= 0.005C``; else ``500v/C - 2.5``.
7. Status from the score (not from the progress value): ``target_achieved`` when
   achieved, else [2.5, 5] substantial, [0, 2.5) moderate, [-2.5, 0) limited,
   [-5, -2.5) deterioration; ``""`` when there is no score.

Quirks reproduced (each one is Open SDG's behaviour, not a choice of ours). The
oracle shows the ValueError, the base-equals-latest, the achieved-wins and the
zero-base ones; it holds no duplicate year, negative value, zero target or
target-year-equals-base-year series, so those follow sdg-build's code (checked
against a scalar transcription of it in ``tests/test_open_sdg.py``):

- **No year at or after the base year** → ``ValueError`` (pandas ``.item()`` on
  an empty selection): the default base year 2015 makes every series that ends
  before 2015 an error, whatever its config.
- **Fewer than two points from the base year on**: when the (possibly moved)
  base year is the latest year (``t1 - t0 < 1``) there is no progress value;
  score None and status ``""`` unless the target is achieved. One year between
  base and latest is enough (``[2015, 2016]`` is judged).
- **Target achieved wins**: achievement is judged on the latest value alone, before
  and regardless of everything else (opposite signs, no span): score 5, status
  ``target_achieved``, while the progress value is still computed (it can be
  negative, or None).
- **Zero base value or target** → 0.001. The target is replaced before the
  achievement test; the base value only for the growth, after the sign ``s`` and
  the limit coefficient ``C`` were taken from the original 0.
- **Opposite signs** (``y0`` after the 0.001 swap and ``y1`` on different sides of
  0, ``y1 == 0`` allowed) → no progress value.
- **Missing direction = negative**, and so is any direction other than the exact
  string ``"positive"``.
- **A limit is ignored when there is a target**, and ``C == 0`` (base exactly at
  the limit) scores 5 for any ``v >= 0``.
- **Duplicate years** (after dropping missing values) → a bare ``Exception``.
- **Types decide the arithmetic of the required growth**: the latest year is a
  numpy integer, a base year that was moved to a later year also is, but a base
  year found as given is a Python ``int``. So ``target_year == t0`` raises
  ``ZeroDivisionError`` when ``t0`` is the configured year, but gives an
  infinite exponent when it was moved; a target/base ratio below 0 with a
  non-integer exponent gives a complex number whose modulus divides (Python) or
  NaN (numpy, then no score). ``|required| == 0`` gives an infinite or NaN
  progress value and no exception; a required growth that overflows a Python
  float raises ``OverflowError``.
- **Status comes from the score**, not from the progress value's own thresholds:
  with a target, ``2.5/4.1667 (≈0.599995) <= R < 0.6`` scores 0 or just above, so ``moderate``
  where the thresholds would say ``limited``. No score → status ``""`` (the
  indicator-level default), not ``not_available``.
- Scores are floats (``5`` becomes ``5.0``, the mean of one score).
- **progress_thresholds** (``high``, ``med``, ``low``, ``coefficient``) replace the
  method's band edges; they pick which score formula applies but the formulas keep
  their constants, so a score can leave [-5, 5] and then no status band claims it
  (status ``None``). Without a target a limit scales the edges by its coefficient;
  a user's ``coefficient`` is the divisor only when there is no limit.
- **Input as sdg-build reads it** (``_open_sdg_case``): unknown options, ``series``,
  ``unit`` and ``disaggregation`` select nothing in a Year/Value series; years are
  cut to their first four characters once any is longer (``2015.5``,
  ``"2015-2016"``); a fractional base year is never "in the data", so it moves to
  the next year with data; what sdg-build raises on is that series' error.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from chitieu.assessment._open_sdg_case import (
    DEFAULT_BASE_YEAR,
    DEFAULT_TARGET_YEAR,
    Case,
    Config,
    Thresholds,
)

__all__ = [
    "DEFAULT_BASE_YEAR",
    "DEFAULT_TARGET_YEAR",
    "ERRORS",
    "STATUSES",
    "Batch",
    "Case",
    "Config",
    "Outcome",
    "Result",
    "Thresholds",
    "compute",
    "pack",
    "progress",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
CodeArray = npt.NDArray[np.int8]

STATUSES = (
    "",
    "target_achieved",
    "substantial_progress",
    "moderate_progress",
    "limited_progress",
    "deterioration",
    None,  # a score outside [-5, 5], which user thresholds allow: no band claims it
)
ERRORS = (
    "",
    "ValueError",
    "Exception",
    "ZeroDivisionError",
    "OverflowError",
    "TypeError",
    "KeyError",
)
_VALUE_ERROR, _EXCEPTION, _ZERO_DIVISION, _OVERFLOW = 1, 2, 3, 4


@dataclass(frozen=True, slots=True)
class Result:
    """Open SDG's answer for one series, or the name of the exception it raised."""

    id: str | int
    score: float | None = None
    status: str | None = ""
    progress_value: float | None = None
    error: str | None = None

    def record(self) -> dict[str, Any]:
        if self.error is not None:
            return {"id": self.id, "error": self.error}
        return {
            "id": self.id,
            "score": self.score,
            "status": self.status,
            "progress_value": self.progress_value,
        }


@dataclass(frozen=True, slots=True)
class Batch:
    """Many series packed into flat arrays: observations series by series."""

    years: IntArray
    values: FloatArray  # NaN = missing
    lengths: IntArray
    base_year: FloatArray | IntArray
    target_year: FloatArray | IntArray
    target: FloatArray  # NaN = no target
    direction: CodeArray  # +1 positive, -1 anything else
    limit: FloatArray  # NaN = no limit
    # progress_thresholds, NaN = the method's default; None = all defaults
    high: FloatArray | None = None
    med: FloatArray | None = None
    low: FloatArray | None = None
    coefficient: FloatArray | None = None
    raises: CodeArray | None = None  # index into ERRORS: raised before measuring

    def __len__(self) -> int:
        return int(self.lengths.size)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The results as arrays, one element per series."""

    score: FloatArray  # NaN = no score
    status: CodeArray  # index into STATUSES
    progress_value: FloatArray
    has_progress_value: BoolArray
    error: CodeArray  # index into ERRORS, 0 = none

    def results(self, ids: Iterable[str | int]) -> list[Result]:
        scores = self.score.tolist()
        statuses = self.status.tolist()
        values = self.progress_value.tolist()
        has_values = self.has_progress_value.tolist()
        errors = self.error.tolist()
        out = []
        for i, case_id in enumerate(ids):
            if errors[i]:
                out.append(Result(case_id, error=ERRORS[errors[i]]))
                continue
            score = scores[i]
            out.append(
                Result(
                    case_id,
                    score=None if math.isnan(score) else score,
                    status=STATUSES[statuses[i]],
                    progress_value=values[i] if has_values[i] else None,
                )
            )
        return out


def progress(cases: Sequence[Case]) -> list[Result]:
    """Open SDG's score, status and progress value for each case, in order."""
    return compute(pack(cases)).results(c.id for c in cases)


def pack(cases: Sequence[Case]) -> Batch:
    """Flatten cases into a :class:`Batch` (the only per-series loop)."""
    n = len(cases)
    lengths = np.fromiter((len(c.years) for c in cases), np.int64, n)
    total = int(lengths.sum())
    nan = math.nan
    return Batch(
        years=np.fromiter(chain.from_iterable(c.years for c in cases), np.int64, total),
        values=np.fromiter(
            (nan if v is None else v for c in cases for v in c.values), np.float64, total
        ),
        lengths=lengths,
        base_year=np.fromiter((c.config.base_year for c in cases), np.float64, n),
        target_year=np.fromiter((c.config.target_year for c in cases), np.float64, n),
        target=np.fromiter(
            (nan if c.config.target is None else c.config.target for c in cases), np.float64, n
        ),
        direction=np.fromiter(
            (1 if c.config.direction == "positive" else -1 for c in cases), np.int8, n
        ),
        limit=np.fromiter(
            (nan if c.config.limit is None else c.config.limit for c in cases), np.float64, n
        ),
        high=_threshold(cases, "high"),
        med=_threshold(cases, "med"),
        low=_threshold(cases, "low"),
        coefficient=_threshold(cases, "coefficient"),
        raises=np.fromiter((ERRORS.index(c.raises) if c.raises else 0 for c in cases), np.int8, n),
    )


def _threshold(cases: Sequence[Case], key: str) -> FloatArray:
    given = (getattr(c.config.thresholds, key) for c in cases)
    return np.fromiter((math.nan if v is None else v for v in given), np.float64, len(cases))


def compute(batch: Batch) -> Outcome:
    """The vectorized measure: array operations over all series of the batch."""
    with np.errstate(all="ignore"):
        return _compute(batch)


def _compute(batch: Batch) -> Outcome:
    n = len(batch)
    lengths = batch.lengths.astype(np.int64, copy=False)
    sid = np.repeat(np.arange(n, dtype=np.int64), lengths)
    years = batch.years.astype(np.int64, copy=False)
    values = batch.values.astype(np.float64, copy=False)

    # 1. Drop missing values.
    present = ~np.isnan(values)
    if not present.all():
        sid, years, values = sid[present], years[present], values[present]

    # Order each series by year and find duplicate years (one pass when already sorted).
    duplicate = np.zeros(n, dtype=np.bool_)
    if years.size > 1:
        first, latest = int(years.min()), int(years.max())
        span = latest - first + 1
        if span * n < 2**62:
            key = sid * span + (years - first)
            if not bool((key[1:] > key[:-1]).all()):
                order = np.argsort(key, kind="stable")
                key, sid, years, values = key[order], sid[order], years[order], values[order]
                same = key[1:] == key[:-1]
                duplicate[sid[1:][same]] = True
        else:
            order = np.lexsort((years, sid))
            sid, years, values = sid[order], years[order], values[order]
            same = (sid[1:] == sid[:-1]) & (years[1:] == years[:-1])
            duplicate[sid[1:][same]] = True

    total = years.size
    counts = np.bincount(sid, minlength=n)
    ends = np.cumsum(counts)
    starts = ends - counts
    has_data = counts > 0
    # A sentinel after the last observation keeps indexing valid for empty series.
    years = np.append(years, 0)
    values = np.append(values, 0.0)

    # 2. Latest year and value.
    last = np.where(has_data, ends - 1, total)
    t1 = years[last]
    y1 = values[last]

    # 3. Base year: as given if it has data, else the first later year with data.
    asked = batch.base_year.astype(np.float64, copy=False)
    before = np.bincount(sid[:total][years[:total] < asked[sid[:total]]], minlength=n)
    has_base = before < counts
    base_at = np.where(has_base, starts + before, total)
    t0 = years[base_at]
    y0 = values[base_at]
    moved = t0 != asked

    error = np.zeros(n, dtype=np.int8)
    error[has_data & ~has_base] = _VALUE_ERROR
    error[duplicate] = _EXCEPTION
    judged = has_data & has_base & ~duplicate

    # 4. Options.
    sign = np.where(y0 < 0, -1.0, 1.0)
    d = batch.direction.astype(np.float64)
    has_target = ~np.isnan(batch.target)
    target = np.where(batch.target == 0, 0.001, batch.target)
    achieved = judged & has_target & np.where(d > 0, y1 >= target, y1 <= target)

    # Limit coefficient from |y0| before the 0 -> 0.001 swap (no target only).
    has_limit = ~has_target & ~np.isnan(batch.limit)
    b = np.abs(y0)
    lim = np.abs(batch.limit)
    coeff = np.where(
        b >= 2 * lim,
        1.0,
        np.where(b <= lim, 1 - (b / lim) ** 4.44, 1 - ((2 * lim - b) / lim) ** 4.44),
    )
    coeff = np.where(has_limit, coeff, 1.0)
    high, med, low, divisor = _bands(batch, has_target, has_limit, coeff)

    # Progress value.
    y0 = np.where(y0 == 0, 0.001, y0)
    opposite = ((y0 > 0) & (y1 < 0)) | ((y0 < 0) & (y1 > 0))
    gap = t1 - t0
    computable = judged & ~opposite & (gap >= 1)
    sd = sign * d
    observed = sd * (np.power(y1 / y0, 1 / gap) - 1)

    # 5. Required growth, with the arithmetic of the types Open SDG happens to hold.
    required_span = batch.target_year.astype(np.float64, copy=False) - t0
    exponent = 1 / required_span  # inf where the span is 0
    ratio = target / y0
    magnitude = np.power(np.abs(ratio), exponent)
    negative = ratio < 0
    # A negative ratio to a whole power stays real (odd powers keep the sign).
    whole = np.isfinite(exponent) & (exponent == np.floor(exponent))
    odd = whole & (np.mod(exponent, 2) == 1)
    real = np.where(negative & odd, -magnitude, magnitude)
    required = np.abs(real - 1)
    fractional = negative & ~whole & (required_span != 0)
    phase = np.pi * exponent
    modulus = np.hypot(magnitude * np.cos(phase) - 1, magnitude * np.sin(phase))
    required = np.where(fractional, np.where(moved, np.nan, modulus), required)
    ratio_value = observed / required

    targeted = computable & has_target
    error[targeted & ~moved & (required_span == 0)] = _ZERO_DIVISION
    overflow = np.isinf(magnitude) & np.isfinite(ratio)
    error[targeted & ~moved & (required_span != 0) & overflow] = _OVERFLOW

    value = np.where(has_target, ratio_value, observed)

    # 6. Scores: the bands pick the formula; a NaN value falls through every band.
    target_score = np.where(
        (value >= high) | (value >= med),
        np.minimum(7.1429 * value - 4.2857, 5.0),
        np.maximum(4.1667 * value - 2.5, -5.0),
    )
    growth_score = np.where(
        value < low,
        np.maximum(125 * value - 2.5, -5.0),
        np.where(
            divisor == 0,
            5.0,
            np.where(
                value >= high,
                np.minimum(500 * value / divisor - 5, 5.0),
                np.where(
                    value >= med,
                    250 * value / divisor - 1.25,
                    np.where(value >= low, 500 * value / divisor - 2.5, np.nan),
                ),
            ),
        ),
    )
    raw_score = np.where(has_target, target_score, growth_score)
    raw_score = np.where(computable, raw_score, np.nan)
    score = np.where(achieved, 5.0, raw_score)

    # 7. Status from the score.
    status = np.select(
        [
            achieved,
            np.isnan(score),
            score > 5,
            score >= 2.5,
            score >= 0,
            score >= -2.5,
            score >= -5,
        ],
        [1, 0, 6, 2, 3, 4, 5],
        default=6,
    ).astype(np.int8)

    if batch.raises is not None:
        error = np.where(batch.raises > 0, batch.raises, error).astype(np.int8)
    ok = error == 0
    return Outcome(
        score=np.where(ok, score, np.nan),
        status=np.where(ok, status, 0).astype(np.int8),
        progress_value=np.where(ok & computable, value, np.nan),
        has_progress_value=ok & computable,
        error=error,
    )


def _bands(
    batch: Batch, has_target: BoolArray, has_limit: BoolArray, coeff: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """High, medium and low band edges and the no-target divisor, as sdg-build sets them.

    Defaults are 0.95/0.6/0 with a target and 0.015/0.005/0 without, each replaced
    by ``progress_thresholds``; without a target a limit scales all three by its
    coefficient, which is then also the divisor (a user's ``coefficient`` is the
    divisor only when there is no limit).
    """
    n = len(batch)

    def given(edges: FloatArray | None, with_target: float, without: float) -> FloatArray:
        default = np.where(has_target, with_target, without)
        return default if edges is None else np.where(np.isnan(edges), default, edges)

    scale = np.where(has_limit, coeff, 1.0)
    high = given(batch.high, 0.95, 0.015)
    med = given(batch.med, 0.6, 0.005)
    low = given(batch.low, 0.0, 0.0)
    user = np.ones(n) if batch.coefficient is None else batch.coefficient
    divisor = np.where(has_limit, coeff, np.where(np.isnan(user), 1.0, user))
    return (
        np.where(has_target, high, high * scale),
        np.where(has_target, med, med * scale),
        np.where(has_target, low, low * scale),
        divisor,
    )
