"""Amounts shown together are read at one scale, chosen from their values: a table's column, a
row's target and figure, a chart's axis, the scenario's inputs and the report's rows say
"nghìn tỷ đồng" (or "tỷ USD") once, never one amount in đồng beside another in nghìn tỷ."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest

from chitieu import _format, transaction
from chitieu.chart.indicator import SeriesPoint, indicator_chart
from chitieu.report.model import Section, Table
from chitieu.report.service import build_report
from chitieu.scenario.page import _factor, base_inputs, read_number, scenario_from_form

# A number written in đồng, digit group by digit group: what no amount may look like.
RAW_DONG = re.compile(r"\d{1,3}(?:\.\d{3}){3,}")


def test_a_column_of_mixed_amounts_reads_at_one_scale():
    column = [12_760_000_000_000, 15_295_000_000_000, 2_345_600_000_000]
    scale = _format.scale_for(column, "VND")
    shown = [scale.amount(value) for value in column]
    assert shown == ["12,76 nghìn tỷ đồng", "15,295 nghìn tỷ đồng", "2,346 nghìn tỷ đồng"]
    # Dollars: one column said "1,5 tỷ USD" beside "1.234,5 triệu USD".
    dollars = _format.scale_for([1_500_000_000, 1_234_500_000], "USD")
    assert [dollars.amount(v) for v in (1_500_000_000, 1_234_500_000)] == [
        "1,5 tỷ USD",
        "1,234 tỷ USD",
    ]


@pytest.mark.parametrize(
    ("values", "unit", "lang", "expected"),
    [
        ([2_345_600_000], "USD", "vi", "tỷ USD"),
        ([850_000_000, 920_000_000], "VND", "vi", "triệu đồng"),
        ([69_200_000], "VND/người", "vi", "triệu đồng/người"),
        ([69_200_000], "VND/người", "en", "million VND/person"),
        ([209e12], "VND", "en", "trillion VND"),
        ([5_600], "USD/người", "vi", "USD/người"),
        ([13.85], "%", "vi", "%"),
        ([3], "lần", "en", "times"),
    ],
)
def test_the_scale_is_chosen_from_the_values(values, unit, lang, expected):
    assert _format.scale_for(values, unit, lang).unit == expected


def test_a_charts_axis_title_carries_the_scale_of_its_amounts():
    spec = indicator_chart(
        title="Thu nhập bình quân đầu người",
        unit="VND/người",
        points=[SeriesPoint(2023, 60_100_000), SeriesPoint(2024, 65_400_000)],
    )
    assert "triệu đồng/người" in _titles(spec), spec
    assert sorted(_values(spec)) == pytest.approx([60.1, 65.4])


def _titles(spec: object) -> list[str]:
    """Every axis title in a Vega-Lite spec, wherever its layers put them."""
    if isinstance(spec, dict):
        found = [str(spec["title"])] if "title" in spec and "field" in spec else []
        return found + [t for value in spec.values() for t in _titles(value)]
    if isinstance(spec, list):
        return [t for item in spec for t in _titles(item)]
    return []


def _values(spec: dict) -> list[float]:
    """The series' values as drawn: its line layer's data."""
    series = next(layer for layer in spec["layer"] if layer.get("name") == "series")
    return [row["value"] for row in series["data"]["values"]]


class _Cells(HTMLParser):
    """The text of each ``<td>`` of the overview's rows, by target."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.row: str | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and found.get("data-target"):
            self.row = str(found["data-target"])
            self.rows[self.row] = []
        elif tag == "td" and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.row is not None and self.cell is not None:
            self.rows[self.row].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr":
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def test_an_overview_rows_target_and_figure_share_one_scale(web):
    html = web.clients["viewer"].get("/overview?plan=kh-ktxh-2024").text
    parser = _Cells()
    parser.feed(html)
    money = {row: cells for row, cells in parser.rows.items() if "đồng" in cells[2]}
    assert money, "the plan has targets in đồng"
    for row, cells in money.items():
        target, latest = cells[2], cells[3]
        assert not RAW_DONG.search(target) and not RAW_DONG.search(latest), (row, cells)
        unit = re.search(r"(nghìn tỷ|tỷ|triệu)? ?đồng", target)
        assert unit is not None and unit.group(0) in latest, (row, target, latest)


def test_an_indicators_figures_are_at_one_scale_named_in_the_unit_column(web):
    html = web.clients["viewer"].get("/indicators/STATE_BUDGET_REVENUE").text
    table = html[html.index('id="observations"') :]
    table = table[: table.index("</table>")]
    units = set(re.findall(r"<td>([^<>]*đồng[^<>]*)</td>", table))
    assert units == {"nghìn tỷ đồng"}, units
    assert not RAW_DONG.search(table)


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.headers: list[str] = []
        self._header: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name"):
            self.fields[str(found["name"])] = found.get("value") or ""
        elif tag == "th":
            self._header = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "th" and self._header is not None:
            self.headers.append(" ".join("".join(self._header).split()))
            self._header = None

    def handle_data(self, data: str) -> None:
        if self._header is not None:
            self._header.append(data)


def test_scenario_inputs_show_amounts_at_their_scale_and_read_them_back_at_it(web):
    parser = _Inputs()
    parser.feed(web.clients["viewer"].get("/scenario").text)
    fields = parser.fields
    # The exchange rate as it is written: 25.000, not 25000.
    rates = [value for name, value in fields.items() if name.endswith(".exchange_rate")]
    assert rates and all(re.fullmatch(r"\d{1,3}(\.\d{3})+", rate) for rate in rates), rates
    # GRDP at the scale its value reads at, named beside it.
    assert any(h.startswith("GRDP (giá hiện hành) (nghìn tỷ đồng)") for h in parser.headers)
    assert fields["scale.base.grdp"] == repr(1e12)
    # A smaller economy is shown in tỷ đồng, and the number typed there is read in tỷ.
    fields["base.grdp"], fields["scale.base.grdp"] = "850", repr(1e9)
    scenario = scenario_from_form(fields)
    assert scenario.base.grdp == pytest.approx(850e9)
    assert read_number(fields[next(n for n in fields if n.endswith(".exchange_rate"))]) >= 1000


def test_a_forged_scale_is_not_taken():
    # Only the scales the page offers: a posted 1e30 falls back to the field's own.
    grdp = next(field for field in base_inputs() if field.name == "base.grdp")
    assert _factor({"scale.base.grdp": "1e30"}, grdp) == grdp.factor
    assert _factor({"scale.base.grdp": repr(1e9)}, grdp) == 1e9


def _tables(sections: list[Section]) -> list[Table]:
    found = []
    for section in sections:
        found += [block for block in section.blocks if isinstance(block, Table)]
        found += _tables(section.sections)
    return found


def test_the_reports_rows_give_target_and_figure_at_one_scale(loaded_sqlite):
    with transaction(loaded_sqlite) as session:
        report = build_report(session, as_of=date(2025, 12, 31))
    rows = [
        row for table in _tables(report.sections) for row in table.rows if "đồng" in row[3].text
    ]
    assert rows, "the report has targets in đồng"
    for row in rows:
        target, latest = row[3].text, row[4].text
        assert not RAW_DONG.search(target + latest), (target, latest)
        unit = re.search(r"(nghìn tỷ|tỷ|triệu) đồng", target)
        assert unit is not None and (latest == "—" or unit.group(0) in latest), (target, latest)
