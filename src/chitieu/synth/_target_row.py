"""A synthetic target's row, whoever set it (a province's five-year plan, a commune's year)."""

from __future__ import annotations

from typing import Any

Row = dict[str, Any]


def target_row(
    keys: tuple[int, int, int, int],
    indicator: Row,
    aim: tuple[str, str, float | None, float | None],
    *,
    baseline: str,
) -> Row:
    """A target row: ``keys`` are its id, plan, region and row number; ``aim`` its period,
    measure and bounds."""
    target_id, plan_id, region_id, row_number = keys
    period, measure, low, high = aim
    return {
        "id": target_id,
        "plan_id": plan_id,
        "row": str(row_number),
        "group_label": None,
        "label_vi": indicator["name_vi"],
        "indicator_code": indicator["code"],
        "region_id": region_id,
        "period": period,
        "measure": measure,
        "minimum": low,
        "maximum": high,
        "qualifier": None,
        "unit": indicator["unit"],
        "baseline_period": baseline,
        "baseline_value": None,
        "footnote": None,
        "source_document_id": None,
        "span_start": None,
        "span_end": None,
    }
