"""The shape of a synthetic country: provinces before and after the 2025 merger, communes,
departments, the indicators they report, plans with their targets and tasks.

Every row is a plain dict keyed by column name with its id given here, so that the
writer can bulk-insert without asking the database for keys. Ids start after the
``offsets`` the caller read from the database.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from chitieu.synth._target_row import Row, target_row

MERGER = date(2025, 7, 1)
BEFORE_MERGER = date(2025, 6, 30)
# Of the 34 provinces since 1 July 2025, 11 kept their territory; 52 old ones merged into 23.
_UNCHANGED_SHARE = 11 / 34
_OLD_PER_MERGED = 52 / 23
_DISTRICTS_PER_OLD_PROVINCE = 11
DEPARTMENTS = (
    ("so_tai_chinh", "Sở Tài chính"),
    ("so_cong_thuong", "Sở Công Thương"),
    ("so_noi_vu", "Sở Nội vụ"),
    ("so_nong_nghiep_mt", "Sở Nông nghiệp và Môi trường"),
)
TARGETS_PER_PLAN = 40
TASKS_PER_PLAN = 30
CATALOGUE = Path(__file__).parent.parent / "dataset" / "bac_giang" / "indicators.csv"


@dataclass
class Province:
    """A province as the series see it: the rows of its region and its departments."""

    region_id: int
    code: str
    last_year: int | None  # None: reports to the last observed year
    merged: bool = False  # formed on 1 July 2025 from older provinces
    department_ids: list[int] = field(default_factory=list)


@dataclass
class Layout:
    tables: dict[str, list[Row]]
    provinces: list[Province]  # every province that reports, old and new
    communes: list[tuple[int, Province]]  # (region id, the new province it belongs to)
    country_id: int
    indicators: list[Row]  # the observed ones, in catalogue order


class _Ids:
    def __init__(self, offsets: dict[str, int]) -> None:
        self._next = dict(offsets)

    def take(self, table: str) -> int:
        self._next[table] = self._next.get(table, 0) + 1
        return self._next[table]


def build_layout(
    *,
    seed: int,
    provinces: int,
    communes: int,
    indicators: int,
    years: tuple[int, int],
    offsets: dict[str, int],
    existing_indicators: set[str],
) -> Layout:
    ids = _Ids(offsets)
    tables: dict[str, list[Row]] = {name: [] for name in TABLES}
    country_id = _region(tables, ids, "syn_vn", "Cả nước (tổng hợp)", "country", None)
    reporting, new_ones = _provinces(tables, ids, country_id, provinces)
    commune_rows = _communes(tables, ids, new_ones, communes)
    _departments(tables, ids, reporting)
    observed, all_indicators = _indicators(indicators)
    tables["indicator"] = [row for row in all_indicators if row["code"] not in existing_indicators]
    _indicator_agencies(tables, observed, reporting)
    rng = random.Random(seed)
    _plans(tables, ids, rng, reporting, country_id, observed, years)
    # After the provinces' plans, so that these draw the same as before communes had plans;
    # imported here as that module builds on this one's helpers.
    from chitieu.synth._commune_plans import commune_plans

    commune_plans(tables, ids.take, rng, commune_rows, observed, years)
    return Layout(
        tables=tables,
        provinces=reporting,
        communes=commune_rows,
        country_id=country_id,
        indicators=observed,
    )


TABLES = (
    "region",
    "region_succession",
    "agency",
    "agency_succession",
    "indicator",
    "indicator_agency",
    "plan",
    "target",
    "task",
    "task_lead",
    "task_partner",
    "task_update",
)


def _region(
    tables: dict[str, list[Row]],
    ids: _Ids,
    code: str,
    name: str,
    level: str,
    parent_id: int | None,
    valid: tuple[date | None, date | None] = (None, None),
) -> int:
    region_id = ids.take("region")
    tables["region"].append(
        {
            "id": region_id,
            "code": code,
            "name": name,
            "name_en": None,
            "level": level,
            "parent_id": parent_id,
            "gso_code": None,
            "valid_from": valid[0],
            "valid_to": valid[1],
        }
    )
    return region_id


def _succession(
    tables: dict[str, list[Row]], ids: _Ids, table: str, kind: str, old: int, new: int | None
) -> None:
    tables[table].append(
        {
            "id": ids.take(table),
            "effective_on": MERGER,
            "kind": kind,
            "predecessor_id": old,
            "successor_id": new,
            "note": "sắp xếp đơn vị hành chính từ 01/7/2025 (tổng hợp)",
        }
    )


def _provinces(
    tables: dict[str, list[Row]], ids: _Ids, country_id: int, count: int
) -> tuple[list[Province], list[Province]]:
    """The old provinces (to 30/06/2025) and the new (from 01/07/2025); the unchanged are both."""
    unchanged = round(count * _UNCHANGED_SHARE)
    merged = count - unchanged
    old_merging = max(2 * merged, round(merged * _OLD_PER_MERGED))
    reporting: list[Province] = []
    new_ones: list[Province] = []
    for number in range(1, unchanged + 1):
        code = f"syn_t{number:02d}"
        region_id = _region(tables, ids, code, f"Tỉnh {number:02d}", "province", country_id)
        province = Province(region_id, code, None)
        reporting.append(province)
        new_ones.append(province)
    merged_ids = [
        _region(
            tables,
            ids,
            f"syn_n{number:02d}",
            f"Tỉnh mới {number:02d}",
            "province",
            country_id,
            (MERGER, None),
        )
        for number in range(1, merged + 1)
    ]
    for number, region_id in enumerate(merged_ids, start=1):
        # As the statistics office does after a merger, the new province's series is
        # recomputed on its territory back to the first year.
        province = Province(region_id, f"syn_n{number:02d}", None, merged=True)
        reporting.append(province)
        new_ones.append(province)
    for index in range(old_merging):
        number = unchanged + index + 1
        code = f"syn_t{number:02d}"
        region_id = _region(
            tables, ids, code, f"Tỉnh {number:02d}", "province", country_id, (None, BEFORE_MERGER)
        )
        # Round-robin gives every new province two old ones, some three.
        successor = merged_ids[index % merged]
        _succession(tables, ids, "region_succession", "merge", region_id, successor)
        reporting.append(Province(region_id, code, MERGER.year - 1))
        _districts(tables, ids, code, region_id)
    return reporting, new_ones


def _districts(tables: dict[str, list[Row]], ids: _Ids, province: str, parent_id: int) -> None:
    for number in range(1, _DISTRICTS_PER_OLD_PROVINCE + 1):
        region_id = _region(
            tables,
            ids,
            f"{province}_h{number:02d}",
            f"Huyện {number:02d} ({province})",
            "district",
            parent_id,
            (None, BEFORE_MERGER),
        )
        _succession(tables, ids, "region_succession", "abolish", region_id, None)


def _communes(
    tables: dict[str, list[Row]], ids: _Ids, new_ones: list[Province], count: int
) -> list[tuple[int, Province]]:
    rows = []
    for index in range(count):
        province = new_ones[index % len(new_ones)]
        number = index // len(new_ones) + 1
        region_id = _region(
            tables,
            ids,
            f"{province.code}_x{number:04d}",
            f"Xã {number:04d} ({province.code})",
            "commune",
            province.region_id,
            (MERGER, None),
        )
        rows.append((region_id, province))
    return rows


def _departments(tables: dict[str, list[Row]], ids: _Ids, reporting: list[Province]) -> None:
    by_region: dict[int, Province] = {p.region_id: p for p in reporting}
    for province in reporting:
        ends = BEFORE_MERGER if province.last_year is not None else None
        starts = MERGER if province.merged else None
        for kind, name in DEPARTMENTS:
            agency_id = ids.take("agency")
            province.department_ids.append(agency_id)
            tables["agency"].append(
                {
                    "id": agency_id,
                    "code": f"{province.code}_{kind}",
                    "name": f"{name} {province.code}",
                    "short_name": name,
                    "region_id": province.region_id,
                    "kind": "department",
                    "valid_from": starts,
                    "valid_to": ends,
                }
            )
    successors = _region_successors(tables)
    for province in reporting:
        successor = successors.get(province.region_id)
        if successor is None:
            continue
        heirs = by_region[successor].department_ids
        for old, new in zip(province.department_ids, heirs, strict=True):
            _succession(tables, ids, "agency_succession", "merge", old, new)


def _region_successors(tables: dict[str, list[Row]]) -> dict[int, int]:
    return {
        row["predecessor_id"]: row["successor_id"]
        for row in tables["region_succession"]
        if row["kind"] == "merge"
    }


def _indicators(count: int) -> tuple[list[Row], list[Row]]:
    """The catalogue's observed indicators first, then made-up ones; derived ones ride along."""
    with CATALOGUE.open(encoding="utf-8") as handle:
        catalogue = [dict(row) for row in csv.DictReader(handle)]
    for row in catalogue:
        for key in ("definition", "definition_en", "formula"):
            row[key] = row[key] or None
    observed = [row for row in catalogue if not row["formula"]][:count]
    for number in range(len(observed) + 1, count + 1):
        observed.append(
            {
                "code": f"SYN_{number:03d}",
                "group": ("economy", "society", "environment")[number % 3],
                "name_vi": f"Chỉ tiêu tổng hợp {number:03d}",
                "name_en": f"Synthetic indicator {number:03d}",
                "unit": "đơn vị",
                "direction": "higher",
                "merge_rule": "sum",
                "definition": None,
                "definition_en": None,
                "formula": None,
            }
        )
    derived = [row for row in catalogue if row["formula"]]
    return observed, observed + derived


