"""Forecasts of short annual series (5-15 years): three simple methods, averaged.

A province publishes a figure a year, so its series are short and the
forecasting literature's advice for them is to combine a few robust methods
rather than fit one elaborate model (M3/M4 competitions: the combination of
damped exponential smoothing and Theta is hard to beat on yearly data). The
methods, each fitted to the whole series:

- **random walk with drift**: the last value plus the average yearly change;
- **damped exponential smoothing** (statsmodels ``ExponentialSmoothing`` with an
  additive, damped trend): recent years weigh more and the trend flattens;
- **Theta** (statsmodels ``ThetaModel``, no seasonality): simple exponential
  smoothing plus half the long-run linear trend.

The forecast is the plain average of the three (equal weights: with a handful
of years there is nothing to estimate better weights from).

**Prediction interval** (90 % by default): it spans the methods' own forecasts
— their disagreement is the model uncertainty a short series cannot resolve —
widened on both sides by the half-width of the random walk's interval,
``t · σ · √(h · (1 + h / (T − 1)))`` with σ the standard deviation of the
yearly changes around the drift, ``T`` the number of years and ``t`` Student's
quantile with ``T − 2`` degrees of freedom (Hyndman & Athanasopoulos, FPP3,
§5.5). So ``lower ≤ forecast ≤ upper`` always, and the interval grows with the
horizon and with the noise of the series.

Amounts (đồng, USD, counts) are forecast on logarithms, so that they compound
and stay positive; rates and shares on their own scale. Years missing inside
the series are filled by straight-line interpolation (on the scale the series
is forecast on) and named; at least five observed years are needed.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from chitieu._errors import InputError

MIN_YEARS = 5
DEFAULT_HORIZON = 5
DEFAULT_LEVEL = 0.90
METHODS = ("random_walk_drift", "damped_smoothing", "theta")

Array = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ForecastYear:
    """One forecast year: the average, its interval and each method's forecast."""

    year: int
    value: float
    lower: float
    upper: float
    methods: dict[str, float]

    def record(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "value": self.value,
            "lower": self.lower,
            "upper": self.upper,
            **self.methods,
        }


@dataclass(frozen=True, slots=True)
class Forecast:
    """The forecast of a series and what it rests on."""

    years: list[ForecastYear]
    observed: dict[int, float]
    interpolated: list[int]
    log_scale: bool
    level: float
    notes: list[str] = field(default_factory=list)


def forecast(
    values: Mapping[int, float],
    *,
    horizon: int = DEFAULT_HORIZON,
    log_scale: bool = False,
    level: float = DEFAULT_LEVEL,
) -> Forecast:
    """Forecast ``values`` (year → figure) ``horizon`` years past the last year."""
    if len(values) < MIN_YEARS:
        raise InputError(
            f"cần ít nhất {MIN_YEARS} năm số liệu để dự báo (mới có {len(values)} năm)"
        )
    if horizon < 1:
        raise InputError(f"số năm dự báo phải từ 1 (đã cho {horizon})")
    if not 0 < level < 1:
        raise InputError(f"mức tin cậy {level:g} phải nằm giữa 0 và 1")
    if log_scale and any(value <= 0 for value in values.values()):
        raise InputError("chuỗi có giá trị không dương: không dự báo theo logarit được")
    observed = {year: float(values[year]) for year in sorted(values)}
    series, interpolated = _fill(observed, log_scale)
    notes: list[str] = []
    if interpolated:
        notes.append(
            "nội suy tuyến tính các năm thiếu: " + ", ".join(str(year) for year in interpolated)
        )
    if np.ptp(series) == 0:
        # A flat series: statsmodels' Theta fits a spurious trend to it (b0 ≠ 0), and
        # every method's answer is the same flat line anyway.
        fitted = {name: np.full(horizon, series[-1]) for name in METHODS}
    else:
        fitted = _fit(series, horizon, notes)
    half_width = _random_walk_half_width(series, horizon, level)
    stacked = np.vstack(list(fitted.values()))
    point = stacked.mean(axis=0)
    lower = stacked.min(axis=0) - half_width
    upper = stacked.max(axis=0) + half_width
    back: Callable[[float], float] = math.exp if log_scale else float
    last = max(observed)
    years = [
        ForecastYear(
            year=last + step + 1,
            value=back(point[step]),
            lower=back(lower[step]),
            upper=back(upper[step]),
            methods={name: back(path[step]) for name, path in fitted.items()},
        )
        for step in range(horizon)
    ]
    return Forecast(years, observed, interpolated, log_scale, level, notes)


