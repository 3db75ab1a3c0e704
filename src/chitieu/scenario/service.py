"""Scenarios (yearly assumptions run forward) and the odds of meeting each target.

**Scenarios.** A scenario file (YAML, see ``examples/bac_giang_2025_2030.yaml``)
gives a start year's GRDP at current prices, its structure by sector,
population and exchange rate, then for each following year the growth of each
sector (agriculture, industry-construction, services, product taxes), the
population's growth, the exchange rate, optionally the GRDP deflator, and
either the ICOR or the investment share. Running it gives, year by year:

- GRDP growth = Σ sectorᵢ's growth × its share of the previous year (sector
  volumes grow at their own rates, so the shares follow);
- GRDP at current prices = last year's × (1 + growth) × (1 + deflator); with no
  deflator the level stays at the start year's prices;
- the structure (shares; one deflator for all sectors, so relative prices do
  not move them);
- GRDP per person in USD = GRDP / population / đồng per USD;
- the investment the growth requires, ICOR × growth × GRDP (or the share given
  × GRDP, with the ICOR it implies). This is an accounting requirement — what
  the assumptions imply — not a forecast of investment.

A plan's targets are then checked against the path: a level target by the
path's value in its year (reusing the assessment's bounds and directions), an
average-growth target by the geometric mean over its period, taking the years
up to the start year from the database and the scenario's years after it.

**Odds (Monte Carlo).** For every level and average-growth target the years
not yet known are simulated ``runs`` times (10 000 by default) with a seeded
generator (seed 249 by default; each target draws from its own stream, so its
result does not depend on which other targets are simulated). How a year is
drawn depends on the indicator:

- *growth and other rates of change* (``GRDP_GROWTH``…): each year independently
  from a normal with the mean and standard deviation of the observed yearly
  figures;
- *levels* (shares, rates, amounts): a random walk with drift, whose drift and
  standard deviation are those of the observed yearly changes (a change over a
  gap of k years counts as k yearly steps); amounts in đồng or USD and counts
  walk on logarithms, so they compound; percentages stay within 0-100.

Each run first draws its own mean (or drift) from the estimate's sampling
distribution (standard error σ/√n), then the years around it: with a handful
of years the mean itself is uncertain, and ignoring that would make the odds
look surer than the data allow. A normal rather than a bootstrap, because
resampling five to ten figures can only ever repeat them. At least three
yearly figures are needed. The probability is the share of runs whose outcome
(the value in the target year, or the period's geometric mean growth) meets
the target; the fan chart gives the 5/25/50/75/95th percentiles of each
simulated year. Half-year figures are not used.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.orm import Session

from chitieu._errors import InputError
from chitieu._labels import tr
from chitieu._periods import PeriodKind, parse_period
from chitieu.assessment import bounds
from chitieu.assessment.final import missing_years_note
from chitieu.assessment.series import yearly
from chitieu.indicator.models import Indicator
from chitieu.plan.models import Plan, Target
from chitieu.plan.service import list_targets, target_summary
from chitieu.region.models import Region

EXAMPLE = Path(__file__).with_name("examples") / "bac_giang_2025_2030.yaml"
SECTORS = ("agriculture", "industry_construction", "services", "product_taxes")
DEFAULT_RUNS = 10_000
DEFAULT_SEED = 249
MIN_HISTORY = 3
QUANTILES = (5, 25, 50, 75, 95)
_AMOUNT_UNITS = ("VND", "USD")

Array = npt.NDArray[np.float64]


# --- the scenario file ----------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Sectors(_Strict):
    """One figure per sector, in %: a share of GRDP or a growth rate."""

    agriculture: float
    industry_construction: float
    services: float
    product_taxes: float

    def by_sector(self) -> dict[str, float]:
        return {sector: float(getattr(self, sector)) for sector in SECTORS}


class StartYear(_Strict):
    """The start year's figures: GRDP in đồng at current prices, shares in %."""

    grdp: float
    shares: Sectors
    population: float
    exchange_rate: float


