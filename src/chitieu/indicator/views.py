"""The indicator pages (the catalogue, one indicator's chart and sources) and their API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from chitieu._version import current_version
from chitieu.chart._render import to_svg, to_svgs
from chitieu.indicator.models import Indicator
from chitieu.indicator.page import (
    catalogue,
    chart_spec,
    default_region,
    indicator_page,
    observation_quote,
    region_choices,
    series_regions,
)
from chitieu.indicator.service import get_indicator, list_indicators
from chitieu.observation.models import Observation
from chitieu.observation.service import disagreements, list_observations
from chitieu.plan.dashboard import area_word, status_word
from chitieu.plan.service import list_targets
from chitieu.plan.views import TargetOut, target_out
from chitieu.region.models import Region
from chitieu.region.service import get_region
from chitieu.user.service import Actor
from chitieu.web._auth import requires
from chitieu.web._templates import finish, render, render_shared
from chitieu.web.deps import DbSession, Lang

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["indicators"])
Viewer = Annotated[Actor, Depends(requires("view"))]
# Codes and names hold no control character: PostgreSQL cannot compare text holding a NUL.
LINE = r"^[^\x00-\x1f\x7f]*$"
IndicatorCode = Annotated[str, Path(min_length=1, max_length=64, pattern=LINE)]
RegionCode = Annotated[str | None, Query(max_length=64, pattern=LINE)]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "chưa đăng nhập / not signed in"},
    403: {"description": "không có quyền / forbidden"},
    422: {"description": "tham số không hợp lệ / invalid parameter"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    404: {"description": "không có chỉ tiêu hoặc địa bàn này / no such indicator or region"},
}


def register(app: FastAPI) -> None:
    app.include_router(pages)
    app.include_router(api)


def _names(session: Session, lang: str) -> dict[str, str]:
    """Each indicator's name by its code: a formula is read out in names."""
    return {indicator.code: indicator.name(lang) for indicator in list_indicators(session)}


def _place(session: Session, indicator: Indicator, region: str | None) -> Region:
    if region:
        return get_region(session, code_or_name=region)
    return default_region(session, indicator=indicator)


# --- pages -------------------------------------------------------------------------------


@pages.get("/indicators")
def indicators_page(
    request: Request,
    session: DbSession,
    lang: Lang,
    actor: Viewer,
    q: Annotated[str, Query(max_length=100, pattern=LINE)] = "",
) -> HTMLResponse:
    context = {
        "groups": catalogue(session, search=q),
        "q": q,
        "area_word": area_word,
        "indicator_names": _names(session, lang),
    }
    block = "results" if request.headers.get("hx-request") == "true" else None
    return render(request, "indicator/list.html", context, block=block)


@pages.get("/indicators/{code}")
def indicator_detail_page(
    request: Request,
    session: DbSession,
    lang: Lang,
    actor: Viewer,
    code: IndicatorCode,
    region: RegionCode = None,
) -> HTMLResponse:
    today = date.today()

    def build() -> dict[str, Any]:
        indicator = get_indicator(session, code_or_name=code)
        place = _place(session, indicator, region)
        page = indicator_page(session, indicator=indicator, region=place, as_of=today, lang=lang)
        return {
            "page": page,
            # The template's own shorthands, which a block rendered alone does not see.
            "ind": page.indicator,
            "place": page.region,
            "svg": to_svgs(page.spec, lang=lang),
            "status_word": status_word,
            "area_word": area_word,
            "indicator_names": _names(session, lang) if indicator.is_derived else {},
        }

    return render_shared(
        request,
        "indicator/detail.html",
        build,
        key=(code, region, today),
        version=current_version(session),
    )


@pages.get("/indicators/{code}/regions")
def region_search_page(
    request: Request,
    session: DbSession,
    lang: Lang,
    actor: Viewer,
    code: IndicatorCode,
    q: Annotated[str, Query(max_length=100, pattern=LINE)] = "",
) -> HTMLResponse:
    """The regions named like ``q`` that have the indicator's figures: a page of its own
    without JavaScript, the results block alone for htmx as one types."""
    indicator = get_indicator(session, code_or_name=code)
    context = {
        "ind": indicator,
        "q": q,
        "choices": region_choices(session, indicator=indicator, text=q),
    }
    block = "region_results" if request.headers.get("hx-request") == "true" else None
    return render(request, "indicator/regions.html", context, block=block)


@pages.get("/indicators/{code}/chart.svg")
def indicator_chart_svg(
    request: Request,
    session: DbSession,
    lang: Lang,
    actor: Viewer,
    code: IndicatorCode,
    region: RegionCode = None,
) -> Response:
    indicator = get_indicator(session, code_or_name=code)
    place = _place(session, indicator, region)
    spec = chart_spec(session, indicator=indicator, region=place, as_of=date.today(), lang=lang)
    response = Response(to_svg(spec, lang=lang), media_type="image/svg+xml")
    finish(request, response)
    return response