def _indicator_agencies(
    tables: dict[str, list[Row]], observed: list[Row], reporting: list[Province]
) -> None:
    for index, indicator in enumerate(observed):
        for province in reporting:
            tables["indicator_agency"].append(
                {
                    "indicator_code": indicator["code"],
                    "agency_id": province.department_ids[index % len(DEPARTMENTS)],
                }
            )


def _plans(
    tables: dict[str, list[Row]],
    ids: _Ids,
    rng: random.Random,
    reporting: list[Province],
    country_id: int,
    observed: list[Row],
    years: tuple[int, int],
) -> None:
    """A five-year plan to 2025 for each old province, to 2030 for each new one and the country."""
    first, last = years
    old_plan = (max(first + 1, 2021), min(last, 2025))
    new_plan = (max(first + 1, 2026), last)
    for province in reporting:
        if not province.merged:
            _plan(tables, ids, rng, province.region_id, province.code, old_plan, observed)
        if province.last_year is None:
            _plan(tables, ids, rng, province.region_id, province.code, new_plan, observed)
    _plan(tables, ids, rng, country_id, "syn_vn", new_plan, observed)


def _plan(
    tables: dict[str, list[Row]],
    ids: _Ids,
    rng: random.Random,
    region_id: int,
    code: str,
    horizon: tuple[int, int],
    observed: list[Row],
) -> None:
    start, end = horizon
    if start > end:
        return
    plan_id = ids.take("plan")
    tables["plan"].append(
        {
            "id": plan_id,
            "code": f"syn-kh-{start}-{end}-{code}",
            "title": f"Kế hoạch phát triển kinh tế - xã hội {start}-{end} ({code})",
            "document_number": None,
            "issuer": f"UBND {code}",
            "issued_on": date(start - 1, 12, 15),
            "region_id": region_id,
            "horizon_start": start,
            "horizon_end": end,
            "kind": "five_year",
            "source_document_id": None,
        }
    )
    chosen = rng.sample(observed, min(TARGETS_PER_PLAN, len(observed)))
    for row_number, indicator in enumerate(chosen, start=1):
        tables["target"].append(
            _target(ids.take("target"), plan_id, region_id, row_number, indicator, horizon, rng)
        )
    _tasks(tables, ids, rng, plan_id, region_id, horizon)