class YearAssumptions(_Strict):
    """One year's assumptions, in % except the exchange rate (đồng per USD)."""

    growth: Sectors
    population_growth: float
    exchange_rate: float
    deflator: float = 0.0
    icor: float | None = None
    investment_share: float | None = None


class Scenario(_Strict):
    name: str = ""
    start_year: int
    base: StartYear
    years: dict[int, YearAssumptions]


_PYDANTIC_VI = {
    "missing": "thiếu",
    "extra_forbidden": "không có trường này",
    "float_type": "phải là số",
    "int_type": "phải là số nguyên",
    "string_type": "phải là chuỗi",
    "dict_type": "phải là một bảng (khóa: giá trị)",
    "model_type": "phải là một bảng (khóa: giá trị)",
}


def load_scenario(path: Path) -> Scenario:
    """Read and check a scenario file; a bad file stops with one line naming field and year."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: không có tệp này") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: không đọc được tệp ({exc})") from exc
    return parse_scenario(text, source=str(path))


def parse_scenario(text: str, *, source: str = "kịch bản") -> Scenario:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng {mark.line + 1})" if mark is not None else ""
        raise InputError(f"{source}: không đọc được YAML{where}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{source}: tệp kịch bản phải là một bảng (khóa: giá trị)")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        problem = _PYDANTIC_VI.get(error["type"], error["msg"])
        raise InputError(f"{source}: {_where(error['loc'])}: {problem}") from exc
    _check(scenario, source)
    return scenario


def _where(loc: Sequence[int | str]) -> str:
    """('years', 2026, 'growth', 'services') → 'năm 2026, growth.services'."""
    parts = [str(part) for part in loc]
    if len(parts) >= 2 and parts[0] == "years":
        if parts[-1] == "[key]":
            return f"years: khóa '{parts[1]}' phải là một năm (số nguyên)"
        rest = ".".join(parts[2:]) or "(cả năm)"
        return f"năm {parts[1]}, {rest}"
    return ".".join(parts)


def _check(scenario: Scenario, source: str) -> None:
    """What a schema cannot say: positive levels, shares adding up, one investment figure."""

    def fail(where: str, problem: str) -> InputError:
        return InputError(f"{source}: {where}: {problem}")

    base = scenario.base
    for name in ("grdp", "population", "exchange_rate"):
        if getattr(base, name) <= 0:
            raise fail(f"base.{name}", "phải dương")
    shares = base.shares.by_sector()
    for sector, share in shares.items():
        if share < 0:
            raise fail(f"base.shares.{sector}", "không được âm")
    total = sum(shares.values())
    if abs(total - 100) > 0.5:
        raise fail("base.shares", f"tổng các tỷ trọng là {total:g}%, phải bằng 100%")
    if not scenario.years:
        raise fail("years", "cần ít nhất một năm")
    expected = scenario.start_year + 1
    for year in sorted(scenario.years):
        if year != expected:
            raise fail(
                f"năm {year}",
                f"các năm phải liền nhau từ {scenario.start_year + 1} (thiếu {expected})",
            )
        expected += 1
        _check_year(year, scenario.years[year], fail)


def _check_year(year: int, item: YearAssumptions, fail: Callable[[str, str], InputError]) -> None:
    where = f"năm {year}"
    for sector, rate in item.growth.by_sector().items():
        if rate <= -100:
            raise fail(f"{where}, growth.{sector}", "phải lớn hơn -100")
    for name in ("population_growth", "deflator"):
        if getattr(item, name) <= -100:
            raise fail(f"{where}, {name}", "phải lớn hơn -100")
    if item.exchange_rate <= 0:
        raise fail(f"{where}, exchange_rate", "phải dương")
    if (item.icor is None) == (item.investment_share is None):
        raise fail(where, "cần đúng một trong hai trường icor hoặc investment_share")
    if item.icor is not None and item.icor <= 0:
        raise fail(f"{where}, icor", "phải dương")
    if item.investment_share is not None and not 0 < item.investment_share < 100:
        raise fail(f"{where}, investment_share", "phải nằm giữa 0 và 100 (%)")


# --- running a scenario ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScenarioYear:
    """One year of a scenario's path; the start year has no growth or investment."""

    year: int
    growth: float | None
    sector_growth: dict[str, float] | None
    grdp: float
    shares: dict[str, float]
    population: float
    exchange_rate: float
    per_capita_usd: float
    icor: float | None = None
    investment_share: float | None = None
    investment: float | None = None
    notes: tuple[str, ...] = ()

    def record(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "growth": self.growth,
            **{f"growth_{s}": (self.sector_growth or {}).get(s) for s in SECTORS},
            "grdp": self.grdp,
            **{f"share_{s}": self.shares[s] for s in SECTORS},
            "population": self.population,
            "exchange_rate": self.exchange_rate,
            "per_capita_usd": self.per_capita_usd,
            "icor": self.icor,
            "investment_share": self.investment_share,
            "investment_required": self.investment,
            "note": "; ".join(self.notes) or None,
        }


