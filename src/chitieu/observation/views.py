"""The observations API: reading figures, machines submitting them, correcting, importing files."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, File, Path, Query, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from chitieu._errors import InputError, NotFoundError, RowsRejectedError
from chitieu.indicator.service import get_indicator
from chitieu.observation.models import Observation
from chitieu.observation.service import list_observations
from chitieu.region.service import get_region
from chitieu.submission.entry import Entry, correct_figure, enter_figure, read_entry_period
from chitieu.submission.upload import RowsRefusedError, import_upload
from chitieu.submission.views import LINE, PARAGRAPH, read_upload
from chitieu.user.service import Actor
from chitieu.validation.models import ValidationFinding
from chitieu.web._auth import requires
from chitieu.web.deps import AppSettings, DbSession

router = APIRouter(prefix="/api/v1", tags=["observations"])
MAX_ID = 2**31 - 1
_YEAR = r"(19|20|21)\d{2}"
_MONTH = r"(0[1-9]|1[0-2])"
PERIOD_CODE = (
    rf"^{_YEAR}(-(H[12]|Q[1-4]|M{_MONTH}|([1-9]|1[01])M|{_MONTH}(-(0[1-9]|[12]\d|3[01]))?)"
    rf"|/{_YEAR})?$"
)
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=LINE)]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "the body is not JSON"},
    401: {"description": "not signed in"},
    403: {"description": "the role or the agency may not do this"},
    404: {"description": "no such indicator, region, period or figure"},
    409: {"description": "a validation rule configured to block refuses the figure"},
    422: {"description": "bad input"},
}


class ObservationOut(BaseModel):
    model_config = ConfigDict(strict=True)
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
    agency: str | None
    note: str | None
    recorded_by: str
    recorded_at: datetime
    supersedes: int | None

    @classmethod
    def of(cls, row: Observation) -> ObservationOut:
        return cls(
            id=row.id,
            indicator=row.indicator_code,
            region=row.region.code,
            period=row.period,
            period_start=row.period_start,
            period_end=row.period_end,
            value=row.value,
            unit=row.unit,
            status=row.status,
            qualifier=row.qualifier,
            source_kind=row.source_kind,
            source_document=row.source_document.key if row.source_document else None,
            agency=row.agency.code if row.agency else None,
            note=row.note,
            recorded_by=row.recorded_by,
            # Stored as naive UTC; said so, as RFC 3339 wants an offset.
            recorded_at=row.recorded_at.replace(tzinfo=UTC),
            supersedes=row.supersedes_id,
        )


class ObservationPage(BaseModel):
    model_config = ConfigDict(strict=True)
    items: list[ObservationOut]
    total: int
    limit: int
    offset: int


class FindingOut(BaseModel):
    model_config = ConfigDict(strict=True)
    id: int
    rule: str
    severity: str
    message_vi: str
    message_en: str

    @classmethod
    def of(cls, finding: ValidationFinding) -> FindingOut:
        return cls(
            id=finding.id,
            rule=finding.rule,
            severity=finding.severity,
            message_vi=finding.message_vi,
            message_en=finding.message_en,
        )


class EntryOut(BaseModel):
    """The figure kept, whether it is new, the one it replaced, and the checks' warnings."""

    model_config = ConfigDict(strict=True)
    observation: ObservationOut
    written: bool
    replaced: int | None
    warnings: list[FindingOut]

    @classmethod
    def of(cls, entry: Entry) -> EntryOut:
        return cls(
            observation=ObservationOut.of(entry.observation),
            written=entry.written,
            replaced=entry.previous.id if entry.previous else None,
            warnings=[FindingOut.of(f) for f in entry.findings],
        )


class ObservationIn(BaseModel):
    """One figure; ``value`` is a JSON number (a boolean or a string is refused)."""

    model_config = ConfigDict(strict=True, extra="forbid")
    indicator: Code
    region: Code
    period: Annotated[str, Field(min_length=1, max_length=32, pattern=LINE)]
    value: Annotated[float, Field(allow_inf_nan=False)]
    unit: Annotated[str, Field(max_length=64, pattern=LINE)] | None = None
    status: Literal["actual", "estimate", "preliminary"] = "actual"
    note: Annotated[str, Field(max_length=1000, pattern=PARAGRAPH)] | None = None


class CorrectionIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    value: Annotated[float, Field(allow_inf_nan=False)]
    note: Annotated[str, Field(min_length=1, max_length=1000, pattern=PARAGRAPH)]
    # A change of ten times or more (or of sign) must be meant (see ``correct_observation``).
    force: bool = False


class ImportOut(BaseModel):
    model_config = ConfigDict(strict=True)
    file: str
    rows: int
    written: int
    unchanged: int
    batch: int | None
    # How a CSV file was read: "UTF-8", "UTF-16" or "Windows-1258"; ",", ";" or a tab.
    encoding: str | None = None
    separator: str | None = None