def _target(
    target_id: int,
    plan_id: int,
    region_id: int,
    row_number: int,
    indicator: Row,
    horizon: tuple[int, int],
    rng: random.Random,
) -> Row:
    start, end = horizon
    kind = series_kind(indicator)
    measure, period, low, high = "level", str(end), None, None
    if kind == "growth":
        measure, period = "average_growth", f"{start}/{end}"
        low = round(rng.uniform(4.0, 9.0), 1)
        high = low + 1 if rng.random() < 0.5 else low
    elif kind == "share":
        low = round(rng.uniform(20.0, 80.0), 1)
        high = None if rng.random() < 0.3 else low + round(rng.uniform(0, 3), 1)
    else:
        low = round(level_at(indicator, end) * rng.uniform(0.8, 1.3), 1)
        high = low
    if indicator["direction"] == "lower" and high is not None and low is not None:
        low, high = (None, high) if rng.random() < 0.5 else (low, high)
    return target_row(
        (target_id, plan_id, region_id, row_number),
        indicator,
        (period, measure, low, high),
        baseline=str(start - 1),
    )


def series_kind(indicator: Row) -> str:
    """How the indicator's figures behave: a growth rate, a bounded share, a rank, a level."""
    unit = indicator["unit"]
    if unit == "%" and "GROWTH" in indicator["code"]:
        return "growth"
    if unit in ("%", "điểm %"):
        return "share"
    if unit == "hạng":
        return "rank"
    return "level"