def run_scenario(scenario: Scenario) -> list[ScenarioYear]:
    """The path the assumptions imply, from the start year to the last year."""
    base = scenario.base
    volumes = base.shares.by_sector()
    grdp, population = base.grdp, base.population
    path = [
        ScenarioYear(
            year=scenario.start_year,
            growth=None,
            sector_growth=None,
            grdp=grdp,
            shares=_shares(volumes),
            population=population,
            exchange_rate=base.exchange_rate,
            per_capita_usd=grdp / population / base.exchange_rate,
        )
    ]
    for year in sorted(scenario.years):
        item = scenario.years[year]
        rates = item.growth.by_sector()
        before = sum(volumes.values())
        # Each sector counts by its share of last year: Σ sᵢ,t−1 · gᵢ,t.
        growth = sum(volumes[s] / before * rates[s] for s in SECTORS)
        volumes = {s: volumes[s] * (1 + rates[s] / 100) for s in SECTORS}
        grdp *= (1 + growth / 100) * (1 + item.deflator / 100)
        population *= 1 + item.population_growth / 100
        icor, share, investment, notes = _investment(item, growth, grdp)
        path.append(
            ScenarioYear(
                year=year,
                growth=growth,
                sector_growth=rates,
                grdp=grdp,
                shares=_shares(volumes),
                population=population,
                exchange_rate=item.exchange_rate,
                per_capita_usd=grdp / population / item.exchange_rate,
                icor=icor,
                investment_share=share,
                investment=investment,
                notes=notes,
            )
        )
    return path


def _shares(volumes: Mapping[str, float]) -> dict[str, float]:
    total = sum(volumes.values())
    return {sector: value / total * 100 for sector, value in volumes.items()}


def _investment(
    item: YearAssumptions, growth: float, grdp: float
) -> tuple[float | None, float | None, float | None, tuple[str, ...]]:
    """ICOR, investment share and investment: I = ICOR × g × GRDP, or share × GRDP."""
    if item.investment_share is not None:
        share = item.investment_share
        implied = share / growth if growth > 0 else None
        return implied, share, share / 100 * grdp, ()
    assert item.icor is not None
    if growth <= 0:
        return item.icor, None, None, ("GRDP không tăng: ICOR không cho ra vốn đầu tư",)
    share = item.icor * growth
    return item.icor, share, share / 100 * grdp, ()


# --- checking a path against a plan's targets -----------------------------------------

