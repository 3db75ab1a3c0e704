"""A scenario as the web page and the API handle it: the form's fields, a checked
scenario from a form, from YAML or from JSON, and one run with its targets and odds.

The form shows GRDP in nghìn tỷ đồng and population in thousands, so that the
numbers are the size people write them; it reads both 13,5 and 13.5. Every
way in goes through ``parse_scenario``, so a file, the form and the API refuse
the same things with the same Vietnamese message.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml
from sqlalchemy.orm import Session

from chitieu import _format
from chitieu._errors import InputError
from chitieu._periods import parse_period
from chitieu.plan.models import Plan
from chitieu.region.service import successions_read_ahead
from chitieu.scenario.service import (
    DEFAULT_SEED,
    Odds,
    Scenario,
    ScenarioYear,
    TargetCheck,
    check_targets,
    parse_scenario,
    run_scenario,
    target_odds,
)

# The page's draws: enough for probabilities to about a percentage point, fast to run.
PAGE_RUNS = 2_000
MAX_RUNS = 10_000
MAX_YEARS = 50
FORM_SOURCE = "bảng giả định"
YAML_SOURCE = "kịch bản YAML"
_SECTOR_WORDS = {
    "agriculture": ("nông, lâm nghiệp, thủy sản", "agriculture"),
    "industry_construction": ("công nghiệp - xây dựng", "industry, construction"),
    "services": ("dịch vụ", "services"),
    "product_taxes": ("thuế sản phẩm", "product taxes"),
}


@dataclass(frozen=True, slots=True)
class Input:
    """One number of the form: its field name, its label, and the scale it is shown at."""

    name: str
    label_vi: str
    label_en: str
    unit: str
    unit_en: str | None = None
    factor: float = 1.0
    optional: bool = False
    money: str | None = None
    """An amount of money ("VND"): shown at the scale its value reads at, not at ``factor``."""

    def label(self, lang: str) -> str:
        return self.label_vi if lang == "vi" else self.label_en

    def unit_in(self, lang: str) -> str:
        return self.unit if lang == "vi" or self.unit_en is None else self.unit_en


def base_inputs() -> list[Input]:
    shares = [
        Input(f"base.shares.{s}", f"Tỷ trọng {vi}", f"Share: {en}", "%")
        for s, (vi, en) in _SECTOR_WORDS.items()
    ]
    return [
        Input(
            "base.grdp",
            "GRDP (giá hiện hành)",
            "GRDP (current prices)",
            "nghìn tỷ đồng",
            "VND trillion",
            factor=1e12,
            money="VND",
        ),
        Input("base.population", "Dân số", "Population", "nghìn người", "thousand", factor=1e3),
        Input("base.exchange_rate", "Tỷ giá", "Exchange rate", "đồng/USD", "VND/USD"),
        *shares,
    ]


def year_inputs() -> list[Input]:
    """A year's columns; the field is ``years.<year>.<name>``."""
    growth = [
        Input(f"growth.{s}", f"Tăng trưởng {vi}", f"Growth: {en}", "%")
        for s, (vi, en) in _SECTOR_WORDS.items()
    ]
    return [
        *growth,
        Input("population_growth", "Tăng dân số", "Population growth", "%"),
        Input("exchange_rate", "Tỷ giá", "Exchange rate", "đồng/USD", "VND/USD"),
        Input("deflator", "Chỉ số giảm phát", "Deflator", "%", optional=True),
        Input("icor", "ICOR", "ICOR", "", optional=True),
        Input("investment_share", "Vốn đầu tư/GRDP", "Investment/GRDP", "%", optional=True),
    ]


# --- numbers as people type them ------------------------------------------------------

_GROUPED = {
    "vi": re.compile(r"^[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?$"),
    "en": re.compile(r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$"),
}
_PLAIN = re.compile(r"^[0-9]+([.,][0-9]+)?$|^[.,][0-9]+$")


def read_number(text: str, lang: str = "vi") -> float:
    """13,5 or 13.5; 1.900.000 (vi) or 1,900,000 (en) with thousands grouped; a leading minus.

    Raises ValueError for anything else (words, two decimal marks, inf, nan).
    """
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text)
    sign = -1.0 if cleaned[:1] in ("-", "−") else 1.0
    digits = cleaned[1:] if cleaned[:1] in ("+", "-", "−") else cleaned
    own, other = ("en", "vi") if lang == "en" else ("vi", "en")
    if _GROUPED[own].match(digits):
        return sign * _ungrouped(digits, own)
    if _PLAIN.match(digits):
        return sign * float(digits.replace(",", "."))
    # The other language's grouping, where it cannot be read as a decimal: 1,900,000 in vi.
    if _GROUPED[other].match(digits) and digits.count("," if other == "en" else ".") > 1:
        return sign * _ungrouped(digits, other)
    raise ValueError(text)


