"""``chitieu observations`` and ``chitieu correct``."""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from chitieu import _format
from chitieu._context import app_context
from chitieu._database import transaction
from chitieu._errors import NotFoundError
from chitieu._labels import tr, word
from chitieu._layout import Column
from chitieu._output import OutputFormat, emit
from chitieu._periods import parse_period
from chitieu.audit.service import record_change
from chitieu.indicator.models import Indicator
from chitieu.indicator.service import get_indicator
from chitieu.observation.models import Observation
from chitieu.observation.service import (
    correct_observation,
    derived_values,
    disagreements,
    list_observations,
    territory_totals,
)
from chitieu.region.models import Region
from chitieu.region.service import get_region, list_regions


def register(app: typer.Typer) -> None:
    app.command("observations")(observations)
    app.command("correct")(correct)


def observations(
    ctx: typer.Context,
    indicator: Annotated[str | None, typer.Option(help="Mã hoặc tên chỉ tiêu.")] = None,
    region: Annotated[str | None, typer.Option(help="Mã hoặc tên địa bàn.")] = None,
    territory: Annotated[
        bool, typer.Option(help="Gồm cả số liệu của các đơn vị tiền thân (before a merger).")
    ] = False,
    period: Annotated[str | None, typer.Option(help="Kỳ: 2023, 2023-H1, 2024-9M…")] = None,
    status: Annotated[str | None, typer.Option(help="actual, estimate, preliminary.")] = None,
    history: Annotated[bool, typer.Option(help="Gồm cả các bản đã được sửa.")] = False,
    conflicts: Annotated[
        bool,
        typer.Option(
            help="Các kỳ có số liệu mâu thuẫn, với mọi số của kỳ đó "
            "(disputed periods, with every figure of each)."
        ),
    ] = False,
    output: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """Số liệu đã ghi nhận, với nguồn của từng số (observed figures with their sources)."""
    context = app_context(ctx)
    lang = context.lang
    with transaction(context.engine(), writes=False) as session:
        chosen = get_indicator(session, code_or_name=indicator) if indicator else None
        place = get_region(session, code_or_name=region) if region else None
        rows = list_observations(
            session,
            indicator=chosen,
            region=place,
            territory=territory,
            period=period,
            status=status,
            history=history,
        )
        disputed = disagreements(r for r in rows if not history or _is_current(r, rows))
        if conflicts:
            # With the period's other figures (an actual beside disputed estimates): a choice
            # between sources is made with every current figure in view.
            periods = {(r.indicator_code, r.region_id, r.period) for r in rows if r.id in disputed}
            rows = [r for r in rows if (r.indicator_code, r.region_id, r.period) in periods]
        records = [observation_record(row, disputed, lang) for row in rows]
        if chosen is not None and not conflicts:
            records += _computed_records(session, chosen, place, territory, period, lang)
    if output is not OutputFormat.table:
        for record in records:
            for key in ("value_shown", "period_shown", "status_shown", "flag"):
                record.pop(key)
    emit(
        records,
        output=output,
        columns=[
            Column("id", "#", "head"),
            Column("indicator", tr(lang, "Chỉ tiêu", "Indicator"), "head"),
            ("region_name", tr(lang, "Địa bàn", "Region")),
            ("period_shown", tr(lang, "Kỳ", "Period")),
            ("value_shown", tr(lang, "Giá trị", "Value")),
            ("status_shown", tr(lang, "Loại số", "Status")),
            ("source", tr(lang, "Nguồn", "Source")),
            Column("quote", tr(lang, "Trích dẫn", "Quote"), "note"),
            ("flag", ""),
        ],
    )


def _computed_records(
    session: Session,
    indicator: Indicator,
    region: Region | None,
    territory: bool,
    period: str | None,
    lang: str,
) -> list[dict[str, Any]]:
    """Values that are computed, not recorded: derived indicators and merged territories."""
    regions = [region] if region is not None else list_regions(session)
    found: list[tuple[Region, str, float, str]] = []
    for place in regions:
        if indicator.formula:
            found += [
                (place, d.period, d.value, f"= {indicator.formula}")
                for d in derived_values(session, indicator=indicator, region=place)
            ]
        if territory and region is not None:
            found += [
                (place, t.period, t.value, "= " + " + ".join(t.parts))
                for t in territory_totals(session, indicator=indicator, region=place)
            ]
    wanted = parse_period(period).code if period else None
    return [
        {
            "id": None,
            "indicator": indicator.code,
            "region": place.code,
            "region_name": place.name,
            "period": code,
            "value": value,
            "unit": indicator.unit,
            "status": "computed",
            "source": source,
            "computed": True,
            "value_shown": _format.value_with_unit(value, indicator.unit, lang),
            "period_shown": parse_period(code).label(lang),
            "status_shown": tr(lang, "tính toán", "computed"),
            "flag": "",
            "quote": None,
        }
        for place, code, value, source in found
        if wanted is None or code == wanted
    ]


def _is_current(row: Observation, rows: list[Observation]) -> bool:
    return all(other.supersedes_id != row.id for other in rows)


def observation_record(row: Observation, disputed: set[int], lang: str) -> dict[str, Any]:
    document = row.source_document
    quote = None
    if document is not None and row.span_start is not None and row.span_end is not None:
        quote = document.quote(row.span_start, row.span_end, context=40)
    qualifier = f"{row.qualifier} " if row.qualifier else ""
    return {
        "id": row.id,
        "indicator": row.indicator_code,
        "region": row.region.code,
        "region_name": row.region.name,
        "period": row.period,
        "value": row.value,
        "unit": row.unit,
        "status": row.status,
        "qualifier": row.qualifier,
        "source_kind": row.source_kind,
        "source": (document.key if document else None)
        or (row.agency.code if row.agency else row.source_kind),
        "source_title": document.title if document else None,
        "source_url": document.url if document else None,
        "span": [row.span_start, row.span_end] if row.span_start is not None else None,
        "quote": quote,
        "note": row.note,
        "note_en": row.note_en,
        "recorded_by": row.recorded_by,
        "recorded_at": row.recorded_at.isoformat(timespec="seconds"),
        "supersedes": row.supersedes_id,
        "disputed": row.id in disputed,
        "computed": False,
        "value_shown": qualifier + _format.value_with_unit(row.value, row.unit, lang),
        "period_shown": parse_period(row.period).label(lang),
        "status_shown": word(row.status, lang),
        "flag": tr(lang, "⚠ nguồn khác nhau", "⚠ sources differ") if row.id in disputed else "",
    }


def correct(
    ctx: typer.Context,
    observation_id: Annotated[int, typer.Argument(help="Số thứ tự (#) của số liệu.")],
    value: Annotated[float, typer.Argument(help="Giá trị đúng.")],
    note: Annotated[str, typer.Option(help="Lý do sửa.")],
    by: Annotated[str | None, typer.Option(help="Người sửa.")] = None,
    force: Annotated[
        bool, typer.Option(help="Vẫn sửa dù giá trị đổi gấp 10 lần trở lên hoặc đổi dấu.")
    ] = False,
) -> None:
    """Sửa một số liệu bằng một bản mới; bản cũ vẫn được lưu (correct a figure)."""
    context = app_context(ctx)
    lang = context.lang
    with transaction(context.engine()) as session:
        existing = session.get(Observation, observation_id)
        if existing is None:
            raise NotFoundError(f"không có số liệu #{observation_id}")
        row = correct_observation(
            session,
            observation=existing,
            value=value,
            recorded_by=by or getpass.getuser(),
            note=note,
            force=force,
        )
        record_change(
            session,
            actor=row.recorded_by,
            action="correct",
            entity="observation",
            entity_id=existing.id,
            before={"id": existing.id, "value": existing.value},
            after={"id": row.id, "value": row.value, "note": note},
        )
        before = _format.value_with_unit(existing.value, existing.unit, lang)
        after = _format.value_with_unit(row.value, row.unit, lang)
        where = f"{row.indicator_code}, {row.region.name}, {parse_period(row.period).label(lang)}"
        Console(highlight=False, soft_wrap=True).print(
            tr(
                lang,
                f"Đã ghi bản sửa #{row.id} thay cho #{existing.id} ({where}): {before} → {after}",
                f"Recorded revision #{row.id} superseding #{existing.id} ({where}): "
                f"{before} → {after}",
            ),
            markup=False,
        )