# What each indicator is on a scenario's path. Services include product taxes, as
# the province's three-sector structure does (the 2023 report, the 2024 plan).
_PATH_VALUES: dict[str, Callable[[ScenarioYear], float | None]] = {
    "GRDP_GROWTH": lambda row: row.growth,
    "GRDP_GROWTH_AGRICULTURE": lambda row: _sector(row, "agriculture"),
    "GRDP_GROWTH_INDUSTRY_CONSTRUCTION": lambda row: _sector(row, "industry_construction"),
    "GRDP_GROWTH_SERVICES": lambda row: _sector(row, "services"),
    "GRDP_GROWTH_PRODUCT_TAX": lambda row: _sector(row, "product_taxes"),
    "GRDP_CURRENT": lambda row: row.grdp,
    "GRDP_CURRENT_USD": lambda row: row.grdp / row.exchange_rate,
    "GRDP_PER_CAPITA_USD": lambda row: row.per_capita_usd,
    "GRDP_SHARE_AGRICULTURE": lambda row: row.shares["agriculture"],
    "GRDP_SHARE_INDUSTRY_CONSTRUCTION": lambda row: row.shares["industry_construction"],
    "GRDP_SHARE_SERVICES": lambda row: row.shares["services"] + row.shares["product_taxes"],
    "ICOR": lambda row: row.icor,
}


def _sector(row: ScenarioYear, sector: str) -> float | None:
    return row.sector_growth[sector] if row.sector_growth is not None else None


@dataclass
class TargetCheck:
    """Whether a scenario's path meets one target, and the figure that decides it."""

    target: Target
    value: float | None
    met: bool | None
    basis: str
    notes: list[str] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        target = self.target
        return {
            **target_summary(target),
            "value": self.value,
            "met": self.met,
            "basis": self.basis,
            "note": "; ".join(self.notes) or None,
        }


def check_targets(
    session: Session,
    *,
    scenario: Scenario,
    path: Sequence[ScenarioYear],
    plan: Plan | None = None,
    as_of: date | None = None,
    lang: str = "vi",
) -> list[TargetCheck]:
    """The targets of ``plan`` (or of every plan) that the scenario's path speaks to."""
    by_year = {row.year: row for row in path}
    checks = []
    for target in list_targets(session, plan=plan):
        value_of = _PATH_VALUES.get(target.indicator_code)
        if value_of is None or target.measure not in ("level", "average_growth"):
            continue
        period = parse_period(target.period)
        if period.end.year not in by_year or period.end.year <= scenario.start_year:
            continue
        if target.measure == "level":
            if period.kind is not PeriodKind.YEAR:
                continue
            value = value_of(by_year[period.end.year])
            check = TargetCheck(target, value, None, tr(lang, "kịch bản", "the scenario"))
        else:
            check = _average_growth_check(
                session, target, scenario, by_year, value_of, as_of or date.today(), lang
            )
        if check.value is not None:
            check.met = bounds.meets(check.value, target, target.indicator.direction)
            if not check.met and (side := bounds.side(check.value, target, lang)):
                check.notes.append(tr(lang, f"chưa đạt ({side})", f"not met ({side})"))
        checks.append(check)
    return checks


def _average_growth_check(
    session: Session,
    target: Target,
    scenario: Scenario,
    by_year: Mapping[int, ScenarioYear],
    value_of: Callable[[ScenarioYear], float | None],
    as_of: date,
    lang: str,
) -> TargetCheck:
    """Geometric mean over the period: observed years up to the start year, the path after."""
    period = parse_period(target.period)
    first, last = period.start.year, period.end.year
    observed = yearly(
        session, indicator=target.indicator, region=target.region, as_of=as_of, lang=lang
    )
    rates: dict[int, float] = {}
    for year in range(first, last + 1):
        if year > scenario.start_year:
            rate = value_of(by_year[year])
            if rate is not None:
                rates[year] = rate
        elif year in observed:
            rates[year] = observed[year].value
    check = TargetCheck(target, None, None, tr(lang, "kịch bản", "the scenario"))
    seen = [year for year in rates if year <= scenario.start_year]
    if seen:
        years = _years_text(seen)
        check.basis = tr(lang, f"số liệu {years} + kịch bản", f"figures for {years} + the scenario")
    missing = [year for year in range(first, last + 1) if year not in rates]
    if not rates:
        return check
    mean = _geometric_mean(list(rates.values()))
    if missing:
        check.notes.append(missing_years_note(list(missing), lang))
    check.value = mean
    return check


