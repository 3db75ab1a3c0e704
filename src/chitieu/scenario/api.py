"""The scenario API: the example, a run (path, structure, per capita, targets met), the odds.

Bodies are strict JSON: a boolean or a string where a number belongs is refused
with 422, and so are assumptions that do not add up (shares, missing years),
with the same Vietnamese message as a scenario file. Nothing is stored.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict

from chitieu._errors import InputError
from chitieu.plan.service import get_plan
from chitieu.scenario.page import MAX_RUNS, MAX_YEARS, PAGE_RUNS, checked, run_path
from chitieu.scenario.service import (
    DEFAULT_SEED,
    EXAMPLE,
    INVESTMENT_NOTE,
    INVESTMENT_NOTE_EN,
    Scenario,
    ScenarioYear,
    YearAssumptions,
    check_targets,
    load_scenario,
    odds,
)
from chitieu.user.service import Actor
from chitieu.web._auth import requires
from chitieu.web.deps import DbSession, Lang

api = APIRouter(prefix="/api/v1/scenarios", tags=["scenarios"])
RunScenario = Annotated[Actor, Depends(requires("run_scenario"))]
LINE = r"^[^\x00-\x1f\x7f]*$"
PlanCode = Annotated[str, Field(min_length=1, max_length=64, pattern=LINE)]
MAX_SEED = 2**32 - 1
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "the body cannot be read as JSON"},
    401: {"description": "not signed in"},
    403: {"description": "the role may not run scenarios"},
    404: {"description": "no such plan"},
    422: {"description": "bad input: a field of the wrong type, or assumptions that do not add up"},
}


def register(app: FastAPI) -> None:
    app.include_router(api)


def _whole(value: object) -> object:
    """JSON may write a whole number as 2025.0; a boolean or a string stays refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Integers in range, also when JSON writes them as 2025.0.
StartYear = Annotated[int, Field(ge=1900, le=2200), BeforeValidator(_whole)]
Runs = Annotated[int, Field(ge=100, le=MAX_RUNS), BeforeValidator(_whole)]
Seed = Annotated[int, Field(ge=0, le=MAX_SEED), BeforeValidator(_whole)]
# JSON object keys are strings: "2025" is read as the year 2025 (and only digits are).
YearKey = Annotated[int, Strict(False), Field(ge=1900, le=2200)]
YEAR_KEY_PATTERN = "^(19[0-9]{2}|2[01][0-9]{2}|2200)$"


class ScenarioIn(Scenario):
    """A scenario as JSON: the file's fields, with the years as the object's keys ("2025")."""

    name: Annotated[str, Field(max_length=200, pattern=LINE)] = ""
    start_year: StartYear
    years: Annotated[
        dict[YearKey, YearAssumptions],
        Field(
            min_length=1,
            max_length=MAX_YEARS,
            json_schema_extra={"propertyNames": {"pattern": YEAR_KEY_PATTERN}},
        ),
    ]


class PathYearOut(BaseModel):
    model_config = ConfigDict(strict=True)
    year: int
    growth: float | None
    sector_growth: dict[str, float] | None
    grdp: float
    shares: dict[str, float]
    population: float
    exchange_rate: float
    per_capita_usd: float
    icor: float | None
    investment_share: float | None
    investment_required: float | None
    notes: list[str]

    @classmethod
    def of(cls, row: ScenarioYear) -> PathYearOut:
        return cls(
            year=row.year,
            growth=row.growth,
            sector_growth=row.sector_growth,
            grdp=row.grdp,
            shares=row.shares,
            population=row.population,
            exchange_rate=row.exchange_rate,
            per_capita_usd=row.per_capita_usd,
            icor=row.icor,
            investment_share=row.investment_share,
            investment_required=row.investment,
            notes=list(row.notes),
        )


