"""The scenario page: assumptions in; the path, the targets met and their odds out.

Running a scenario stores nothing: the page computes and answers. The API is
in ``chitieu.scenario.api``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from chitieu._errors import ChitieuError, InputError
from chitieu._periods import parse_period
from chitieu._version import current_version
from chitieu.chart import scenario as charts
from chitieu.chart._render import to_svgs
from chitieu.plan.models import Plan
from chitieu.plan.service import get_plan, list_plans
from chitieu.scenario import api as scenario_api
from chitieu.scenario.page import (
    MAX_RUNS,
    PAGE_RUNS,
    ScenarioRun,
    base_inputs,
    by_indicator,
    evaluate,
    form_values,
    form_years,
    merged_fan,
    probability_text,
    scenario_from_form,
    scenario_from_yaml,
    scenario_yaml,
    year_inputs,
    years_of,
)
from chitieu.scenario.service import (
    DEFAULT_SEED,
    EXAMPLE,
    INVESTMENT_NOTE,
    INVESTMENT_NOTE_EN,
    SECTORS,
    load_scenario,
)
from chitieu.user.service import Actor
from chitieu.web._auth import requires
from chitieu.web._templates import render, render_shared
from chitieu.web.deps import DbSession, Lang

pages = APIRouter(include_in_schema=False)
RunScenario = Annotated[Actor, Depends(requires("run_scenario"))]
LINE = r"^[^\x00-\x1f\x7f]*$"
MAX_YAML = 100_000


def register(app: FastAPI) -> None:
    app.include_router(pages)
    scenario_api.register(app)


# --- the page -------------------------------------------------------------------------


async def posted_form(request: Request) -> dict[str, str]:
    """The posted fields as text (a file field is ignored): the form's names are per year."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _plan(session: Session, code: str | None) -> Plan | None:
    return get_plan(session, code_or_number=code) if code else None


def _bands(run: ScenarioRun, indicator: str) -> list[charts.Band]:
    bands = []
    for check in run.checks:
        target = check.target
        if target.indicator_code == indicator:
            first, last = years_of(target.period)
            label = f"{target.plan.shown_name} {target.row}"
            bands.append(charts.Band(label, first, last, target.minimum, target.maximum))
    return bands


def _fans(run: ScenarioRun, lang: str) -> list[dict[str, Any]]:
    """One fan chart per indicator whose targets were simulated."""
    shown = []
    for code, pairs in by_indicator(run).items():
        simulated = [(check, odds) for check, odds in pairs if odds.status == "simulated"]
        if not simulated:
            continue
        indicator = pairs[0][0].target.indicator
        history: dict[int, float] = {}
        for _, chance in pairs:
            history.update(chance.history)
        scenario_marks = []
        for check, _ in pairs:
            if check.value is not None:
                first, last = years_of(check.target.period)
                label = "kịch bản" if lang == "vi" else "scenario"
                scenario_marks.append(charts.Band(label, first, last, check.value, check.value))
        name = indicator.name_vi if lang == "vi" else indicator.name_en
        fan = merged_fan(simulated)
        spec = charts.fan_chart(
            title=name,
            unit=indicator.unit,
            history=history,
            fan=fan,
            targets=_bands(run, code),
            scenario=scenario_marks,
            lang=lang,
        )
        shown.append(
            {
                "indicator": code,
                "name": name,
                "svg": to_svgs(spec, lang=lang),
                "quantiles": list(fan.items()),
            }
        )
    return shown


def _results(run: ScenarioRun, lang: str) -> dict[str, Any]:
    path = run.path
    return {
        "run": run,
        "rows": list(zip(run.checks, run.odds, strict=True)),
        "probability": lambda chance: probability_text(chance, lang),
        "period_label": lambda code: parse_period(code).label(lang),
        "charts": {
            "grdp": to_svgs(
                charts.grdp_chart(path, _bands(run, "GRDP_GROWTH"), lang=lang), lang=lang
            ),
            "structure": to_svgs(charts.structure_chart(path, lang=lang), lang=lang),
            "per_capita": to_svgs(
                charts.per_capita_chart(path, _bands(run, "GRDP_PER_CAPITA_USD"), lang=lang),
                lang=lang,
            ),
        },
        "fans": _fans(run, lang),
        "investment_note": INVESTMENT_NOTE if lang == "vi" else INVESTMENT_NOTE_EN,
    }


def _page(request: Request, context: dict[str, Any], *, block: str | None) -> HTMLResponse:
    status = 422 if context["error"] else 200
    return render(request, "scenario/page.html", context, block=block, status_code=status)