def _geometric_mean(rates: Sequence[float]) -> float:
    """Average yearly growth, in %, of yearly growth rates in %."""
    return (math.prod(1 + rate / 100 for rate in rates) ** (1 / len(rates)) - 1) * 100


def _years_text(years: Sequence[int]) -> str:
    ordered = sorted(years)
    if len(ordered) > 2 and ordered[-1] - ordered[0] == len(ordered) - 1:
        return f"{ordered[0]}-{ordered[-1]}"
    return ", ".join(str(year) for year in ordered)


# --- the odds of meeting each target --------------------------------------------------


@dataclass
class Odds:
    """The simulated chance of meeting a target and the spread of the paths behind it."""

    target: Target
    status: str
    method: str
    probability: float | None = None
    history: dict[int, float] = field(default_factory=dict)
    mean: float | None = None
    """The yearly figures' mean; for a walk, the drift (yearly change, of logs for amounts)."""
    sd: float | None = None
    """Their standard deviation; for a walk, that of the yearly changes."""
    observed: dict[int, float] = field(default_factory=dict)
    fan: dict[int, dict[str, float]] = field(default_factory=dict)
    outcome: dict[str, float] = field(default_factory=dict)
    runs: int = 0
    seed: int = DEFAULT_SEED
    notes: list[str] = field(default_factory=list)
    lang: str = "vi"
    """The language of ``notes``."""

    def record(self) -> dict[str, Any]:
        return {
            **target_summary(self.target),
            "status": self.status,
            "method": self.method,
            "probability": bounds.rounded(self.probability),
            "history_years": sorted(self.history),
            "history_mean": bounds.rounded(self.mean),
            "history_sd": bounds.rounded(self.sd),
            "observed": [{"year": y, "value": v} for y, v in sorted(self.observed.items())],
            "fan": [
                {"year": year, **{k: bounds.rounded(v) for k, v in q.items()}}
                for year, q in sorted(self.fan.items())
            ],
            "outcome": {k: bounds.rounded(v) for k, v in self.outcome.items()},
            "runs": self.runs,
            "seed": self.seed,
            "note": "; ".join(self.notes) or None,
        }


def odds(
    session: Session,
    *,
    as_of: date,
    plan: Plan | None = None,
    region: Region | None = None,
    runs: int = DEFAULT_RUNS,
    seed: int = DEFAULT_SEED,
    lang: str = "vi",
) -> list[Odds]:
    """Monte Carlo odds of every level and average-growth target, on figures known by ``as_of``."""
    if runs < 100:
        raise InputError(f"số lần mô phỏng phải từ 100 (đã cho {runs})")
    if seed < 0:
        raise InputError(f"hạt giống (seed) phải không âm (đã cho {seed})")
    return [
        target_odds(session, target=target, as_of=as_of, runs=runs, seed=seed, lang=lang)
        for target in list_targets(session, plan=plan, region=region)
        if target.measure in ("level", "average_growth")
    ]


def target_odds(
    session: Session,
    *,
    target: Target,
    as_of: date,
    runs: int = DEFAULT_RUNS,
    seed: int = DEFAULT_SEED,
    lang: str = "vi",
) -> Odds:
    series = yearly(
        session, indicator=target.indicator, region=target.region, as_of=as_of, lang=lang
    )
    history = {year: point.value for year, point in sorted(series.items())}
    rng = np.random.default_rng([seed, _stream(target)])
    if target.measure == "average_growth":
        return _growth_odds(target, history, rng, runs, seed, lang)
    return _level_odds(target, history, rng, runs, seed, lang)