def _ungrouped(digits: str, lang: str) -> float:
    thousands, decimal = (",", ".") if lang == "en" else (".", ",")
    return float(digits.replace(thousands, "").replace(decimal, "."))


def plain(value: float | None, lang: str = "vi") -> str:
    """A number for an input box as the reader writes it: thousands grouped (25.000), the
    language's decimal mark, no trailing zeros. ``read_number`` reads it back."""
    if value is None:
        return ""
    return _format.number(value, lang, 6)


# The scales a money input may be shown and typed at (``_format.scale_for``'s).
_MONEY_FACTORS = frozenset({1.0, 1e6, 1e9, 1e12})


def scale_key(field: Input) -> str:
    """The hidden field carrying the scale a money input was shown at."""
    return f"scale.{field.name}"


def unit_key(field: Input) -> str:
    """The field holding the unit a money input was shown in ("tỷ đồng")."""
    return f"unit.{field.name}"


# --- scenarios from the form, from YAML, from JSON ------------------------------------


def form_values(scenario: Scenario, lang: str = "vi") -> dict[str, str]:
    """The form's fields filled with a scenario."""
    data = scenario.model_dump()
    values = {"name": scenario.name, "start_year": str(scenario.start_year)}
    for field in base_inputs():
        value = _get(data, field.name)
        if field.money is not None:
            # At the scale its value reads at: 209,15 nghìn tỷ đồng, 850 tỷ đồng.
            scale = _format.scale_for([value], field.money, lang)
            values[scale_key(field)] = repr(scale.factor)
            values[unit_key(field)] = scale.unit
            values[field.name] = plain(value / scale.factor, lang)
            continue
        values[field.name] = plain(value / field.factor, lang)
    for year, item in data["years"].items():
        for field in year_inputs():
            value = _get(item, field.name)
            values[f"years.{year}.{field.name}"] = plain(
                None if value is None else value / field.factor, lang
            )
    return values


_YEAR_FIELD = re.compile(r"^years\.([0-9]{4})\.")


def form_years(form: Mapping[str, str]) -> list[int]:
    """The years a posted form has fields for."""
    return sorted({int(m.group(1)) for key in form if (m := _YEAR_FIELD.match(key))})


def scenario_from_form(form: Mapping[str, str], *, lang: str = "vi") -> Scenario:
    """The scenario a posted form describes; a field that is not a number is named."""
    start = form.get("start_year", "").strip()
    if not re.fullmatch(r"[0-9]{4}", start):
        raise InputError(f"{FORM_SOURCE}: năm gốc «{start}» phải là một năm (4 chữ số)")
    data: dict[str, Any] = {"name": form.get("name", "").strip(), "start_year": int(start)}
    for field in base_inputs():
        value = _number(form, field.name, field, lang, where="")
        if value is not None:
            _put(data, field.name, value)
    years = form_years(form)
    if not years:
        raise InputError(f"{FORM_SOURCE}: chưa có năm nào")
    if len(years) > MAX_YEARS:
        raise InputError(f"{FORM_SOURCE}: nhiều nhất {MAX_YEARS} năm")
    data["years"] = {}
    for year in years:
        item: dict[str, Any] = {}
        for field in year_inputs():
            value = _number(form, f"years.{year}.{field.name}", field, lang, where=f"năm {year}, ")
            if value is not None:
                _put(item, field.name, value)
        data["years"][year] = item
    return checked(data, source=FORM_SOURCE)


def scenario_from_yaml(text: str) -> Scenario:
    scenario = parse_scenario(text, source=YAML_SOURCE)
    return checked(scenario.model_dump(), source=YAML_SOURCE)