# --- API ---------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True)


class IndicatorOut(_Strict):
    code: str
    group: str
    name_vi: str
    name_en: str
    unit: str
    direction: str
    merge_rule: str
    definition: str | None
    definition_en: str | None
    formula: str | None


class IndicatorDetail(IndicatorOut):
    regions: list[str]
    targets: list[TargetOut]


class IndicatorObservationOut(_Strict):
    """A figure of one indicator's series, with whether it is current and disputed."""

    id: int
    indicator: str
    region: str
    period: str
    period_start: date
    period_end: date
    value: float
    unit: str
    status: str
    qualifier: str | None
    source_kind: str
    source_document: str | None
    source_title: str | None
    span: list[int] | None
    quote: str | None
    import_batch: int | None
    agency: str | None
    note: str | None
    recorded_by: str
    recorded_at: datetime
    supersedes: int | None
    current: bool
    disputed: bool


def indicator_out(indicator: Indicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "group": indicator.group,
        "name_vi": indicator.name_vi,
        "name_en": indicator.name_en,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "merge_rule": indicator.merge_rule,
        "definition": indicator.definition,
        "definition_en": indicator.definition_en,
        "formula": indicator.formula,
    }


def observation_out(obs: Observation, *, current: bool, disputed: bool) -> IndicatorObservationOut:
    document = obs.source_document
    found = observation_quote(obs)
    return IndicatorObservationOut(
        id=obs.id,
        indicator=obs.indicator_code,
        region=obs.region.code,
        period=obs.period,
        period_start=obs.period_start,
        period_end=obs.period_end,
        value=obs.value,
        unit=obs.unit,
        status=obs.status,
        qualifier=obs.qualifier,
        source_kind=obs.source_kind,
        source_document=document.key if document else None,
        source_title=document.title if document else None,
        span=[obs.span_start, obs.span_end]
        if obs.span_start is not None and obs.span_end is not None
        else None,
        quote=found.plain() if found else None,
        import_batch=obs.import_batch_id,
        agency=obs.agency.code if obs.agency else None,
        note=obs.note,
        recorded_by=obs.recorded_by,
        recorded_at=obs.recorded_at,
        supersedes=obs.supersedes_id,
        current=current,
        disputed=disputed,
    )


@api.get("/indicators", responses=ERRORS)
def indicators_api(
    session: DbSession,
    actor: Viewer,
    group: Annotated[Literal["economy", "society", "environment"] | None, Query()] = None,
) -> list[IndicatorOut]:
    """The catalogue of indicators, by area and code."""
    return [
        IndicatorOut.model_validate(indicator_out(indicator))
        for indicator in list_indicators(session, group=group)
    ]


@api.get("/indicators/{code}", responses=NOT_FOUND)
def indicator_api(session: DbSession, actor: Viewer, code: IndicatorCode) -> IndicatorDetail:
    """One indicator, the regions it has figures or targets for, and its targets."""
    indicator = get_indicator(session, code_or_name=code)
    return IndicatorDetail.model_validate(
        {
            **indicator_out(indicator),
            "regions": [r.code for r in series_regions(session, indicator=indicator)],
            "targets": [target_out(t) for t in list_targets(session, indicator=indicator)],
        }
    )


@api.get("/indicators/{code}/observations", responses=NOT_FOUND)
def observations_api(
    session: DbSession,
    actor: Viewer,
    code: IndicatorCode,
    region: RegionCode = None,
    history: Annotated[bool, Query(description="với các bản đã được sửa / with revisions")] = False,
) -> list[IndicatorObservationOut]:
    """The indicator's figures in series order (of every region unless one is named)."""
    indicator = get_indicator(session, code_or_name=code)
    place = get_region(session, code_or_name=region) if region else None
    rows = list_observations(session, indicator=indicator, region=place, history=history)
    replaced = {obs.supersedes_id for obs in rows if obs.supersedes_id is not None}
    current = [obs for obs in rows if obs.id not in replaced]
    disputed = disagreements(current)
    return [
        observation_out(obs, current=obs.id not in replaced, disputed=obs.id in disputed)
        for obs in rows
    ]


@api.get("/indicators/{code}/chart", responses=NOT_FOUND)
def chart_api(
    session: DbSession,
    actor: Viewer,
    code: IndicatorCode,
    preferred: Lang,
    region: RegionCode = None,
    lang: Annotated[Literal["vi", "en"] | None, Query()] = None,
) -> dict[str, Any]:
    """The indicator's chart as a Vega-Lite spec: the one the page renders to SVG."""
    indicator = get_indicator(session, code_or_name=code)
    place = _place(session, indicator, region)
    chosen = lang or preferred
    return chart_spec(session, indicator=indicator, region=place, as_of=date.today(), lang=chosen)
