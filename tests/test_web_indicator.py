"""The indicator pages (catalogue, chart, figures with their sources) and their API."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from markupsafe import escape
from sqlalchemy import select

from chitieu import (
    Source,
    correct_observation,
    disagreements,
    get_indicator,
    get_region,
    list_indicators,
    list_observations,
    list_targets,
    parse_period,
    record_observation,
    transaction,
)
from chitieu._text import fold
from chitieu.chart._render import to_svg
from chitieu.document.models import SourceDocument
from chitieu.indicator.page import default_region, quote, yearly_points
from chitieu.observation.models import Observation
from chitieu.region.models import Region
from chitieu.scenario.forecast import MIN_YEARS
from tests.conftest import BACKENDS

OBSERVATION = re.compile(r'<tr data-observation="(\d+)"')


def figure_html(page: str) -> str:
    found = re.search(r'<figure class="chart" id="indicator-chart">(.*?)</figure>', page, re.S)
    assert found, "no chart figure"
    return found.group(1)


def row_html(page: str, observation_id: int) -> str:
    found = re.search(rf'<tr data-observation="{observation_id}".*?</tr>', page, re.S)
    assert found, observation_id
    return found.group(0)


# --- the sentence around a figure ---------------------------------------------------------


def test_quote_is_the_sentence_around_the_figure():
    text = "Mở đầu. Năm 2024, GRDP ước đạt 13,85%, dẫn đầu cả nước. Câu sau 1.234 tỷ."
    start = text.index("13,85%")
    found = quote(text, start, start + len("13,85%"))
    assert (found.before, found.figure, found.after) == (
        "Năm 2024, GRDP ước đạt ",
        "13,85%",
        ", dẫn đầu cả nước.",
    )
    # A dot between digits is a thousands separator, not the end of a sentence.
    start = text.index("1.234")
    assert quote(text, start, start + 5).before == "Câu sau "


def test_quote_of_a_table_row_is_the_row_and_long_sentences_are_cut():
    table = "STT\tChỉ tiêu\t2018\n1\tTăng trưởng GRDP\t%\t16\t12-13\n2\tCơ cấu\t%\t100"
    start = table.index("16\t")
    row = quote(table, start, start + 2)
    assert row.plain() == "1 Tăng trưởng GRDP % «16» 12-13"
    words = " ".join(f"từ{i}" for i in range(200))
    text = f"{words} đạt 9,5% {words}"
    start = text.index("9,5%")
    cut = quote(text, start, start + 4, reach=50)
    assert cut.before.startswith("…") and cut.after.endswith("…")
    assert len(cut.before) < 60 and len(cut.after) < 60


# --- pages ---------------------------------------------------------------------------------


def test_indicator_page_draws_the_series_targets_and_forecast(web):
    client = web.clients["viewer"]
    page = client.get("/indicators/GRDP_GROWTH")
    assert page.status_code == 200
    figure = figure_html(page.text)
    assert "<svg" in figure
    # The page inlines exactly the chart the API hands out.
    spec = client.get("/api/v1/indicators/GRDP_GROWTH/chart", params={"region": "bac_giang"})
    assert spec.status_code == 200
    assert to_svg(spec.json(), lang="vi").strip() in page.text
    layers = {layer["name"]: layer["data"]["values"] for layer in spec.json()["layer"]}
    with transaction(web.engine) as session:
        indicator = get_indicator(session, code_or_name="GRDP_GROWTH")
        region = get_region(session, code_or_name="bac_giang")
        targets = [
            (t.minimum, t.maximum, parse_period(t.period))
            for t in list_targets(session, indicator=indicator, region=region)
        ]
        points = yearly_points(session, indicator=indicator, region=region, as_of=date.today())
    drawn = layers.get("targets", []) + layers.get("target_values", [])
    for low, high, period in targets:
        assert any(
            row["y"] == low
            and row["y2"] == high
            and row["x"] < period.start.year <= period.end.year < row["x2"]
            for row in drawn
        ), (low, high, period.code)
    assert [(row["year"], row["value"]) for row in layers["series"]] == [
        (p.year, p.value) for p in points
    ]
    assert len(points) >= MIN_YEARS and layers["forecast"][0]["year"] == points[-1].year
    assert 'id="forecast"' in page.text


def test_a_short_series_has_no_forecast(web):
    # Labour productivity: two years (2020, 2023). GRDP per capita, once this test's example,
    # now has 2018-2024 from the published figures.
    with transaction(web.engine) as session:
        indicator = get_indicator(session, code_or_name="LABOUR_PRODUCTIVITY")
        region = get_region(session, code_or_name="bac_giang")
        points = yearly_points(session, indicator=indicator, region=region, as_of=date.today())
    assert 0 < len(points) < MIN_YEARS
    spec = web.clients["viewer"].get("/api/v1/indicators/LABOUR_PRODUCTIVITY/chart").json()
    names = [layer["name"] for layer in spec["layer"]]
    assert "series" in names and "forecast" not in names


def test_observations_table_lists_every_figure_with_its_source_sentence(web):
    page = web.clients["viewer"].get("/indicators/GRDP_GROWTH", params={"region": "bac_giang"})
    with transaction(web.engine) as session:
        indicator = get_indicator(session, code_or_name="GRDP_GROWTH")
        region = get_region(session, code_or_name="bac_giang")
        current = list_observations(session, indicator=indicator, region=region)
        disputed = disagreements(current)
        quoted = [
            (
                obs.id,
                obs.source_document.title,
                obs.source_document.text,
                obs.span_start,
                obs.span_end,
            )
            for obs in current
            if obs.source_document is not None
            and obs.source_document.text
            and obs.span_start is not None
        ]
    shown = {int(found) for found in OBSERVATION.findall(page.text)}
    assert shown == {obs.id for obs in current}
    assert quoted, "no document-sourced figure with a span"
    for obs_id, title, text, start, end in quoted:
        row = row_html(page.text, obs_id)
        assert str(escape(title)) in row
        marked = re.search(r"<mark>(.*?)</mark>", row)
        assert marked and html.unescape(marked.group(1)) == " ".join(text[start:end].split())
        # The words just before the figure are quoted too.
        before = " ".join(text[max(0, start - 12) : start].split()).split(" ")[-1]
        assert str(escape(before)) in row.split("<mark>")[0]
    assert disputed, "the dataset has disagreeing GRDP growth figures"
    for obs_id in disputed:
        assert 'data-disputed="true"' in row_html(page.text, obs_id)
    assert 'id="conflicts"' in page.text


def test_document_text_and_notes_are_escaped(web):
    hostile = 'Tăng trưởng <script>alert("x")</script> đạt 15,5% năm 2026 <b>thật</b>.'
    start = hostile.index("15,5%")
    with transaction(web.engine) as session:
        document = SourceDocument(
            key="tin-doc-hai", title="Tin <img src=x onerror=alert(1)>", kind="news", text=hostile
        )
        session.add(document)
        session.flush()
        observation, written = record_observation(
            session,
            indicator=get_indicator(session, code_or_name="GRDP_GROWTH"),
            region=get_region(session, code_or_name="bac_giang"),
            period=parse_period("2026"),
            value=15.5,
            status="estimate",
            source=Source(kind="document", document=document, span=(start, start + 5)),
            recorded_by="tests",
            note="<script>alert('note')</script>",
        )
        assert written
        obs_id = observation.id
    page = web.clients["viewer"].get("/indicators/GRDP_GROWTH", params={"region": "bac_giang"})
    row = row_html(page.text, obs_id)
    assert "<script>" not in page.text.split("<main>")[1].split("</main>")[0]
    assert "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in row
    assert "&lt;script&gt;alert(&#39;note&#39;)&lt;/script&gt;" in row
    # A formatting tag of the page the text came from is no markup to show: its words are.
    assert "<mark>15,5%</mark>" in row and "thật." in row and "&lt;b&gt;" not in row
    api = web.clients["viewer"].get("/api/v1/indicators/GRDP_GROWTH/observations").json()
    assert next(o for o in api if o["id"] == obs_id)["quote"].startswith("Tăng trưởng <script>")


def test_a_corrected_figure_shows_its_earlier_revision(web):
    with transaction(web.engine) as session:
        indicator = get_indicator(session, code_or_name="GRDP_GROWTH")
        first = list_observations(session, indicator=indicator, period="2022")[0]
        newer = correct_observation(
            session, observation=first, value=19.25, recorded_by="planner", note="số chính thức"
        )
        old_id, new_id = first.id, newer.id
    page = web.clients["viewer"].get("/indicators/GRDP_GROWTH").text
    old = row_html(page, old_id)
    assert 'data-superseded="true"' in old and "19,3" in old
    new = row_html(page, new_id)
    assert "19,25" in new and "planner" in new and "flag revised" in new
    assert page.index(f'data-observation="{new_id}"') < page.index(f'data-observation="{old_id}"')
    history = (
        web.clients["viewer"]
        .get("/api/v1/indicators/GRDP_GROWTH/observations", params={"history": "true"})
        .json()
    )
    by_id = {item["id"]: item for item in history}
    assert by_id[old_id]["current"] is False and by_id[new_id]["supersedes"] == old_id
    current = web.clients["viewer"].get("/api/v1/indicators/GRDP_GROWTH/observations").json()
    assert old_id not in {item["id"] for item in current}


def test_targets_on_the_indicator_page(web):
    page = web.clients["viewer"].get("/indicators/GRDP_GROWTH").text
    with transaction(web.engine) as session:
        indicator = get_indicator(session, code_or_name="GRDP_GROWTH")
        # The page is for the region the series is mostly reported for, and shows its targets:
        # Bắc Giang's, not the new Bắc Ninh's (those have their own page, ?region=bac_ninh).
        shown = default_region(session, indicator=indicator)
        assert shown.code == "bac_giang"
        ids = [t.id for t in list_targets(session, indicator=indicator, region=shown)]
    table = re.search(r'<table id="indicator-targets"[^>]*>.*?</table>', page, re.S).group(0)
    assert [int(i) for i in re.findall(r'data-target="(\d+)"', table)] == ids
    assert "249/QĐ-UBND" in table and "12–13%" in table


def test_english_indicator_page(web):
    page = web.clients["viewer"].get("/indicators/GRDP_GROWTH", params={"lang": "en"}).text
    assert "GRDP growth rate" in page and "Figures and their sources" in page
    assert ">Year</text>" in figure_html(page)
    assert "13.87" in page


def test_derived_indicator_page_shows_computed_values(web):
    page = web.clients["viewer"].get("/indicators/POVERTY_REDUCTION")
    assert page.status_code == 200
    assert "<svg" in figure_html(page.text)
    # The formula read out in the indicators' names, not in their codes.
    said = "Tỷ lệ hộ nghèo (chuẩn đa chiều) (năm trước) − Tỷ lệ hộ nghèo (chuẩn đa chiều)"
    assert said in page.text and "prev(POVERTY_RATE)" not in page.text


def test_catalogue_lists_and_searches_indicators(web):
    client = web.clients["viewer"]
    page = client.get("/indicators").text
    with transaction(web.engine) as session:
        every = [(i.code, i.name_vi, i.name_en) for i in list_indicators(session)]
    shown = re.findall(r'<tr data-indicator="([A-Z0-9_]+)"', page)
    assert sorted(shown) == sorted(code for code, _vi, _en in every)
    found = client.get("/indicators", params={"q": "tăng trưởng"}).text
    matching = {
        code for code, vi, en in every if "tang truong" in fold(vi) or "tang truong" in fold(en)
    }
    assert set(re.findall(r'<tr data-indicator="([A-Z0-9_]+)"', found)) == matching
    assert matching and len(matching) < len(every)
    none = client.get("/indicators", params={"q": "không có chỉ tiêu này"}).text
    assert "<tr data-indicator" not in none
    partial = client.get(
        "/indicators", params={"q": "tăng trưởng"}, headers={"HX-Request": "true"}
    ).text
    assert partial.lstrip().startswith('<div id="indicator-list">') and "<html" not in partial
    assert set(re.findall(r'<tr data-indicator="([A-Z0-9_]+)"', partial)) == matching


def test_unknown_indicator_and_region_are_404(web):
    client = web.clients["viewer"]
    assert client.get("/indicators/NO_SUCH_THING").status_code == 404
    assert client.get("/indicators/GRDP_GROWTH", params={"region": "atlantis"}).status_code == 404
    assert client.get("/indicators/NO_SUCH_THING/chart.svg").status_code == 404


def test_chart_svg(web):
    response = web.clients["viewer"].get("/indicators/GRDP_GROWTH/chart.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.lstrip().startswith("<svg")
    assert (
        web.anonymous().get("/indicators/GRDP_GROWTH/chart.svg", follow_redirects=False).status_code
        == 303
    )


# --- API, on both databases ---------------------------------------------------------------


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_indicators_api(web):
    client = web.clients["viewer"]
    with transaction(web.engine) as session:
        codes = [i.code for i in list_indicators(session)]
        society = [i.code for i in list_indicators(session, group="society")]
        indicator = get_indicator(session, code_or_name="GRDP_GROWTH")
        target_ids = [t.id for t in list_targets(session, indicator=indicator)]
    assert [i["code"] for i in client.get("/api/v1/indicators").json()] == codes
    assert [
        i["code"] for i in client.get("/api/v1/indicators", params={"group": "society"}).json()
    ] == society
    assert client.get("/api/v1/indicators", params={"group": "sports"}).status_code == 422
    one = client.get("/api/v1/indicators/GRDP_GROWTH").json()
    assert one["unit"] == "%" and [t["id"] for t in one["targets"]] == target_ids
    assert one["regions"][0] == "bac_giang"
    assert client.get("/api/v1/indicators/NOPE").status_code == 404
    assert client.get("/api/v1/indicators").status_code == 200
    assert web.anonymous().get("/api/v1/indicators").status_code == 401


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_observations_and_chart_api(web):
    headers = {"Authorization": f"Bearer {web.tokens['agency_editor']}"}
    client = web.anonymous()
    response = client.get(
        "/api/v1/indicators/GRDP_GROWTH/observations",
        params={"region": "bac_giang"},
        headers=headers,
    )
    assert response.status_code == 200
    with transaction(web.engine) as session:
        indicator = get_indicator(session, code_or_name="GRDP_GROWTH")
        region = get_region(session, code_or_name="bac_giang")
        stored = list_observations(session, indicator=indicator, region=region)
        expected = [(o.id, o.period, o.value, o.status) for o in stored]
        disputed = disagreements(stored)
        every = session.scalars(
            select(Observation.id).where(Observation.indicator_code == "GRDP_GROWTH")
        ).all()
    body = response.json()
    assert [(o["id"], o["period"], o["value"], o["status"]) for o in body] == expected
    assert {o["id"] for o in body if o["disputed"]} == disputed
    assert all(o["region"] == "bac_giang" for o in body)
    with_span = [o for o in body if o["span"]]
    assert with_span and all("«" in o["quote"] for o in with_span)
    everywhere = client.get("/api/v1/indicators/GRDP_GROWTH/observations", headers=headers)
    assert {o["id"] for o in everywhere.json()} == set(every)
    assert (
        client.get(
            "/api/v1/indicators/GRDP_GROWTH/observations",
            params={"region": "atlantis"},
            headers=headers,
        ).status_code
        == 404
    )
    vi = client.get("/api/v1/indicators/GRDP_GROWTH/chart", headers=headers).json()
    en = client.get(
        "/api/v1/indicators/GRDP_GROWTH/chart", params={"lang": "en"}, headers=headers
    ).json()
    assert vi["layer"][0]["encoding"]["x"]["title"] == "Năm"
    assert en["layer"][0]["encoding"]["x"]["title"] == "Year"
    assert (
        client.get(
            "/api/v1/indicators/GRDP_GROWTH/chart", params={"lang": "fr"}, headers=headers
        ).status_code
        == 422
    )
    assert client.get("/api/v1/indicators/NOPE/chart", headers=headers).status_code == 404


def test_a_note_is_shown_in_the_page_language(web):
    # The 2019 growth figures each name the other source's figure in their note.
    with transaction(web.engine) as session:
        noted = session.scalars(
            select(Observation).where(
                Observation.indicator_code == "GRDP_GROWTH",
                Observation.period == "2019",
                Observation.note_en.is_not(None),
            )
        ).first()
        assert noted is not None and noted.note and noted.note_en
        vietnamese, english = noted.note, noted.note_en
    client = web.clients["viewer"]
    params = {"region": "bac_giang"}
    page_en = client.get("/indicators/GRDP_GROWTH", params={**params, "lang": "en"}).text
    page_vi = client.get("/indicators/GRDP_GROWTH", params={**params, "lang": "vi"}).text
    assert str(escape(english)) in page_en and str(escape(vietnamese)) not in page_en
    assert str(escape(vietnamese)) in page_vi and str(escape(english)) not in page_vi


def test_a_definition_is_shown_in_the_page_language(web):
    client = web.clients["viewer"]
    english = client.get("/indicators/TRADE_BALANCE", params={"lang": "en"}).text
    vietnamese = client.get("/indicators/TRADE_BALANCE", params={"lang": "vi"}).text
    assert "a trade surplus is positive" in english and "xuất siêu mang dấu" not in english
    assert "xuất siêu mang dấu dương" in vietnamese


# --- finding another region ---------------------------------------------------------------

REGION_LINK = re.compile(r'<a href="/indicators/GRDP_GROWTH\?region=([^"]+)">([^<]+)</a>')


def test_the_default_region_is_the_one_with_most_figures_for_every_indicator(web):
    with transaction(web.engine) as session:
        for indicator in list_indicators(session):
            counts: dict[int, int] = {}
            for obs in list_observations(session, indicator=indicator, history=True):
                counts[obs.region_id] = counts.get(obs.region_id, 0) + 1
            for target in list_targets(session, indicator=indicator):
                counts.setdefault(target.region_id, 0)
            if not counts:
                continue
            busiest = min(counts, key=lambda region_id: (-counts[region_id], region_id))
            assert default_region(session, indicator=indicator).id == busiest, indicator.code


def test_a_region_is_found_by_its_name_typed_without_diacritics(web):
    client = web.clients["viewer"]
    detail = client.get("/indicators/GRDP_GROWTH").text
    # A plain GET form: it works without JavaScript, its field labelled.
    form = re.search(r'<form[^>]*id="region-search".*?</form>', detail, re.S).group(0)
    assert 'method="get" action="/indicators/GRDP_GROWTH/regions"' in form
    assert '<label for="region-q">Tìm địa bàn khác</label>' in form and 'name="q"' in form
    assert "<select" not in detail.split('id="indicator-chart"')[0]

    found = client.get("/indicators/GRDP_GROWTH/regions", params={"q": "bac ninh"})
    assert found.status_code == 200 and "<html" in found.text
    links = dict(REGION_LINK.findall(found.text))
    assert links["bac_ninh"] == "Bắc Ninh" and "bac_giang" not in links
    assert 'value="bac ninh"' in found.text
    # Two places of one name are told apart by their tier in words, never by a code.
    results = found.text.split('id="region-results"')[1]
    assert "(tỉnh, thành phố)" in results and "<code>" not in results
    assert not re.search(r">[^<]*\bbac_ninh\b[^<]*<", results)
    assert dict(
        REGION_LINK.findall(
            client.get("/indicators/GRDP_GROWTH/regions", params={"q": "BẮC GIANG"}).text
        )
    ) == {"bac_giang": "Bắc Giang"}
    chosen = client.get("/indicators/GRDP_GROWTH", params={"region": "bac_ninh"}).text
    assert 'data-region="bac_ninh"' in chosen

    # As one types, htmx gets the results alone.
    typed = client.get(
        "/indicators/GRDP_GROWTH/regions", params={"q": "bac"}, headers={"HX-Request": "true"}
    ).text
    assert typed.lstrip().startswith('<div id="region-results"') and "<html" not in typed
    assert {"bac_ninh", "bac_giang"} <= dict(REGION_LINK.findall(typed)).keys()

    english = client.get("/indicators/GRDP_GROWTH/regions", params={"q": "bac", "lang": "en"})
    assert '<label for="region-q">Find another region</label>' in english.text
    assert "(province or city)" in english.text and "tỉnh" not in english.text
    nothing = client.get(
        "/indicators/GRDP_GROWTH/regions", params={"q": "atlantis", "lang": "vi"}
    ).text
    assert "Không có địa bàn nào có tên chứa «atlantis»." in nothing


def test_a_region_without_the_indicators_figures_is_named_not_offered(web):
    with transaction(web.engine) as session:
        indicator = get_indicator(session, code_or_name="GRDP_GROWTH")
        every_figure = list_observations(session, indicator=indicator, history=True)
        having = {o.region_id for o in every_figure}
        having |= {t.region_id for t in list_targets(session, indicator=indicator)}
        every = session.scalars(select(Region).order_by(Region.id)).all()
        bare = next(r for r in every if r.id not in having)
        wanted = fold(bare.name)
        alike = [r for r in every if wanted in fold(r.name) or wanted in fold(r.name_en or "")]
        code, name = bare.code, bare.name
    page = web.clients["viewer"].get("/indicators/GRDP_GROWTH/regions", params={"q": name}).text
    offered = dict(REGION_LINK.findall(page))
    assert code not in offered
    assert set(offered) == {r.code for r in alike if r.id in having}
    missing = sum(1 for r in alike if r.id not in having)
    assert f"chưa có số liệu hay mục tiêu của chỉ tiêu này: {missing}." in page
