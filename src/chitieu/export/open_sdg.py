"""An Open SDG data repository that sdg-build checks and builds as written.

The layout is the one sdg-build's ``open_sdg_check``/``open_sdg_build`` read
with ``config='config_data.yml'``:

- ``data/indicator_G-T-I.csv``: Year, [Region], Value. An indicator measured for
  one region is a headline series alone; measured for several, the headline
  region's rows leave Region empty (Open SDG's headline = every disaggregation
  empty) and the others are its Region disaggregation.
- ``indicator-config/G-T-I.yml`` (Vietnamese) and ``indicator-config/en/G-T-I.yml``
  (the English overrides sdg-build reads from a language subfolder).
- ``metadata_schema.yml`` (Prose.io form: sdg-build requires ``published`` and
  ``reporting_status``, then ``data_non_statistical``, ``graph_title`` and
  ``graph_type`` for a published statistical indicator).
- ``config_data.yml`` with only local inputs and translations (``translations/``
  in each language), so a build needs no network.
- ``indicator_ids.csv``: which chitieu code got which number.

G-T-I comes from the catalogue's ``open_sdg_id``; an indicator without one is
numbered from its group (see :func:`open_sdg_ids`).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu._errors import InputError
from chitieu._periods import PeriodKind, parse_period
from chitieu.indicator.models import Indicator
from chitieu.observation.models import Observation
from chitieu.observation.service import list_observations, preferred
from chitieu.region.models import Region

LANGUAGES = ("vi", "en")
# Goals in this order; any other group comes after them, alphabetically.
GROUP_ORDER = ("economy", "society", "environment")
GROUP_NAMES = {
    "economy": ("Kinh tế", "Economy"),
    "society": ("Xã hội", "Society"),
    "environment": ("Môi trường", "Environment"),
}
# Country first: the highest level among an indicator's regions is its headline.
LEVEL_ORDER = ("country", "province", "district", "commune")
# sdg-build's Open SDG default: these columns are never a disaggregation.
NON_DISAGGREGATION = ("Year", "Units", "Series", "Value", "GeoCode", "Observation status")

UNITS_EN = {
    "điểm %": "percentage points",
    "người": "persons",
    "hạng": "rank",
    "dự án": "projects",
    "chỉ tiêu": "indicators",
    "xã": "communes",
    "năm": "years",
    "lần": "times",
    "lượt": "visits",
    "khu": "zones",
    "cụm": "clusters",
    "chỉ số": "index",
    "doanh nghiệp": "enterprises",
    "giường/10.000 dân": "beds per 10,000 people",
    "bác sĩ/10.000 dân": "doctors per 10,000 people",
    "VND/người": "VND per person",
    "VND/lao động": "VND per worker",
    "VND/ha": "VND per ha",
    "USD/người": "USD per person",
}


def open_sdg_ids(indicators: Iterable[Indicator]) -> dict[str, str]:
    """Each indicator's Open SDG number: the catalogue's, else one from its group.

    Groups are goals (economy 1, society 2, environment 3, others after them in
    alphabetical order), all under target 1; within a goal the unnumbered
    indicators take, in code order, the numbers the catalogue left free.
    Two indicators given the same number stop the export.
    """
    chosen = sorted(indicators, key=lambda i: i.code)
    ids: dict[str, str] = {}
    owner: dict[str, str] = {}
    for indicator in chosen:
        if indicator.open_sdg_id:
            taken = owner.setdefault(indicator.open_sdg_id, indicator.code)
            if taken != indicator.code:
                raise InputError(
                    f"danh mục chỉ tiêu: {taken} và {indicator.code} cùng số Open SDG "
                    f"{indicator.open_sdg_id}",
                    en=f"indicator catalogue: {taken} and {indicator.code} share the Open SDG "
                    f"number {indicator.open_sdg_id}",
                )
            ids[indicator.code] = indicator.open_sdg_id
    goals = _goal_numbers({i.group for i in chosen})
    next_number: dict[int, int] = defaultdict(int)
    for indicator in chosen:
        if indicator.code in ids:
            continue
        goal = goals[indicator.group]
        while True:
            next_number[goal] += 1
            candidate = f"{goal}-1-{next_number[goal]}"
            if candidate not in owner:
                break
        owner[candidate] = indicator.code
        ids[indicator.code] = candidate
    return ids


def _goal_numbers(groups: set[str]) -> dict[str, int]:
    ordered = [g for g in GROUP_ORDER if g in groups] + sorted(groups - set(GROUP_ORDER))
    known = {g: GROUP_ORDER.index(g) + 1 for g in GROUP_ORDER}
    numbers: dict[str, int] = {}
    extra = len(GROUP_ORDER)
    for group in ordered:
        if group in known:
            numbers[group] = known[group]
        else:
            extra += 1
            numbers[group] = extra
    return numbers


@dataclass(frozen=True, slots=True)
class Series:
    """One indicator's yearly figures: the headline region and every row to write."""

    headline: Region | None
    regions: tuple[Region, ...]
    rows: tuple[tuple[int, Region, float], ...]  # year, region, value


