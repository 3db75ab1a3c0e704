"""Charts drawn again for a phone: narrow enough for its screen, words large enough to read."""

from __future__ import annotations

import copy
import re

import altair as alt

from chitieu.chart._phone import TITLE_CHARACTERS, for_phone
from chitieu.chart._render import to_svg, to_svgs
from chitieu.chart.indicator import FanYear, SeriesPoint, TargetMark, indicator_chart

# A 390 px screen less the page's margins (.75rem each side).
ROOM = 390 - 2 * 12
LONG_TITLE = (
    "Tỷ lệ lao động qua đào tạo có bằng cấp, chứng chỉ trong tổng số lao động đang làm việc"
)


def svg_size(svg: str) -> tuple[float, float]:
    found = re.match(r'<svg[^>]* width="([\d.]+)" height="([\d.]+)"', svg)
    assert found, svg[:200]
    return float(found.group(1)), float(found.group(2))


def font_sizes(svg: str, role: str) -> list[float]:
    """The font sizes of one role's texts (``legend-label``, ``axis-label``…)."""
    groups = re.findall(rf'class="mark-text role-{role}"[^>]*>(.*?)</g>', svg, re.S)
    return [
        float(size) for group in groups for size in re.findall(r'font-size="([\d.]+)px"', group)
    ]


def indicator_spec(title: str) -> dict:
    years = range(2016, 2025)
    return indicator_chart(
        title=title,
        subtitle="Bắc Giang",
        unit="%",
        points=[SeriesPoint(y, 5.0 + y % 4, "actual" if y < 2024 else "estimate") for y in years],
        targets=[TargetMark("KH", 2021, 2025, 12.0, 13.0, "average_growth")],
        fan=[FanYear(y, 8.0, 6.0, 10.0) for y in (2025, 2026)],
    )


def test_a_phone_chart_fits_the_screen_at_its_own_size_with_a_long_title():
    spec = indicator_spec(LONG_TITLE)
    wide, phone = to_svg(spec), to_svg(for_phone(spec))
    assert svg_size(wide)[0] > ROOM  # as drawn for a desktop it would be shrunk on a phone
    assert svg_size(phone)[0] <= ROOM
    # Drawn at its own size, its legend and axes read at 12 px; the desktop's at Vega's 10.
    for role in ("legend-label", "axis-label"):
        assert font_sizes(phone, role) and min(font_sizes(phone, role)) >= 12
        assert max(font_sizes(wide, role)) < 12


def test_a_long_title_is_cut_between_words_into_lines_a_phone_shows_whole():
    phone = for_phone(indicator_spec(LONG_TITLE))
    lines = phone["title"]["text"]
    assert isinstance(lines, list) and len(lines) > 1
    assert " ".join(lines) == LONG_TITLE
    assert all(len(line) <= TITLE_CHARACTERS for line in lines)
    # A short title and the subtitle stay one line.
    assert for_phone(indicator_spec("GRDP"))["title"]["text"] == "GRDP"
    assert phone["title"]["subtitle"] == "Bắc Giang"


def test_the_legend_goes_under_the_plot_in_two_columns():
    phone = for_phone(indicator_spec("GRDP"))
    assert phone["config"]["legend"]["orient"] == "bottom"
    assert phone["config"]["legend"]["columns"] == 2


def test_each_part_of_a_stacked_chart_is_narrowed_and_the_spec_left_as_it_was():
    rows = [{"year": year, "value": float(year % 7)} for year in range(2020, 2031)]
    part = alt.Chart(alt.Data(values=rows)).mark_bar().encode(x="year:O", y="value:Q")
    spec = alt.vconcat(
        part.properties(width=600, height=200), part.properties(width=600, height=180)
    ).to_dict(validate=False)
    kept = copy.deepcopy(spec)
    phone = for_phone(spec)
    assert spec == kept
    assert all(view["width"] < 600 for view in phone["vconcat"])
    assert svg_size(to_svg(phone))[0] <= ROOM < svg_size(to_svg(spec))[0]


def test_a_page_gets_the_desktop_drawing_then_the_phone_drawing():
    spec = indicator_spec("GRDP")
    both = to_svgs(spec)
    wide = to_svg(spec)
    assert both.startswith(wide)
    phone = both[len(wide) :]
    assert phone.startswith("<svg") and 'class="marks phone"' in phone
    assert svg_size(phone)[0] < svg_size(wide)[0]
