"""The scenario page and its API: the example's assumptions in, a path and odds out.

Expected numbers are worked out here from the assumptions themselves (the
example file, the form's fields), never taken from the code under test.
"""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from chitieu import transaction
from chitieu.plan.service import list_plans
from chitieu.scenario.page import read_number
from tests.conftest import BACKENDS
from tests.webkit import page_csrf

EXAMPLE = (
    Path(__file__).resolve().parents[1] / "src/chitieu/scenario/examples/bac_giang_2025_2030.yaml"
)
SECTORS = ("agriculture", "industry_construction", "services", "product_taxes")


def example() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


class FormFields(HTMLParser):
    """The named inputs, selects and textareas of a page, with their values."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name = found.get("name")
        if tag == "input" and name and name != "csrf_token":
            self.fields[name] = found.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.fields[name] = ""
        elif tag == "option" and self._select and "selected" in found:
            self.fields[self._select] = found.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        if tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def form_of(html: str) -> dict[str, str]:
    parser = FormFields()
    parser.feed(html)
    return parser.fields


def cell(html: str, table: str, year: int, field: str) -> float:
    """The raw number behind a cell of the path (or structure) table."""
    body = html[html.index(f'id="{table}"') :]
    row = body[body.index(f'<tr data-year="{year}"') :]
    row = row[: row.index("</tr>")]
    found = re.search(rf'data-field="{field}" data-value="([^"]*)"', row)
    assert found, f"{table} has no {field} for {year}"
    return float(found.group(1))


def cell_text(html: str, table: str, year: int, field: str) -> str:
    body = html[html.index(f'id="{table}"') :]
    row = body[body.index(f'<tr data-year="{year}"') :]
    found = re.search(rf'data-field="{field}"[^>]*>([^<]*)<', row)
    assert found
    return found.group(1)


def path_by_hand(data: dict) -> dict[int, dict[str, float]]:
    """GRDP, growth and shares year by year, worked out from the assumptions."""
    volumes = {s: float(data["base"]["shares"][s]) for s in SECTORS}
    grdp = float(data["base"]["grdp"])
    out = {data["start_year"]: {"grdp": grdp, "growth": math.nan}}
    for year in sorted(data["years"]):
        item = data["years"][year]
        total = sum(volumes.values())
        growth = sum(volumes[s] / total * item["growth"][s] for s in SECTORS)
        volumes = {s: volumes[s] * (1 + item["growth"][s] / 100) for s in SECTORS}
        grdp = grdp * (1 + growth / 100) * (1 + item.get("deflator", 0) / 100)
        shares = {s: v / sum(volumes.values()) * 100 for s, v in volumes.items()}
        out[int(year)] = {"grdp": grdp, "growth": growth, **shares}
    return out


def vi_number(value: float, digits: int) -> str:
    """1234.56 → '1.234,6' (grouped thousands, decimal comma, trailing zeros dropped)."""
    text = f"{value:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "§").replace(".", ",").replace("§", ".")


def run(client, fields: dict[str, str], csrf: str, *, htmx: bool = False, source: str = "table"):
    headers = {"HX-Request": "true", "X-CSRF-Token": csrf} if htmx else {}
    data = {**fields, "csrf_token": csrf, "source": source, "runs": "200"}
    return client.post("/scenario", data=data, headers=headers)


# --- the page -------------------------------------------------------------------------


def test_the_page_shows_the_example_assumptions_and_the_path_they_give(web):
    page = web.clients["viewer"].get("/scenario")
    assert page.status_code == 200
    html = page.text
    data = example()
    fields = form_of(html)
    assert fields["start_year"] == str(data["start_year"])
    # The form shows GRDP in nghìn tỷ đồng, with a decimal comma.
    assert read(fields["base.grdp"]) * 1e12 == pytest.approx(data["base"]["grdp"])
    assert read(fields["base.population"]) * 1e3 == pytest.approx(data["base"]["population"])
    for year, item in data["years"].items():
        for sector in SECTORS:
            shown = fields[f"years.{year}.growth.{sector}"]
            assert read(shown) == pytest.approx(item["growth"][sector]), (year, sector)
        assert read(fields[f"years.{year}.exchange_rate"]) == item["exchange_rate"]
        icor = fields[f"years.{year}.icor"]
        assert (read(icor) if icor else None) == item.get("icor")
    assert "17,5" in fields.values()
    # The YAML box holds the example file itself.
    assert yaml.safe_load(fields["yaml"]) == data
    expected = path_by_hand(data)
    for year, row in expected.items():
        assert cell(html, "scenario-path", year, "grdp") == pytest.approx(row["grdp"], rel=1e-9)
        assert cell_text(html, "scenario-path", year, "grdp") == vi_number(row["grdp"] / 1e12, 1)
    for sector in SECTORS:
        assert cell(html, "scenario-structure", 2030, sector) == pytest.approx(
            expected[2030][sector], rel=1e-9
        )
    for chart in ("chart-grdp", "chart-structure", "chart-per-capita"):
        assert re.search(rf'<figure class="chart" id="{chart}"><svg', html), chart
    assert 'class="chart fan"' in html


def read(text: str, lang: str = "vi") -> float:
    """A number as the form shows it (25.000, 13,5), read as the app reads it back."""
    return read_number(text, lang)


def test_changing_one_growth_rate_changes_the_grdp_path_accordingly(web):
    client = web.clients["planner"]
    html = client.get("/scenario").text
    fields = form_of(html)
    fields["years.2025.growth.industry_construction"] = "20"
    data = example()
    data["years"][2025]["growth"]["industry_construction"] = 20.0
    expected = path_by_hand(data)
    before = path_by_hand(example())
    assert expected[2025]["grdp"] > before[2025]["grdp"]

    page = run(client, fields, page_csrf(html))
    assert page.status_code == 200, page.text[-500:]
    for year in (2025, 2026, 2030):
        assert cell(page.text, "scenario-path", year, "grdp") == pytest.approx(
            expected[year]["grdp"], rel=1e-9
        )
        assert cell(page.text, "scenario-path", year, "growth") == pytest.approx(
            expected[year]["growth"], rel=1e-9
        )
    assert cell_text(page.text, "scenario-path", 2025, "grdp") == vi_number(
        expected[2025]["grdp"] / 1e12, 1
    )
    # Without JavaScript the whole page comes back, with the new rate kept in the form.
    assert form_of(page.text)["years.2025.growth.industry_construction"] == "20"
    assert "<html" in page.text


def test_htmx_gets_the_results_block_and_the_yaml_brought_up_to_date(web):
    client = web.clients["viewer"]
    html = client.get("/scenario").text
    fields = form_of(html)
    fields["years.2027.growth.services"] = "12,5"
    block = run(client, fields, page_csrf(html), htmx=True)
    assert block.status_code == 200
    assert "<html" not in block.text and 'id="scenario-results"' in block.text
    # The YAML box is swapped in out of band with the table's assumptions.
    assert 'id="scenario-yaml-text"' in block.text and 'hx-swap-oob="true"' in block.text
    refreshed = yaml.safe_load(form_of(block.text)["yaml"])
    assert refreshed["years"][2027]["growth"]["services"] == 12.5
    data = example()
    data["years"][2027]["growth"]["services"] = 12.5
    assert cell(block.text, "scenario-path", 2027, "grdp") == pytest.approx(
        path_by_hand(data)[2027]["grdp"], rel=1e-9
    )


def test_in_english_the_form_uses_decimal_points(web):
    client = web.clients["viewer"]
    html = client.get("/scenario?lang=en").text
    assert "Run the scenario" in html
    fields = form_of(html)
    assert fields["years.2025.growth.industry_construction"] == "17.5"
    assert fields["base.grdp"] == "209.15"
    fields["years.2025.growth.services"] = "9.25"
    page = run(client, fields, page_csrf(html))
    assert page.status_code == 200
    data = example()
    data["years"][2025]["growth"]["services"] = 9.25
    assert cell(page.text, "scenario-path", 2025, "growth") == pytest.approx(
        path_by_hand(data)[2025]["growth"], rel=1e-9
    )


def test_a_rate_as_text_is_refused_with_a_clear_message_and_the_form_kept(web):
    client = web.clients["viewer"]
    html = client.get("/scenario").text
    fields = form_of(html)
    fields["years.2026.growth.services"] = "bảy phẩy năm"
    page = run(client, fields, page_csrf(html))
    assert page.status_code == 422
    message = re.search(r'class="error" role="alert">([^<]*)<', page.text).group(1)
    assert "năm 2026" in message and "không phải là số" in message
    assert "bảy phẩy năm" in message
    assert form_of(page.text)["years.2026.growth.services"] == "bảy phẩy năm"
    assert 'id="scenario-path"' not in page.text
    # htmx swaps the message in too (the page lets 422 through).
    block = run(client, fields, page_csrf(html), htmx=True)
    assert block.status_code == 422 and "không phải là số" in block.text
    assert '"code":"422","swap":true' in html


def test_a_missing_year_is_refused_from_the_table_and_from_yaml(web):
    client = web.clients["viewer"]
    html = client.get("/scenario").text
    csrf = page_csrf(html)
    fields = {k: v for k, v in form_of(html).items() if not k.startswith("years.2027.")}
    page = run(client, fields, csrf)
    assert page.status_code == 422
    assert "thiếu 2027" in page.text
    data = example()
    del data["years"][2028]
    fields = form_of(html)
    fields["yaml"] = yaml.safe_dump(data, allow_unicode=True)
    page = run(client, fields, csrf, source="yaml")
    assert page.status_code == 422 and "thiếu 2028" in page.text
    fields["yaml"] = "years: [oops"
    assert run(client, fields, csrf, source="yaml").status_code == 422
    fields["runs"] = "nhiều"
    page = client.post("/scenario", data={**fields, "csrf_token": csrf, "source": "table"})
    assert page.status_code == 422 and "số lần mô phỏng" in page.text


def test_running_the_yaml_fills_the_table_with_its_assumptions(web):
    client = web.clients["agency_editor"]
    html = client.get("/scenario").text
    data = example()
    data["years"][2025]["growth"]["agriculture"] = 4.0
    fields = form_of(html)
    fields["yaml"] = yaml.safe_dump(data, allow_unicode=True)
    page = run(client, fields, page_csrf(html), source="yaml")
    assert page.status_code == 200
    assert form_of(page.text)["years.2025.growth.agriculture"] == "4"
    assert cell(page.text, "scenario-path", 2025, "grdp") == pytest.approx(
        path_by_hand(data)[2025]["grdp"], rel=1e-9
    )


def test_targets_are_marked_met_or_missed_by_the_path_and_carry_their_odds(web):
    html = web.clients["viewer"].get("/scenario?plan=qd-249-2019").text
    table = html[html.index('id="scenario-targets"') :]
    rows = re.findall(
        r'<tr data-target="qd-249-2019\|3\|(\d{4})"[^>]*>(.*?)</tr>', table, flags=re.S
    )
    per_capita = {int(year): row for year, row in rows}
    assert set(per_capita) == {2025, 2030}
    # Decision 249's per-capita targets: 6 500 USD in 2025 and 10 500 USD in 2030.
    for year, target in ((2025, 6500), (2030, 10500)):
        row = per_capita[year]
        value = float(re.search(r'data-value="([^"]+)"', row).group(1))
        path_value = cell(html, "scenario-path", year, "per_capita_usd")
        assert value == pytest.approx(path_value)
        met = re.search(r'data-met="(\w*)"', row).group(1)
        assert met == ("true" if value >= target else "false")
        probability = re.search(r'data-probability="([^"]*)"', row).group(1)
        assert 0 <= float(probability) <= 1
    # Per capita = GRDP / population / exchange rate, from the path's own columns.
    grdp = cell(html, "scenario-path", 2030, "grdp")
    people = cell(html, "scenario-path", 2030, "population")
    rate = cell(html, "scenario-path", 2030, "exchange_rate")
    assert cell(html, "scenario-path", 2030, "per_capita_usd") == pytest.approx(
        grdp / people / rate
    )


def test_who_may_run_scenarios(web):
    anonymous = web.anonymous()
    response = anonymous.get("/scenario", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    client = web.clients["viewer"]
    fields = form_of(client.get("/scenario").text)
    refused = client.post("/scenario", data={**fields, "source": "table"})
    assert refused.status_code == 403 and "CSRF" in refused.text
    assert web.clients["viewer"].get("/scenario?plan=no-such-plan").status_code == 404


# --- the API --------------------------------------------------------------------------


def bearer(web, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {web.tokens[role]}"}


def example_json() -> dict:
    data = example()
    data["years"] = {str(year): item for year, item in data["years"].items()}
    return data


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_api_gives_the_example_and_runs_it(web):
    client = web.anonymous()
    got = client.get("/api/v1/scenarios/example", headers=bearer(web, "viewer"))
    assert got.status_code == 200
    body = got.json()
    assert body["start_year"] == 2024 and body["base"]["grdp"] == 209150000000000
    assert body["years"]["2026"]["growth"] == example()["years"][2026]["growth"]
    # What GET gives, POST takes back.
    ran = client.post("/api/v1/scenarios/run", json=body, headers=bearer(web, "viewer"))
    assert ran.status_code == 200, ran.text
    result = ran.json()
    expected = path_by_hand(example())
    assert [row["year"] for row in result["path"]] == list(range(2024, 2031))
    for row in result["path"]:
        assert row["grdp"] == pytest.approx(expected[row["year"]]["grdp"], rel=1e-9)
        assert row["per_capita_usd"] == pytest.approx(
            row["grdp"] / row["population"] / row["exchange_rate"]
        )
        assert sum(row["shares"].values()) == pytest.approx(100)
    checks = {(t["plan"], t["row"], t["period"]): t for t in result["targets"]}
    per_capita = checks[("qd-249-2019", "3", "2030")]
    assert per_capita["met"] is (per_capita["value"] >= 10500)
    assert per_capita["value"] == pytest.approx(result["path"][-1]["per_capita_usd"])


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_api_refuses_a_boolean_or_text_where_a_number_belongs(web):
    client = web.anonymous()
    headers = bearer(web, "planner")
    for bad in (True, "7.5", None):
        body = example_json()
        body["years"]["2026"]["growth"]["services"] = bad
        response = client.post("/api/v1/scenarios/run", json=body, headers=headers)
        assert response.status_code == 422, bad
        locs = [error["loc"] for error in response.json()["detail"]]
        assert ["body", "years", "2026", "growth", "services"] in locs
    body = example_json()
    del body["years"]["2027"]
    response = client.post("/api/v1/scenarios/run", json=body, headers=headers)
    assert response.status_code == 422 and "thiếu 2027" in response.json()["detail"]
    body = example_json()
    body["base"]["shares"]["services"] = 50.0
    response = client.post("/api/v1/scenarios/run", json=body, headers=headers)
    assert response.status_code == 422 and "100%" in response.json()["detail"]
    body = example_json()
    body["years"]["2026"]["growth"]["services"] = 1e308
    response = client.post("/api/v1/scenarios/run", json=body, headers=headers)
    assert response.status_code == 422
    response = client.post(
        "/api/v1/scenarios/run?plan=no-such-plan", json=example_json(), headers=headers
    )
    assert response.status_code == 404


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_odds_are_reproducible_with_the_same_seed(web):
    client = web.anonymous()
    headers = bearer(web, "viewer")
    ask = {"plan": "qd-249-2019", "as_of": "2025-06-30", "runs": 500, "seed": 7}
    first = client.post("/api/v1/scenarios/odds", json=ask, headers=headers)
    again = client.post("/api/v1/scenarios/odds", json=ask, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json() == again.json()
    other = client.post("/api/v1/scenarios/odds", json={**ask, "seed": 8}, headers=headers)
    body, changed = first.json(), other.json()
    assert body["runs"] == 500 and body["seed"] == 7 and body["as_of"] == "2025-06-30"
    simulated = [t for t in body["targets"] if t["status"] == "simulated"]
    assert simulated, "no target could be simulated"
    for target in simulated:
        assert 0 <= target["probability"] <= 1
        quantiles = [target["outcome"][k] for k in ("p5", "p25", "p50", "p75", "p95")]
        assert quantiles == sorted(quantiles)
    assert [t["outcome"] for t in changed["targets"]] != [t["outcome"] for t in body["targets"]]
    assert {t["plan"] for t in body["targets"]} == {"qd-249-2019"}
    for bad in (
        {"runs": 50},
        {"runs": True},
        {"seed": -1},
        {"as_of": "2025-02-30"},
        {"as_of": "30/06/2025"},
        {"extra": 1},
    ):
        response = client.post("/api/v1/scenarios/odds", json=bad, headers=headers)
        assert response.status_code == 422, bad
    missing = client.post("/api/v1/scenarios/odds", json={"plan": "nope"}, headers=headers)
    assert missing.status_code == 404


def test_the_api_needs_a_signed_in_user(web):
    client = web.anonymous()
    assert client.get("/api/v1/scenarios/example").status_code == 401
    assert client.post("/api/v1/scenarios/run", json=example_json()).status_code == 401


def test_the_page_is_kept_for_everyone_with_their_own_token_and_redrawn_after_a_change(web):
    planner, viewer = web.clients["planner"], web.clients["viewer"]
    first = planner.get("/scenario")
    kept = viewer.get("/scenario")
    assert first.status_code == kept.status_code == 200
    assert len(web.app.state.page_cache) == 1
    assert 'data-role="viewer"' in kept.text and 'data-role="planner"' not in kept.text
    # Each person's form carries their own session's token, and posting it is accepted.
    assert page_csrf(first.text) != page_csrf(kept.text)
    assert run(viewer, form_of(kept.text), page_csrf(kept.text)).status_code == 200
    assert cell(kept.text, "scenario-path", 2030, "grdp") == cell(
        first.text, "scenario-path", 2030, "grdp"
    )

    with transaction(web.engine) as session:
        plan = list_plans(session)[0]
        plan.document_number = "999/QĐ-KỊCH-BẢN"
    redrawn = viewer.get("/scenario")
    assert "999/QĐ-KỊCH-BẢN" in redrawn.text and "999/QĐ-KỊCH-BẢN" not in kept.text
    assert len(web.app.state.page_cache) == 2