def yearly_series(
    session: Session, *, indicator: Indicator | None = None, headline: Region | None = None
) -> dict[str, Series]:
    """Yearly figures by indicator, one per year and region (the best-status one)."""
    grouped: dict[str, dict[tuple[int, int], list[Observation]]] = defaultdict(
        lambda: defaultdict(list)
    )
    regions: dict[int, Region] = {}
    for obs in list_observations(session, indicator=indicator):
        if parse_period(obs.period).kind is PeriodKind.YEAR:
            grouped[obs.indicator_code][(obs.period_end.year, obs.region_id)].append(obs)
            regions[obs.region_id] = obs.region
    out = {}
    for code, cells in grouped.items():
        rows = []
        for (year, region_id), candidates in sorted(cells.items()):
            best = preferred(candidates)
            assert best is not None
            rows.append((year, regions[region_id], best.value))
        present = _distinct(r for _, r, _ in rows)
        out[code] = Series(_headline(present, rows, headline), present, tuple(rows))
    return out


def _distinct(regions: Iterable[Region]) -> tuple[Region, ...]:
    seen: dict[int, Region] = {}
    for region in regions:
        seen.setdefault(region.id, region)
    return tuple(sorted(seen.values(), key=lambda r: r.code))


def _headline(
    present: Sequence[Region], rows: Sequence[tuple[int, Region, float]], asked: Region | None
) -> Region:
    """The asked region when it has figures, else the highest level (most years on a tie)."""
    if asked is not None and any(r.id == asked.id for r in present):
        return asked
    years: dict[int, int] = defaultdict(int)
    for _, region, _ in rows:
        years[region.id] += 1

    def rank(region: Region) -> tuple[int, int, str]:
        level = LEVEL_ORDER.index(region.level) if region.level in LEVEL_ORDER else 99
        return (level, -years[region.id], region.code)

    return min(present, key=rank)


def open_sdg_files(
    session: Session, *, headline: Region | None = None, indicator: Indicator | None = None
) -> dict[str, str]:
    """Every file of the repository, by relative path, before anything is written."""
    catalogue = list(session.scalars(select(Indicator)))
    ids = open_sdg_ids(catalogue)
    chosen = (
        [indicator]
        if indicator is not None
        else sorted(catalogue, key=lambda i: _order(ids[i.code]))
    )
    series = yearly_series(session, indicator=indicator, headline=headline)
    files: dict[str, str] = {}
    for item in chosen:
        number = ids[item.code]
        data = series.get(item.code)
        if data is not None:
            files[f"data/indicator_{number}.csv"] = _data_csv(data)
        files[f"indicator-config/{number}.yml"] = _yaml(_meta(item, number, data, "vi"))
        files[f"indicator-config/en/{number}.yml"] = _yaml(_meta(item, number, data, "en"))
    files.update(_translations(chosen, ids, series))
    files["metadata_schema.yml"] = METADATA_SCHEMA
    files["config_data.yml"] = CONFIG_DATA
    files["indicator_ids.csv"] = _ids_csv(chosen, ids)
    return files


def export_open_sdg(
    session: Session,
    *,
    out: Path,
    headline: Region | None = None,
    indicator: Indicator | None = None,
) -> list[Path]:
    """Write the repository into ``out``; every file is built before the first is written.

    Files of an earlier export that this one does not write again (an indicator
    renumbered or gone) are removed, so sdg-build never reads a stale one; a
    folder whose ``config_data.yml`` chitieu did not write is left alone.
    """
    files = open_sdg_files(session, headline=headline, indicator=indicator)
    config = out / "config_data.yml"
    if config.is_file() and not config.read_text(encoding="utf-8").startswith(MARKER):
        raise InputError(
            f"{config}: không phải tệp chitieu đã ghi; chọn một thư mục khác",
            en=f"{config}: not written by chitieu; choose another folder",
        )
    for pattern in OWN_FILES:
        for stale in out.glob(pattern):
            if stale.relative_to(out).as_posix() not in files:
                stale.unlink()
    written = []
    for relative, text in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def _order(number: str) -> tuple[tuple[int, str], ...]:
    """1-1-2 before 1-1-10: numeric parts as numbers."""
    return tuple((int(p), "") if p.isdigit() else (0, p) for p in number.split("-"))


def _data_csv(series: Series) -> str:
    """Year, [Region], Value; headline rows first, Region empty on them."""
    several = len(series.regions) > 1
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Year", "Region", "Value"] if several else ["Year", "Value"])
    headline_id = series.headline.id if series.headline else None
    ordered = sorted(series.rows, key=lambda r: (r[1].id != headline_id, r[1].name, r[0]))
    for year, region, value in ordered:
        shown = _number(value)
        if several:
            writer.writerow([year, "" if region.id == headline_id else region.name, shown])
        else:
            writer.writerow([year, shown])
    return buffer.getvalue()


