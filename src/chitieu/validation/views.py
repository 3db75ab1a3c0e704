"""The review queue of validation findings (page) and the validation API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from chitieu._errors import ChitieuError, DatabaseError, InputError
from chitieu._periods import parse_period
from chitieu.indicator.models import Indicator
from chitieu.indicator.service import get_indicator, list_indicators
from chitieu.region.models import Region
from chitieu.submission.views import LINE, PARAGRAPH, error_status, is_htmx
from chitieu.user.admin import as_utc
from chitieu.user.service import Actor
from chitieu.validation.models import ValidationFinding
from chitieu.validation.service import (
    Violation,
    check_values,
    dismiss_finding,
    explain_finding,
    get_finding,
    list_findings,
)
from chitieu.web._auth import requires
from chitieu.web._templates import render
from chitieu.web.deps import DbSession, Lang

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["validation"])
Review = Annotated[Actor, Depends(requires("review"))]
EnterData = Annotated[Actor, Depends(requires("enter_data"))]
MAX_ID = 2**31 - 1
QUEUE_LIMIT = 500
FindingId = Annotated[int, Path(ge=1, le=MAX_ID)]
IndicatorFilter = Annotated[str | None, Query(max_length=200, pattern=LINE)]
State = Literal["open", "explained", "dismissed"]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "the body is not JSON"},
    401: {"description": "not signed in"},
    403: {"description": "the role may not review findings"},
    404: {"description": "no such finding or indicator"},
    409: {"description": "the finding was dealt with already"},
    422: {"description": "bad input"},
}
CHECK_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    403: {"description": "the role may not enter data"},
    404: {"description": "no such indicator or region"},
    422: {"description": "bad input (period, value, status, or a derived indicator)"},
}


def register(app: FastAPI) -> None:
    app.include_router(pages)
    app.include_router(api)


# Pages ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueRow:
    """A finding as the queue shows it, with its indicator, region and period named."""

    finding: ValidationFinding
    indicator: Indicator | None
    region: Region | None
    period_label: str


def queue_row(session: Session, finding: ValidationFinding, lang: str) -> QueueRow:
    return QueueRow(
        finding=finding,
        indicator=session.get(Indicator, finding.indicator_code),
        region=session.get(Region, finding.region_id),
        period_label=parse_period(finding.period).label(lang),
    )


def _indicator_code(session: Session, indicator: str | None) -> str | None:
    return get_indicator(session, code_or_name=indicator).code if indicator else None


@pages.get("/validation")
def queue_page(
    request: Request,
    session: DbSession,
    lang: Lang,
    actor: Review,
    indicator: IndicatorFilter = None,
) -> Response:
    """Open findings, newest first, each with forms to explain or dismiss it."""
    code = _indicator_code(session, indicator)
    findings = list_findings(session, state="open", indicator_code=code, limit=QUEUE_LIMIT + 1)
    # A reviewer filters by what the indicator is called, not by its code; the
    # catalogue's names are offered as they type.
    names = {i.code: i.name_vi if lang == "vi" else i.name_en for i in list_indicators(session)}
    context = {
        "rows": [queue_row(session, f, lang) for f in findings[:QUEUE_LIMIT]],
        "more": len(findings) > QUEUE_LIMIT,
        "indicator": names.get(code, "") if code else "",
        "indicator_names": sorted(set(names.values())),
        "limit": QUEUE_LIMIT,
    }
    return render(request, "validation/queue.html", context)


@pages.post("/validation/{finding_id}")
def resolve_page(
    request: Request,
    session: DbSession,
    lang: Lang,
    actor: Review,
    finding_id: FindingId,
    action: Annotated[str, Form(max_length=16, pattern=LINE)] = "",
    explanation: Annotated[str, Form(max_length=5000, pattern=PARAGRAPH)] = "",
) -> Response:
    """Explain or dismiss a finding; htmx gets its row back, a plain form a redirect."""
    try:
        with session.begin_nested():
            if action == "explain":
                explain_finding(
                    session, finding_id=finding_id, actor=actor.username, explanation=explanation
                )
            elif action == "dismiss":
                dismiss_finding(
                    session, finding_id=finding_id, actor=actor.username, reason=explanation
                )
            else:
                raise InputError("thao tác phải là giải thích (explain) hoặc bỏ qua (dismiss)")
    except DatabaseError:
        raise
    except ChitieuError as exc:
        if not is_htmx(request):
            raise
        row = queue_row(session, get_finding(session, finding_id=finding_id), lang)
        return _row(request, row, error=exc.text(lang), status_code=error_status(exc))
    if not is_htmx(request):
        return RedirectResponse("/validation", status_code=303)
    response = _row(request, queue_row(session, get_finding(session, finding_id=finding_id), lang))
    # The queue's count of open findings changes too: it listens for this and fetches itself.
    response.headers["HX-Trigger"] = "findings-changed"
    return response


def _row(
    request: Request, row: QueueRow, *, error: str | None = None, status_code: int = 200
) -> Response:
    context = {"row": row, "row_error": error}
    return render(request, "validation/_row.html", context, status_code=status_code)


# API ------------------------------------------------------------------------


class ReviewFinding(BaseModel):
    """A finding of the validation rules, in the review queue or dealt with."""

    model_config = ConfigDict(strict=True)
    id: int
    rule: str
    severity: Literal["warning", "blocking"]
    indicator: str
    region: str
    period: str
    observation_id: int | None
    figure_id: int | None
    message: str = Field(description="in the language asked for (?lang=)")
    message_vi: str
    message_en: str
    state: State
    explanation: str | None
    resolved_by: str | None
    resolved_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, session: Session, finding: ValidationFinding, lang: str) -> ReviewFinding:
        region = session.get(Region, finding.region_id)
        return cls.model_validate(
            {
                "id": finding.id,
                "rule": finding.rule,
                "severity": finding.severity,
                "indicator": finding.indicator_code,
                "region": region.code if region is not None else str(finding.region_id),
                "period": finding.period,
                "observation_id": finding.observation_id,
                "figure_id": finding.figure_id,
                "message": finding.message_vi if lang == "vi" else finding.message_en,
                "message_vi": finding.message_vi,
                "message_en": finding.message_en,
                "state": finding.state,
                "explanation": (finding.explanation_en or finding.explanation)
                if lang == "en"
                else finding.explanation,
                "resolved_by": finding.resolved_by,
                "resolved_at": as_utc(finding.resolved_at) if finding.resolved_at else None,
                "created_at": as_utc(finding.created_at),
            }
        )


class ReviewFindingList(BaseModel):
    model_config = ConfigDict(strict=True)
    items: list[ReviewFinding]
    total: int


class ExplainIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    explanation: Annotated[str, Field(min_length=1, max_length=5000, pattern=PARAGRAPH)]


class DismissIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    reason: Annotated[str, Field(max_length=5000, pattern=PARAGRAPH)] | None = None


class CheckIn(BaseModel):
    """A figure as it would be entered: the value in the indicator's own unit."""

    model_config = ConfigDict(strict=True, extra="forbid")
    indicator: Annotated[str, Field(min_length=1, max_length=64, pattern=LINE)]
    region: Annotated[str, Field(min_length=1, max_length=100, pattern=LINE)]
    period: Annotated[
        str,
        Field(
            min_length=1,
            max_length=40,
            pattern=LINE,
            description="2023, 2023-H1, 2024-9M… or as written: năm 2023, 6 tháng đầu năm 2023",
        ),
    ]
    value: Annotated[float, Field(allow_inf_nan=False)]
    status: Literal["actual", "estimate", "preliminary"] = "actual"


