"""Writing figures and targets out as CSV or JSON (Open SDG's layout: ``open_sdg``)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from chitieu._cells import csv_cell
from chitieu.indicator.models import Indicator
from chitieu.observation.models import Observation
from chitieu.observation.service import list_observations
from chitieu.plan.service import list_targets, target_record
from chitieu.region.models import Region


def observation_row(obs: Observation) -> dict[str, Any]:
    document = obs.source_document
    return {
        "id": obs.id,
        "indicator": obs.indicator_code,
        "region": obs.region.code,
        "period": obs.period,
        "value": obs.value,
        "unit": obs.unit,
        "status": obs.status,
        "qualifier": obs.qualifier,
        "source_kind": obs.source_kind,
        "source_document": document.key if document else None,
        "source_url": document.url if document else None,
        "span_start": obs.span_start,
        "span_end": obs.span_end,
        "agency": obs.agency.code if obs.agency else None,
        "note": obs.note,
        "recorded_by": obs.recorded_by,
        "recorded_at": obs.recorded_at.isoformat(timespec="seconds"),
        "supersedes": obs.supersedes_id,
    }


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        if not rows:
            return
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    k: csv_cell(json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v)
                    for k, v in row.items()
                }
            )


def export_tables(
    session: Session,
    *,
    out: Path,
    fmt: str,
    indicator: Indicator | None = None,
    region: Region | None = None,
) -> list[Path]:
    """observations and targets as CSV or JSON files in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "observations": [
            observation_row(o)
            for o in list_observations(session, indicator=indicator, region=region)
        ],
        "targets": [
            target_record(t) for t in list_targets(session, indicator=indicator, region=region)
        ],
    }
    written = []
    for name, rows in tables.items():
        path = out / f"{name}.{fmt}"
        if fmt == "json":
            path.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        else:
            _write_csv(path, rows)
        written.append(path)
    return written
