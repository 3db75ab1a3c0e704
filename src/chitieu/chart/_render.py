"""Vega-Lite specs to SVG, offline, with Vietnamese number formatting.

The web pages inline the SVG (no JavaScript, no network) and the report embeds
the same SVG; the API hands out the spec itself for other clients.
"""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from typing import Any

import vl_convert

from chitieu.chart._phone import for_phone

# d3-format locales: Vietnamese writes 1.234,5; English 1,234.5.
NUMBER_LOCALES: dict[str, dict[str, Any]] = {
    "vi": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["$", ""]},
}
TIME_LOCALE_VI: dict[str, Any] = {
    "dateTime": "%A, %d/%m/%Y %X",
    "date": "%d/%m/%Y",
    "time": "%H:%M:%S",
    "periods": ["SA", "CH"],
    "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
    "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
    "months": [f"Tháng {n}" for n in range(1, 13)],
    "shortMonths": [f"Th{n}" for n in range(1, 13)],
}


def to_svg(spec: dict[str, Any], *, lang: str = "vi") -> str:
    """The chart as an SVG document; identical specs are rendered once."""
    key = (json.dumps(spec, sort_keys=True, ensure_ascii=False), lang)
    drawing = _drawing.pop(key, None)
    if drawing is not None:
        return drawing.result()
    return _svg(*key)


_drawing: dict[tuple[str, str], Future[str]] = {}
_drawer: list[ThreadPoolExecutor] = []


def warm_up() -> None:
    """Start vl-convert in the background (half a second of its work before a first chart).

    For a command about to draw charts, while it imports and reads the rest: the
    drawings themselves do not change.
    """
    _drawer_thread().submit(vl_convert.vegalite_to_svg, {"mark": "point"})


def _drawer_thread() -> ThreadPoolExecutor:
    if not _drawer:
        # One drawer: vl-convert draws one chart at a time anyway.
        _drawer.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="chart"))
    return _drawer[0]


def draw_ahead(spec: dict[str, Any], *, lang: str = "vi") -> None:
    """Start drawing ``spec`` in the background: ``to_svg`` then waits for that drawing.

    vl-convert draws in a thread of its own and lets Python run meanwhile (a chart
    is about 0,1 s of its work, and the first one starts it): a report's charts
    are drawn while the rest of it is still being read from the database.
    """
    key = (json.dumps(spec, sort_keys=True, ensure_ascii=False), lang)
    if key in _drawing:
        return
    _drawing[key] = _drawer_thread().submit(_svg, *key)


@lru_cache(maxsize=512)
def _svg(spec_json: str, lang: str) -> str:
    options: dict[str, Any] = {"format_locale": NUMBER_LOCALES.get(lang, NUMBER_LOCALES["vi"])}
    if lang == "vi":
        options["time_format_locale"] = TIME_LOCALE_VI
    return str(vl_convert.vegalite_to_svg(json.loads(spec_json), **options))


def to_svgs(spec: dict[str, Any], *, lang: str = "vi") -> str:
    """The chart for a page: as ``to_svg`` draws it, then drawn for a phone (class ``phone``).

    The page's style shows the second on a narrow screen and the first elsewhere.
    """
    phone = to_svg(for_phone(spec), lang=lang).replace('class="marks"', 'class="marks phone"', 1)
    return to_svg(spec, lang=lang) + phone