class CheckedViolation(BaseModel):
    model_config = ConfigDict(strict=True)
    rule: str
    kind: Literal["bounds", "period", "sum", "growth", "outlier", "magnitude", "estimate"]
    severity: Literal["warning", "blocking"]
    indicator: str
    region: str
    period: str
    status: str
    message: str = Field(description="in the language asked for (?lang=)")
    message_vi: str
    message_en: str
    explanation: str | None = Field(description="given earlier for the same finding, if any")

    @classmethod
    def of(cls, violation: Violation, lang: str) -> CheckedViolation:
        return cls.model_validate(
            {
                "rule": violation.rule,
                "kind": violation.kind,
                "severity": violation.severity,
                "indicator": violation.indicator_code,
                "region": violation.region_code,
                "period": violation.period,
                "status": violation.status,
                "message": violation.message(lang),
                "message_vi": violation.message_vi,
                "message_en": violation.message_en,
                "explanation": violation.explanation,
            }
        )


class CheckResult(BaseModel):
    model_config = ConfigDict(strict=True)
    blocked: bool = Field(description="a blocking rule would refuse the figure")
    violations: list[CheckedViolation]


@api.get("/findings", responses=ERRORS)
def findings(
    session: DbSession,
    lang: Lang,
    actor: Review,
    state: State = "open",
    indicator: IndicatorFilter = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> ReviewFindingList:
    """Findings in a state (open by default), newest first."""
    code = _indicator_code(session, indicator)
    rows = list_findings(session, state=state, indicator_code=code)
    return ReviewFindingList(
        items=[ReviewFinding.of(session, f, lang) for f in rows[:limit]], total=len(rows)
    )


@api.post("/findings/{finding_id}/explain", responses=ERRORS)
def explain(
    session: DbSession, lang: Lang, actor: Review, finding_id: FindingId, body: ExplainIn
) -> ReviewFinding:
    """Say why the flagged figure is right; the finding leaves the queue (audited)."""
    finding = explain_finding(
        session, finding_id=finding_id, actor=actor.username, explanation=body.explanation
    )
    return ReviewFinding.of(session, finding, lang)


@api.post("/findings/{finding_id}/dismiss", responses=ERRORS)
def dismiss(
    session: DbSession, lang: Lang, actor: Review, finding_id: FindingId, body: DismissIn
) -> ReviewFinding:
    """Drop a false alarm, with an optional reason; it leaves the queue (audited)."""
    finding = dismiss_finding(
        session, finding_id=finding_id, actor=actor.username, reason=body.reason
    )
    return ReviewFinding.of(session, finding, lang)


@api.post("/validation/check", responses=CHECK_ERRORS)
def check(session: DbSession, lang: Lang, actor: EnterData, body: CheckIn) -> CheckResult:
    """The violations a figure would raise if entered; nothing is written."""
    violations = check_values(
        session,
        indicator=body.indicator,
        region=body.region,
        period=body.period,
        value=body.value,
        status=body.status,
    )
    return CheckResult(
        blocked=any(v.blocking for v in violations),
        violations=[CheckedViolation.of(v, lang) for v in violations],
    )