def checked(data: Mapping[str, Any], *, source: str) -> Scenario:
    """The scenario ``data`` describes, checked like a scenario file (finite numbers too)."""
    for where, value in _leaves(data):
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError(f"{source}: {where}: phải là một số hữu hạn")
    years = data.get("years")
    if isinstance(years, Mapping) and len(years) > MAX_YEARS:
        raise InputError(f"{source}: nhiều nhất {MAX_YEARS} năm")
    text = yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False)
    return parse_scenario(text, source=source)


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario as a YAML file the advanced box and ``chitieu scenario run`` read."""
    data = scenario.model_dump(exclude_none=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _number(
    form: Mapping[str, str], key: str, field: Input, lang: str, *, where: str
) -> float | None:
    text = form.get(key, "").strip()
    unit = f" ({field.unit})" if field.unit else ""
    if not text:
        if field.optional:
            return None
        raise InputError(f"{FORM_SOURCE}: {where}{field.label_vi}{unit}: chưa nhập")
    try:
        value = read_number(text, lang)
    except ValueError:
        raise InputError(
            f"{FORM_SOURCE}: {where}{field.label_vi}{unit}: «{text[:40]}» không phải là số"
        ) from None
    return value * _factor(form, field)


def _factor(form: Mapping[str, str], field: Input) -> float:
    """What a number typed in ``field`` is multiplied by: the scale the form showed it at."""
    if field.money is None:
        return field.factor
    try:
        shown = float(form.get(scale_key(field), ""))
    except ValueError:
        return field.factor
    return shown if shown in _MONEY_FACTORS else field.factor


def _get(data: Mapping[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        value = value[part]
    return value


def _put(data: dict[str, Any], dotted: str, value: float) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


def _leaves(data: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(data, Mapping):
        for key, value in data.items():
            yield from _leaves(value, f"{where}.{key}" if where else str(key))
    else:
        yield where, data


# --- one run: the path, the targets it speaks to, and their odds ----------------------


@dataclass
class ScenarioRun:
    scenario: Scenario
    path: list[ScenarioYear]
    checks: list[TargetCheck]
    odds: list[Odds]
    """The odds of each checked target, in the same order."""
    as_of: date
    runs: int
    seed: int

    @property
    def met(self) -> int:
        return sum(1 for check in self.checks if check.met)

    @property
    def missed(self) -> int:
        return sum(1 for check in self.checks if check.met is False)


def run_path(scenario: Scenario) -> list[ScenarioYear]:
    """The scenario's path; assumptions that overflow the arithmetic are refused, not printed."""
    path = run_scenario(scenario)
    for row in path:
        numbers = [row.grdp, row.population, row.per_capita_usd, *row.shares.values()]
        numbers += [v for v in (row.growth, row.investment, row.icor) if v is not None]
        if not all(math.isfinite(v) for v in numbers):
            raise InputError(
                f"năm {row.year}: các giả định cho số quá lớn để tính (tràn số); hãy kiểm tra lại"
            )
    return path


def evaluate(
    session: Session,
    *,
    scenario: Scenario,
    plan: Plan | None = None,
    as_of: date,
    runs: int = PAGE_RUNS,
    seed: int = DEFAULT_SEED,
    lang: str = "vi",
) -> ScenarioRun:
    """Run the scenario, check it against the plan's targets and simulate each target's odds."""
    if not 100 <= runs <= MAX_RUNS:
        raise InputError(f"số lần mô phỏng phải từ 100 đến {MAX_RUNS} (đã cho {runs})")
    path = run_path(scenario)
    # Every target's series follows its region's lineage through the mergers: read them once.
    with successions_read_ahead(session):
        checks = check_targets(
            session, scenario=scenario, path=path, plan=plan, as_of=as_of, lang=lang
        )
        chances = [
            target_odds(session, target=check.target, as_of=as_of, runs=runs, seed=seed, lang=lang)
            for check in checks
        ]
    return ScenarioRun(scenario, path, checks, chances, as_of, runs, seed)


def years_of(period: str) -> tuple[int, int]:
    found = parse_period(period)
    return found.start.year, found.end.year


def probability_text(odds: Odds, lang: str = "vi") -> str:
    """'37,2%'; a simulated 0 or 1 only says the runs never (always) met it."""
    value = odds.probability
    if value is None:
        return "—"
    if odds.status == "simulated" and value < 0.001:
        return "< 0,1%" if lang == "vi" else "< 0.1%"
    if odds.status == "simulated" and value > 0.999:
        return "> 99,9%" if lang == "vi" else "> 99.9%"
    return f"{_format.number(value * 100, lang, 1)}%"


def by_indicator(run: ScenarioRun) -> dict[str, list[tuple[TargetCheck, Odds]]]:
    """The checked targets with their odds, grouped by indicator, in the page's order."""
    groups: dict[str, list[tuple[TargetCheck, Odds]]] = {}
    for check, odds in zip(run.checks, run.odds, strict=True):
        groups.setdefault(check.target.indicator_code, []).append((check, odds))
    return groups


def merged_fan(pairs: Sequence[tuple[TargetCheck, Odds]]) -> dict[int, dict[str, float]]:
    """One indicator's simulated years across its targets, the later target's where both have one.

    Years up to the last figure are gaps the simulation filled; the chart draws
    the figures there instead.
    """
    history: dict[int, float] = {}
    for _, odds in pairs:
        history.update(odds.history)
    last = max(history, default=0)
    fan: dict[int, dict[str, float]] = {}
    for _, odds in sorted(pairs, key=lambda pair: years_of(pair[0].target.period)[1]):
        fan.update({year: q for year, q in odds.fan.items() if year > last})
    return dict(sorted(fan.items()))