class TargetOut(BaseModel):
    """Which target: plan, row, indicator, period and bounds."""

    model_config = ConfigDict(strict=True)
    plan: str
    plan_document: str
    row: str
    label: str
    indicator: str
    region: str
    period: str
    measure: str
    min: float | None
    max: float | None
    unit: str


class TargetCheckOut(TargetOut):
    value: float | None
    met: bool | None
    basis: str
    note: str | None


class ScenarioRunOut(BaseModel):
    model_config = ConfigDict(strict=True)
    name: str
    start_year: int
    investment_note: str
    path: list[PathYearOut]
    targets: list[TargetCheckOut]


class OddsIn(BaseModel):
    """Which targets (one plan's, or all), figures known by ``as_of``, how many draws."""

    model_config = ConfigDict(strict=True, extra="forbid")
    plan: PlanCode | None = None
    as_of: (
        Annotated[
            str,
            Field(
                pattern=r"^\d{4}-\d{2}-\d{2}$",
                json_schema_extra={"format": "date"},
                description="YYYY-MM-DD; today by default",
            ),
        ]
        | None
    ) = None
    runs: Runs = PAGE_RUNS
    seed: Seed = DEFAULT_SEED


class Quantiles(BaseModel):
    model_config = ConfigDict(strict=True)
    p5: float
    p25: float
    p50: float
    p75: float
    p95: float


class FanYear(Quantiles):
    year: int


class YearValue(BaseModel):
    model_config = ConfigDict(strict=True)
    year: int
    value: float


class TargetOddsOut(TargetOut):
    status: str
    method: str
    probability: float | None
    history_years: list[int]
    history_mean: float | None
    history_sd: float | None
    observed: list[YearValue]
    fan: list[FanYear]
    outcome: Quantiles | None
    runs: int
    seed: int
    note: str | None


class OddsOut(BaseModel):
    model_config = ConfigDict(strict=True)
    as_of: date
    runs: int
    seed: int
    targets: list[TargetOddsOut]


@api.get("/example", responses={k: ERRORS[k] for k in (401, 403)})
def example(actor: RunScenario) -> Scenario:
    """The shipped example scenario (illustrative assumptions for Bắc Giang 2025-2030)."""
    return load_scenario(EXAMPLE)


@api.post("/run", responses=ERRORS)
def run(
    session: DbSession,
    lang: Lang,
    actor: RunScenario,
    body: ScenarioIn,
    plan: Annotated[str | None, Query(min_length=1, max_length=64, pattern=LINE)] = None,
) -> ScenarioRunOut:
    """The path the assumptions give and the plan targets it meets or misses (nothing stored)."""
    scenario = checked(body.model_dump(), source="kịch bản")
    path = run_path(scenario)
    checks = check_targets(
        session,
        scenario=scenario,
        path=path,
        plan=get_plan(session, code_or_number=plan) if plan else None,
        lang=lang,
    )
    return ScenarioRunOut(
        name=scenario.name,
        start_year=scenario.start_year,
        investment_note=INVESTMENT_NOTE if lang == "vi" else INVESTMENT_NOTE_EN,
        path=[PathYearOut.of(row) for row in path],
        targets=[TargetCheckOut(**check.record()) for check in checks],
    )


@api.post("/odds", responses=ERRORS)
def odds_route(session: DbSession, lang: Lang, actor: RunScenario, body: OddsIn) -> OddsOut:
    """Monte Carlo odds of each level and average-growth target; the same seed, the same odds."""
    as_of = _day(body.as_of)
    found = odds(
        session,
        as_of=as_of,
        plan=get_plan(session, code_or_number=body.plan) if body.plan else None,
        runs=body.runs,
        seed=body.seed,
        lang=lang,
    )
    targets = []
    for item in found:
        record = item.record()
        record["outcome"] = record["outcome"] or None
        targets.append(TargetOddsOut.model_validate(record))
    return OddsOut(as_of=as_of, runs=body.runs, seed=body.seed, targets=targets)


def _day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"as_of: ngày «{text}» không hợp lệ (YYYY-MM-DD)") from None