class RowOut(BaseModel):
    model_config = ConfigDict(strict=True)
    line: int
    reason: str
    column: str | None = None


class RowsError(BaseModel):
    """A file refused because of its rows: every one named."""

    model_config = ConfigDict(strict=True)
    detail: str
    rows: list[RowOut]


def register(app: FastAPI) -> None:
    app.include_router(router)


@router.get("/observations", responses={k: ERRORS[k] for k in (401, 403, 404, 422)})
def observations(
    session: DbSession,
    actor: Annotated[Actor, Depends(requires("view"))],
    indicator: Annotated[str | None, Query(max_length=64, pattern=LINE)] = None,
    region: Annotated[str | None, Query(max_length=64, pattern=LINE)] = None,
    period: Annotated[
        str | None,
        Query(
            max_length=32,
            pattern=PERIOD_CODE,
            description="a period code: 2025, 2025-H1, 2025-Q2, 2025-M06 (or 2025-06), "
            "2024-9M, 2021/2025, 2025-06-30",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**7)] = 0,
) -> ObservationPage:
    """Current figures (corrections replace what they correct), in series order."""
    rows = list_observations(
        session,
        indicator=get_indicator(session, code_or_name=indicator) if indicator else None,
        region=get_region(session, code_or_name=region) if region else None,
        period=_period_filter(period),
    )
    page = rows[offset : offset + limit]
    return ObservationPage(
        items=[ObservationOut.of(row) for row in page], total=len(rows), limit=limit, offset=offset
    )


def _period_filter(code: str | None) -> str | None:
    """A filter naming a period that cannot exist (2025/2021, 2025-02-30) finds nothing: 404."""
    if code is None:
        return None
    try:
        return read_entry_period(code).code
    except InputError as exc:
        raise NotFoundError(str(exc)) from None


@router.post(
    "/observations",
    status_code=201,
    responses={
        200: {"model": EntryOut, "description": "already recorded; nothing written"},
        **ERRORS,
    },
)
def submit(
    session: DbSession,
    response: Response,
    actor: Annotated[Actor, Depends(requires("enter_data"))],
    body: ObservationIn,
) -> EntryOut:
    """Record one figure for the token's agency, validated and audited."""
    entry = enter_figure(
        session,
        actor=actor,
        indicator=body.indicator,
        region=body.region,
        period=body.period,
        value=body.value,
        status=body.status,
        unit=body.unit,
        note=body.note,
    )
    if not entry.written:
        response.status_code = 200
    return EntryOut.of(entry)


@router.post("/observations/{observation_id}/correct", status_code=201, responses=ERRORS)
def correct(
    session: DbSession,
    actor: Annotated[Actor, Depends(requires("review"))],
    observation_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    body: CorrectionIn,
) -> EntryOut:
    """A new revision of a figure with the right value and why; the old one stays in the history."""
    return EntryOut.of(
        correct_figure(
            session,
            actor=actor,
            observation_id=observation_id,
            value=body.value,
            note=body.note,
            force=body.force,
        )
    )


@router.post(
    "/imports",
    status_code=201,
    response_model=ImportOut,
    responses={
        400: {"description": "the body is not a multipart form"},
        401: ERRORS[401],
        403: {"description": "rows of another agency's indicators, each named in `rows`"},
        409: ERRORS[409],
        413: {"description": "the file is larger than the upload limit"},
        415: {"description": "not a .xlsx or .csv file"},
        422: {"description": "bad rows (each named in `rows`) or an unreadable file"},
    },
)
def import_file(
    session: DbSession,
    settings: AppSettings,
    actor: Annotated[Actor, Depends(requires("enter_data"))],
    file: Annotated[UploadFile, File(description="a .xlsx or .csv file in the import template")],
) -> Any:
    """Import a file of figures, all rows or none."""
    content = read_upload(file, limit=settings.max_upload_bytes)
    try:
        with session.begin_nested():
            result = import_upload(
                session, actor=actor, file_name=file.filename or "", content=content
            )
    except (RowsRefusedError, RowsRejectedError) as exc:
        status = 403 if isinstance(exc, RowsRefusedError) else 422
        body = RowsError(
            detail=str(exc),
            rows=[RowOut(line=p.line, reason=p.reason, column=p.column) for p in exc.problems],
        )
        return JSONResponse(body.model_dump(), status_code=status)
    return ImportOut(
        file=result.file_name,
        rows=result.rows,
        written=result.written,
        unchanged=result.unchanged,
        batch=result.batch_id,
        encoding=result.read_as.encoding if result.read_as else None,
        separator=result.read_as.separator if result.read_as else None,
    )