def _stream(target: Target) -> int:
    """A stream number of the target itself, the same in every database."""
    key = f"{target.plan.code}|{target.row}|{target.period}|{target.indicator_code}"
    return zlib.crc32(key.encode("utf-8"))


def compounds(indicator: Indicator, values: Sequence[float]) -> bool:
    """Whether a series grows by compounding (amounts in đồng or USD, counts), so logs fit it."""
    amount = indicator.merge_rule == "sum" or indicator.unit.split("/")[0] in _AMOUNT_UNITS
    return amount and all(value > 0 for value in values)


def _kind(indicator: Indicator, values: Sequence[float]) -> str:
    """How the indicator's years are drawn: independently, or as a walk (on logs for amounts)."""
    if bounds.is_flow(indicator) and indicator.merge_rule != "sum":
        return "iid-normal"
    return "random-walk-log" if compounds(indicator, values) else "random-walk"


def _growth_odds(
    target: Target,
    history: dict[int, float],
    rng: np.random.Generator,
    runs: int,
    seed: int,
    lang: str,
) -> Odds:
    period = parse_period(target.period)
    years = list(range(period.start.year, period.end.year + 1))
    known = {year: history[year] for year in years if year in history}
    unknown = [year for year in years if year not in known]
    result = Odds(target, "insufficient_data", "iid-normal", history=history, seed=seed, lang=lang)
    result.observed = known
    if not unknown:
        result.status, result.method = "decided", "observed"
        result.outcome = dict.fromkeys(_keys(), _geometric_mean(list(known.values())))
        result.probability = float(bounds.meets(result.outcome["p50"], target, _direction(target)))
        return result
    drawn = _iid(list(history.values()), len(unknown), rng, runs, result)
    if drawn is None:
        return result
    missing_inside = [year for year in unknown if year <= max(history)]
    if missing_inside:
        gaps = _years_text(missing_inside)
        result.notes.append(
            tr(lang, f"năm {gaps} không có số, được mô phỏng", f"{gaps}: no figure, simulated")
        )
    columns = [np.full(runs, known[year]) if year in known else None for year in years]
    draws = iter(drawn.T)
    rates = np.column_stack([col if col is not None else next(draws) for col in columns])
    outcome = (np.prod(1 + rates / 100, axis=1) ** (1 / len(years)) - 1) * 100
    _summarise(result, target, outcome, dict(zip(unknown, drawn.T, strict=True)), runs)
    return result


def _level_odds(
    target: Target,
    history: dict[int, float],
    rng: np.random.Generator,
    runs: int,
    seed: int,
    lang: str,
) -> Odds:
    year = parse_period(target.period).year
    kind = _kind(target.indicator, list(history.values()))
    result = Odds(target, "insufficient_data", kind, history=history, seed=seed, lang=lang)
    if bounds.threshold(target, _direction(target)) is None:
        result.notes.append(tr(lang, "mục tiêu không có giá trị", "the target has no value"))
        return result
    if year in history:
        result.status, result.method = "decided", "observed"
        result.observed = {year: history[year]}
        result.outcome = dict.fromkeys(_keys(), history[year])
        result.probability = float(bounds.meets(history[year], target, _direction(target)))
        return result
    if any(known > year for known in history):
        result.notes.append(
            tr(
                lang,
                f"có số các năm sau nhưng không có số năm {year}",
                f"figures for later years but none for {year}",
            )
        )
        return result
    if kind == "iid-normal":
        drawn = _iid(list(history.values()), 1, rng, runs, result)
        if drawn is not None:
            _summarise(result, target, drawn[:, 0], {year: drawn[:, 0]}, runs)
        return result
    walked = _walk(history, year, rng, runs, result, log=kind == "random-walk-log")
    if walked is not None:
        last = max(history)
        result.observed = {last: history[last]}
        paths = {last + 1 + step: walked[:, step] for step in range(walked.shape[1])}
        _summarise(result, target, walked[:, -1], paths, runs)
    return result