def level_at(indicator: Row, year: int) -> float:
    """A province's noiseless ``level`` series in ``year``; targets are set near it."""
    base = 100.0 + (sum(map(ord, indicator["code"])) % 900)
    return base * 1.07 ** (year - 2010)


_TASK_STATUSES = ("not_started", "in_progress", "in_progress", "done", "cancelled")


def _tasks(
    tables: dict[str, list[Row]],
    ids: _Ids,
    rng: random.Random,
    plan_id: int,
    region_id: int,
    horizon: tuple[int, int],
) -> None:
    agencies = [row["id"] for row in tables["agency"] if row["region_id"] == region_id]
    start, end = horizon
    for number in range(1, TASKS_PER_PLAN + 1):
        task_id = ids.take("task")
        due = rng.randint(start, end)
        tables["task"].append(
            {
                "id": task_id,
                "plan_id": plan_id,
                "group_no": ("I", "II", "III")[number % 3],
                "group_title": ("Thể chế", "Hạ tầng", "Nguồn nhân lực")[number % 3],
                "number": number,
                "description": f"Nhiệm vụ {number} của kế hoạch (tổng hợp)",
                "timeframe": f"{start}/{due}" if due > start else str(due),
                "start_year": start,
                "due_year": due,
                "source_document_id": None,
                "span_start": None,
                "span_end": None,
            }
        )
        if agencies:
            lead, *partners = rng.sample(agencies, min(3, len(agencies)))
            tables["task_lead"].append({"task_id": task_id, "agency_id": lead})
            tables["task_partner"].extend(
                {"task_id": task_id, "agency_id": partner} for partner in partners
            )
        if rng.random() < 0.6:
            tables["task_update"].append(_task_update(ids, rng, task_id, start))


def _task_update(ids: _Ids, rng: random.Random, task_id: int, start: int) -> Row:
    on_date = date(start, rng.randint(1, 12), rng.randint(1, 28))
    return {
        "id": ids.take("task_update"),
        "task_id": task_id,
        "on_date": on_date,
        "status": rng.choice(_TASK_STATUSES),
        "note": "cập nhật tiến độ (tổng hợp)",
        "recorded_by": "synth",
        "recorded_at": datetime(on_date.year, on_date.month, on_date.day, 8),
    }