def _context(
    session: Session,
    lang: str,
    *,
    values: dict[str, str],
    yaml_text: str,
    options: dict[str, str],
    run: ScenarioRun | None = None,
    error: str | None = None,
    block: str | None = None,
    source: str = "table",
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "values": values,
        "years": form_years(values),
        "base_inputs": base_inputs(),
        "year_inputs": year_inputs(),
        "sectors": SECTORS,
        "sector_name": lambda sector: charts.sector_name(sector, lang),
        "yaml_text": yaml_text,
        "plans": list_plans(session),
        "options": options,
        "error": error,
        "run": run,
        # After an htmx run the other half of the form is brought up to date.
        "refresh_inputs": block is not None and run is not None and source == "yaml",
        "refresh_yaml": block is not None and run is not None and source == "table",
    }
    if run is not None:
        context.update(_results(run, lang))
    return context


def _options(form: dict[str, str]) -> dict[str, str]:
    return {
        "plan": form.get("plan", "").strip()[:64],
        "runs": form.get("runs", str(PAGE_RUNS)).strip()[:12],
        "seed": form.get("seed", str(DEFAULT_SEED)).strip()[:12],
    }


def _count(text: str, name: str, low: int, high: int) -> int:
    if not re.fullmatch(r"[0-9]{1,12}", text) or not low <= int(text) <= high:
        raise InputError(f"{name}: «{text}» phải là số nguyên từ {low} đến {high}")
    return int(text)


@pages.get("/scenario")
def scenario_page(
    request: Request,
    session: DbSession,
    lang: Lang,
    actor: RunScenario,
    plan: Annotated[str | None, Query(max_length=64, pattern=LINE)] = None,
) -> HTMLResponse:
    """The example's assumptions in the form, and what they give.

    The same for everyone who may run scenarios on a given day: kept per data
    version (about 0,7 s of simulation and charts otherwise, on every visit).
    """
    today = date.today()
    chosen = _plan(session, plan)

    def build() -> dict[str, Any]:
        example = load_scenario(EXAMPLE)
        options = {"plan": plan or "", "runs": str(PAGE_RUNS), "seed": str(DEFAULT_SEED)}
        run = evaluate(session, scenario=example, plan=chosen, as_of=today, lang=lang)
        return _context(
            session,
            lang,
            values=form_values(example, lang),
            yaml_text=EXAMPLE.read_text(encoding="utf-8"),
            options=options,
            run=run,
        )

    return render_shared(
        request,
        "scenario/page.html",
        build,
        key=("scenario", plan or "", today),
        version=current_version(session),
        forms=True,
    )


@pages.post("/scenario")
def run_page(
    request: Request,
    session: DbSession,
    lang: Lang,
    actor: RunScenario,
    form: Annotated[dict[str, str], Depends(posted_form)],
) -> HTMLResponse:
    """Run the posted assumptions (the table, or the YAML box); htmx gets the results block."""
    source = "yaml" if form.get("source") == "yaml" else "table"
    block = "results" if request.headers.get("hx-request") == "true" else None
    yaml_text = form.get("yaml", "")
    options = _options(form)
    values = {
        k: v
        for k, v in form.items()
        if k == "name" or k.startswith(("base.", "years.", "scale.", "unit."))
    }
    values["start_year"] = form.get("start_year", "")
    try:
        if len(yaml_text) > MAX_YAML:
            raise InputError(f"kịch bản YAML dài quá {MAX_YAML} ký tự")
        scenario = scenario_from_yaml(yaml_text) if source == "yaml" else None
        if scenario is None:
            scenario = scenario_from_form(form, lang=lang)
        run = evaluate(
            session,
            scenario=scenario,
            plan=_plan(session, options["plan"]),
            as_of=date.today(),
            runs=_count(options["runs"], "số lần mô phỏng", 100, MAX_RUNS),
            seed=_count(options["seed"], "seed", 0, scenario_api.MAX_SEED),
            lang=lang,
        )
    except ChitieuError as exc:
        failed = _context(
            session,
            lang,
            values=values,
            yaml_text=yaml_text,
            options=options,
            error=exc.text(lang),
            block=block,
        )
        return _page(request, failed, block=block)
    if source == "yaml":
        values = form_values(scenario, lang)
    else:
        yaml_text = scenario_yaml(scenario)
    done = _context(
        session,
        lang,
        values=values,
        yaml_text=yaml_text,
        options=options,
        run=run,
        block=block,
        source=source,
    )
    return _page(request, done, block=block)
