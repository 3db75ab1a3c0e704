"""The overview page (every target of a plan, judged at a date) and the plans' API."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict

from chitieu._errors import InputError
from chitieu._version import current_version
from chitieu.assessment.service import assess
from chitieu.plan.dashboard import (
    STATUS_WORDS,
    area_word,
    overview,
    plan_ended,
    plan_regions,
    status_word,
)
from chitieu.plan.in_force import plan_in_force
from chitieu.plan.models import Plan, Target
from chitieu.plan.service import get_plan, list_plans, list_targets, target_record
from chitieu.region.service import get_region
from chitieu.user.service import Actor
from chitieu.web._auth import requires
from chitieu.web._templates import render_shared
from chitieu.web.deps import DbSession, Lang

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["plans"])
Viewer = Annotated[Actor, Depends(requires("view"))]
# Codes and names hold no control character: PostgreSQL cannot compare text holding a NUL.
LINE = r"^[^\x00-\x1f\x7f]*$"
Code = Annotated[str, Query(max_length=64, pattern=LINE)]
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "chưa đăng nhập / not signed in"},
    403: {"description": "không có quyền / forbidden"},
    422: {"description": "tham số không hợp lệ / invalid parameter"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    404: {"description": "không có kế hoạch hoặc địa bàn này / no such plan or region"},
}


def register(app: FastAPI) -> None:
    app.include_router(pages)
    app.include_router(api)


def parse_day(text: str) -> date:
    """A date typed in a form (YYYY-MM-DD); empty means today."""
    if not text.strip():
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"ngày '{text}' không hợp lệ, hãy viết YYYY-MM-DD (invalid date)"
        ) from None


# --- the overview page -------------------------------------------------------------------


@pages.get("/overview")
def overview_page(
    request: Request,
    session: DbSession,
    lang: Lang,
    actor: Viewer,
    plan: Code = "",
    region: Code = "",
    as_of: Annotated[str, Query(max_length=10, pattern=LINE)] = "",
) -> HTMLResponse:
    day = parse_day(as_of)

    def build() -> dict[str, Any]:
        found = None if plan else plan_in_force(session, as_of=day, lang=lang)
        chosen = get_plan(session, code_or_number=plan) if found is None else found.plan
        place = get_region(session, code_or_name=region) if region else None
        context: dict[str, Any] = {
            "plans": list_plans(session),
            "plan": chosen,
            "region": place,
            "as_of": day,
            "data": None,
            "regions": [],
            "status_word": status_word,
            "area_word": area_word,
            "statuses": list(STATUS_WORDS),
            "ended": chosen is not None and plan_ended(chosen, day),
            "chosen_note": found.note if found is not None else None,
        }
        if chosen is not None:
            context["data"] = overview(session, plan=chosen, as_of=day, region=place, lang=lang)
            context["regions"] = plan_regions(session, plan=chosen)
        return context

    # htmx asks for the results only; a plain GET (no JavaScript) gets the whole page.
    block = "results" if request.headers.get("hx-request") == "true" else None
    return render_shared(
        request,
        "plan/overview.html",
        build,
        key=(plan, region, day),
        version=current_version(session),
        block=block,
    )


# --- the API -----------------------------------------------------------------------------


def _iso_day(value: object) -> object:
    """Only YYYY-MM-DD: pydantic would also read "0" as a Unix time (1970-01-01)."""
    if isinstance(value, str) and not ISO_DAY.fullmatch(value):
        raise ValueError("ngày phải viết YYYY-MM-DD (a date must be written YYYY-MM-DD)")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True)


class PlanOut(_Strict):
    code: str
    title: str
    document_number: str | None
    issuer: str | None
    issued_on: date | None
    region: str
    horizon_start: int
    horizon_end: int
    kind: str
    targets: int


class TargetOut(_Strict):
    id: int
    plan: str
    plan_document: str
    row: str
    group: str | None
    area: str
    label: str
    indicator: str
    region: str
    region_name: str
    period: str
    measure: str
    min: float | None
    max: float | None
    qualifier: str | None
    unit: str
    baseline_period: str | None
    baseline_value: float | None
    footnote: str | None
    footnote_en: str | None
    source_document: str | None
    span: list[int] | None


class AssessmentOut(_Strict):
    target_id: int
    plan: str
    plan_document: str
    row: str
    label: str
    indicator: str
    area: str
    region: str
    period: str
    measure: str
    min: float | None
    max: float | None
    unit: str
    status: str
    final: bool
    successor: str | None
    method: str
    latest_value: float | None
    latest_period: str | None
    latest_status: str | None
    baseline_period: str | None
    baseline_value: float | None
    observed_pace: float | None
    required_pace: float | None
    projected_value: float | None
    progress_ratio: float | None
    gap: float | None
    note: str | None


def plan_out(plan: Plan) -> PlanOut:
    return PlanOut(
        code=plan.code,
        title=plan.title,
        document_number=plan.document_number,
        issuer=plan.issuer,
        issued_on=plan.issued_on,
        region=plan.region.code,
        horizon_start=plan.horizon_start,
        horizon_end=plan.horizon_end,
        kind=plan.kind,
        targets=len(plan.targets),
    )


def target_out(target: Target) -> TargetOut:
    return TargetOut.model_validate(
        {"id": target.id, "area": target.indicator.group, **target_record(target)}
    )


@api.get("/plans", responses=ERRORS)
def plans_api(session: DbSession, actor: Viewer) -> list[PlanOut]:
    """Every plan, oldest first."""
    return [plan_out(plan) for plan in list_plans(session)]


@api.get("/plans/{code}/targets", responses=NOT_FOUND)
def plan_targets_api(
    session: DbSession,
    actor: Viewer,
    code: Annotated[str, Path(min_length=1, max_length=64, pattern=LINE)],
) -> list[TargetOut]:
    """The plan's targets in the plan's order."""
    plan = get_plan(session, code_or_number=code)
    return [target_out(target) for target in list_targets(session, plan=plan)]


@api.get("/assessments", responses=NOT_FOUND)
def assessments_api(
    session: DbSession,
    actor: Viewer,
    plan: Annotated[str | None, Query(max_length=64, pattern=LINE)] = None,
    region: Annotated[str | None, Query(max_length=64, pattern=LINE)] = None,
    as_of: Annotated[
        date | None, Query(description="YYYY-MM-DD; mặc định hôm nay"), BeforeValidator(_iso_day)
    ] = None,
) -> list[AssessmentOut]:
    """Every target (of one plan, or of all) judged on what was known by ``as_of``."""
    chosen = get_plan(session, code_or_number=plan) if plan else None
    place = get_region(session, code_or_name=region) if region else None
    results = assess(session, as_of=as_of or date.today(), plan=chosen, region=place)
    return [
        AssessmentOut.model_validate(
            {
                "target_id": item.target.id,
                "area": item.target.indicator.group,
                **item.record(),
            }
        )
        for item in results
    ]