def _direction(target: Target) -> str:
    return target.indicator.direction


def _enough(values: Sequence[float], result: Odds) -> bool:
    if len(values) < MIN_HISTORY:
        result.notes.append(
            tr(
                result.lang,
                f"cần ít nhất {MIN_HISTORY} năm số liệu để mô phỏng (có {len(values)} năm)",
                f"a simulation needs {MIN_HISTORY} years of figures ({len(values)} given)",
            )
        )
        return False
    return True


def _iid(
    values: Sequence[float], years: int, rng: np.random.Generator, runs: int, result: Odds
) -> Array | None:
    """Independent yearly draws: N(μᵣ, s) around a mean μᵣ ~ N(x̄, s/√n) for each run."""
    if not _enough(values, result):
        return None
    sample = np.asarray(values, dtype=np.float64)
    mean, sd = float(sample.mean()), float(sample.std(ddof=1))
    result.mean, result.sd = mean, sd
    centres = rng.normal(mean, sd / math.sqrt(len(sample)), size=(runs, 1))
    return np.asarray(centres + rng.normal(0.0, sd, size=(runs, years)), dtype=np.float64)


def _walk(
    history: Mapping[int, float],
    until: int,
    rng: np.random.Generator,
    runs: int,
    result: Odds,
    *,
    log: bool,
) -> Array | None:
    """A random walk with drift from the last figure to ``until``, one column per year.

    With figures at irregular years the drift is the average yearly change from
    the first to the last, and σ² = Σ (Δᵢ − kᵢ·μ)² / kᵢ / (m − 1) over the m
    changes, each over kᵢ years (a k-year change of a random walk has variance kσ²).
    """
    if not _enough(list(history.values()), result):
        return None
    years = sorted(history)
    levels = np.array([history[year] for year in years], dtype=np.float64)
    if log:
        levels = np.log(levels)
    gaps = np.diff(np.array(years, dtype=np.float64))
    changes = np.diff(levels)
    span = years[-1] - years[0]
    drift = float(changes.sum() / span)
    variance = float(((changes - gaps * drift) ** 2 / gaps).sum() / (len(changes) - 1))
    sd = math.sqrt(variance)
    result.mean, result.sd = drift, sd
    steps = until - years[-1]
    drifts = rng.normal(drift, sd / math.sqrt(span), size=(runs, 1))
    paths = levels[-1] + np.cumsum(drifts + rng.normal(0.0, sd, size=(runs, steps)), axis=1)
    if log:
        return np.asarray(np.exp(paths), dtype=np.float64)
    if result.target.indicator.unit == "%":
        paths = np.clip(paths, 0.0, 100.0)
    return np.asarray(paths, dtype=np.float64)


def _keys() -> list[str]:
    return [f"p{q}" for q in QUANTILES]


def _quantiles(values: Array) -> dict[str, float]:
    found = np.percentile(values, QUANTILES)
    return {key: float(value) for key, value in zip(_keys(), found, strict=True)}


def _summarise(
    result: Odds, target: Target, outcome: Array, paths: Mapping[int, Array], runs: int
) -> None:
    direction = _direction(target)
    met = np.fromiter(
        (bounds.meets(float(v), target, direction) for v in outcome), bool, len(outcome)
    )
    result.status = "simulated"
    result.runs = runs
    result.probability = float(met.mean())
    result.outcome = _quantiles(outcome)
    result.fan = {year: _quantiles(values) for year, values in sorted(paths.items())}


# Said wherever a scenario path shows the investment it implies.
INVESTMENT_NOTE = (
    "Vốn đầu tư cần có = ICOR × tốc độ tăng × GRDP: yêu cầu theo đồng nhất thức kế toán "
    "từ các giả định, không phải dự báo vốn đầu tư."
)
INVESTMENT_NOTE_EN = (
    "Investment required = ICOR × growth × GRDP: an accounting requirement implied by "
    "the assumptions, not a forecast of investment."
)