def _number(value: float) -> str:
    """Whole values without a trailing .0 (still numeric to pandas), others as repr writes them."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _region_name(region: Region, lang: str) -> str:
    return region.name_en or region.name if lang == "en" else region.name


def _unit(unit: str, lang: str) -> str:
    return UNITS_EN.get(unit, unit) if lang == "en" else unit


def _meta(item: Indicator, number: str, data: Series | None, lang: str) -> dict[str, Any]:
    """The Vietnamese metadata, or the English fields that override it under ``en/``."""
    name = item.name(lang)
    unit = _unit(item.unit, lang)
    meta: dict[str, Any] = {
        "indicator_name": name,
        "graph_title": f"{name} ({unit})" if unit else name,
        "computation_units": unit,
    }
    if data is not None and data.headline is not None:
        meta["national_geographical_coverage"] = _region_name(data.headline, lang)
    if lang != "vi":
        return meta
    if item.definition:  # the catalogue writes definitions in Vietnamese only
        meta["STAT_CONC_DEF"] = item.definition
    return {
        **meta,
        "indicator_number": number.replace("-", "."),
        "reporting_status": "complete" if data is not None else "notstarted",
        "published": True,
        "data_non_statistical": False,
        "graph_type": "line",
        "data_show_map": False,
        "standalone": False,
        "chitieu_code": item.code,
    }


def _translations(
    chosen: Sequence[Indicator], ids: dict[str, str], series: dict[str, Series]
) -> dict[str, str]:
    """Goal, target and indicator titles and the Region column, in each language."""
    files = {}
    for index, lang in enumerate(LANGUAGES):
        goals: dict[str, str] = {}
        targets: dict[str, str] = {}
        indicators: dict[str, str] = {}
        for item in chosen:
            number = ids[item.code]
            goal, target = number.split("-")[0], "-".join(number.split("-")[:2])
            group = GROUP_NAMES.get(item.group, (item.group, item.group))[index]
            goals[f"{goal}-title"] = group
            goals[f"{goal}-short"] = group
            targets.setdefault(f"{target}-title", group)
            indicators[f"{number}-title"] = item.name(lang)
        regions = {r.name: _region_name(r, lang) for s in series.values() for r in s.regions}
        data = {"Region": "Địa bàn" if lang == "vi" else "Region"}
        files[f"translations/{lang}/global_goals.yml"] = _yaml(goals)
        files[f"translations/{lang}/global_targets.yml"] = _yaml(targets)
        files[f"translations/{lang}/global_indicators.yml"] = _yaml(indicators)
        files[f"translations/{lang}/data.yml"] = _yaml(data)
        files[f"translations/{lang}/Region.yml"] = _yaml(dict(sorted(regions.items())))
    return files


def _ids_csv(chosen: Sequence[Indicator], ids: dict[str, str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["open_sdg_id", "code", "group", "name_vi", "from_catalogue"])
    for item in chosen:
        writer.writerow(
            [ids[item.code], item.code, item.group, item.name_vi, int(bool(item.open_sdg_id))]
        )
    return buffer.getvalue()


def _yaml(content: dict[str, Any]) -> str:
    return yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=1000)


def _field(name: str, label: str, element: str = "text", **extra: Any) -> dict[str, Any]:
    return {"name": name, "field": {"element": element, "label": label, **extra}}


def _options(*values: str) -> list[dict[str, str]]:
    return [{"name": v, "value": v} for v in values]


MARKER = "# Written by chitieu export --format open-sdg"
# What an export writes, by pattern: an earlier export's files of these kinds are its own.
OWN_FILES = (
    "data/indicator_*.csv",
    "indicator-config/*.yml",
    "indicator-config/*/*.yml",
    "translations/*/*.yml",
)

METADATA_SCHEMA = f"{MARKER}.\n" + _yaml(
    {
        "prose": {
            "metadata": {
                "meta": [
                    _field(
                        "reporting_status",
                        "Reporting status",
                        "select",
                        options=_options("complete", "inprogress", "notstarted"),
                    ),
                    _field("published", "Published", "checkbox", value=True),
                    _field("data_non_statistical", "Non-statistical", "checkbox"),
                    _field("data_show_map", "Show map", "checkbox"),
                    _field("standalone", "Standalone", "checkbox"),
                    _field("graph_type", "Graph type", "select", options=_options("line", "bar")),
                    _field("graph_title", "Graph title"),
                    _field("indicator_name", "Indicator name"),
                    _field("indicator_number", "Indicator number"),
                    _field("computation_units", "Unit of measure"),
                    _field("national_geographical_coverage", "Geographical coverage"),
                    _field("STAT_CONC_DEF", "Definition and concepts"),
                    _field("chitieu_code", "chitieu code"),
                ]
            }
        }
    }
)

CONFIG_DATA = f"{MARKER}: everything is local.\n" + _yaml(
    {
        "languages": list(LANGUAGES),
        "site_dir": "_site",
        "schema_file": "metadata_schema.yml",
        "src_dir": "",
        "inputs": [
            {"class": "InputCsvData", "path_pattern": "data/*-*.csv"},
            {"class": "InputYamlMeta", "path_pattern": "indicator-config/*-*.yml", "git": False},
        ],
        "translations": [{"class": "TranslationInputYaml", "source": "translations"}],
        "reporting_status_extra_fields": [],
        "docs_branding": "chitieu: Open SDG data",
        "docs_intro": "Built from chitieu export --format open-sdg.",
    }
)