def _fit(series: Array, horizon: int, notes: list[str]) -> dict[str, Array]:
    """Each method's forecast; a method statsmodels cannot fit is left out and named."""
    fitted: dict[str, Array] = {}
    for name, method in _METHOD_FUNCTIONS.items():
        try:
            path = method(series, horizon)
        except (ValueError, np.linalg.LinAlgError) as exc:
            notes.append(f"bỏ phương pháp {name}: {exc}")
            continue
        if np.all(np.isfinite(path)):
            fitted[name] = path
        else:
            notes.append(f"bỏ phương pháp {name}: kết quả không xác định")
    return fitted


def _fill(observed: Mapping[int, float], log_scale: bool) -> tuple[Array, list[int]]:
    """Consecutive years from first to last, gaps interpolated on the forecasting scale."""
    first, last = min(observed), max(observed)
    known_years = np.array(list(observed), dtype=np.float64)
    known = np.array(list(observed.values()), dtype=np.float64)
    if log_scale:
        known = np.log(known)
    every = np.arange(first, last + 1, dtype=np.float64)
    missing = [year for year in range(first, last + 1) if year not in observed]
    return np.interp(every, known_years, known), missing


def _random_walk(series: Array, horizon: int) -> Array:
    drift = (series[-1] - series[0]) / (len(series) - 1)
    return np.asarray(series[-1] + drift * np.arange(1, horizon + 1), dtype=np.float64)


def _random_walk_half_width(series: Array, horizon: int, level: float) -> Array:
    """Half-width of the random walk with drift's interval at each horizon (FPP3 §5.5)."""
    # Imported here, not at the top: scipy and statsmodels take over a second to load,
    # and every chitieu command imports this module through the CLI.
    from scipy import stats  # type: ignore[import-untyped]  # a statsmodels dependency

    count = len(series)
    changes = np.diff(series)
    residuals = changes - changes.mean()
    sigma = math.sqrt(float(residuals @ residuals) / (count - 2))
    quantile = float(stats.t.ppf((1 + level) / 2, count - 2))
    steps = np.arange(1, horizon + 1, dtype=np.float64)
    return np.asarray(quantile * sigma * np.sqrt(steps * (1 + steps / (count - 1))))


def _damped_smoothing(series: Array, horizon: int) -> Array:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing  # type: ignore[import-untyped]

    model = ExponentialSmoothing(
        series, trend="add", damped_trend=True, initialization_method="estimated"
    )
    with warnings.catch_warnings():
        # On five to fifteen points the optimiser often stops short of its tolerance
        # (ConvergenceWarning); the fit is still usable and the average tempers it.
        warnings.simplefilter("ignore")
        fit = model.fit()
        return np.asarray(fit.forecast(horizon), dtype=np.float64)


def _theta(series: Array, horizon: int) -> Array:
    from statsmodels.tsa.forecasting.theta import ThetaModel  # type: ignore[import-untyped]

    # Yearly figures have no season: period 1 and no deseasonalising.
    model = ThetaModel(series, period=1, deseasonalize=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit()
        return np.asarray(fit.forecast(horizon), dtype=np.float64)


_METHOD_FUNCTIONS: dict[str, Callable[[Array, int], Array]] = {
    "random_walk_drift": _random_walk,
    "damped_smoothing": _damped_smoothing,
    "theta": _theta,
}
