"""The published figures of ../shared/data/published_figures_2018_2026.csv, read at test time,
against the embedded dataset: each is a figure of the loaded data, cited by its page's address,
date and words, and shown with them wherever a figure's source is shown."""

from __future__ import annotations

import csv
import html
import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu import EMBEDDED, parse_period, transaction
from chitieu._models import Observation, SourceDocument
from chitieu.indicator.page import observation_quote
from chitieu.observation.cli import observation_record
from chitieu.report.sources import Annex
from tests.conftest import BACKENDS, SHARED

PUBLISHED = SHARED / "data" / "published_figures_2018_2026.csv"
# The list's region names and the catalogue's codes (regions.csv, region_successions.csv).
REGIONS = {"bac_giang": "bac_giang", "bac_ninh_new": "bac_ninh", "bac_ninh_old": "bac_ninh_1997"}
# The catalogue keeps base units (docs/data-format.md): "tỷ đồng" is 10⁹ VND, and so on.
SCALES = {"tỷ": 1e9, "triệu": 1e6}
# Totals the catalogue computes from exports and imports (TRADE_VALUE is a formula), so a
# published total has no indicator to be stored under: the report of issue 14 names them.


def published_rows() -> list[dict[str, str]]:
    with PUBLISHED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def stored_rows() -> list[dict[str, str]]:
    """Every published figure, none left out (the trade total and surplus included)."""
    return published_rows()


def base_value(row: dict[str, str]) -> float:
    scale = SCALES.get(row["unit"].split(" ")[0], 1.0)
    return float(row["value"]) * scale


def period_code(text: str) -> str:
    years = re.fullmatch(r"(\d{4})-(\d{4})", text)
    return parse_period(f"{years[1]}/{years[2]}" if years else text).code


def issued(published: str) -> date | None:
    """The page's date when the list gives one exactly (``~`` marks an approximate date)."""
    return date.fromisoformat(published) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", published) else None


def web_figures(session: Session) -> list[Observation]:
    return list(
        session.scalars(
            select(Observation)
            .join(SourceDocument, Observation.source_document_id == SourceDocument.id)
            .where(SourceDocument.kind == "web", SourceDocument.url.is_not(None))
        )
    )


def matches(obs: Observation, row: dict[str, str]) -> bool:
    document = obs.source_document
    assert document is not None
    return (
        document.url == row["source_url"]
        and obs.region.code == REGIONS[row["region"]]
        and obs.period == period_code(row["period"])
        and obs.status == row["status"]
        and obs.value == pytest.approx(base_value(row), rel=1e-9)
    )


def find(observations: list[Observation], row: dict[str, str]) -> Observation:
    found = [obs for obs in observations if matches(obs, row)]
    assert found, f"not in the embedded data: {row}"
    return found[0]


def test_the_list_is_the_one_the_issue_describes():
    rows = published_rows()
    assert len(rows) == 153
    assert Counter(r["region"] for r in rows) == {
        "bac_giang": 98,
        "bac_ninh_new": 45,
        "bac_ninh_old": 10,
    }
    assert len({r["source_url"] for r in rows}) == 59


def test_every_published_figure_is_in_the_embedded_data_with_its_page(loaded_sqlite):
    with transaction(loaded_sqlite) as session:
        observations = web_figures(session)
        for row in stored_rows():
            obs = find(observations, row)
            document = obs.source_document
            assert document is not None and document.text is not None
            # The page's words are its text; the figure's span lies inside them.
            start = document.text.index(row["quote"])
            assert obs.span_start is not None and obs.span_end is not None
            assert start <= obs.span_start < obs.span_end <= start + len(row["quote"])
            assert re.search(r"\d", document.text[obs.span_start : obs.span_end])
            if issued(row["published"]):
                assert document.issued_on == issued(row["published"])
            elif row["published"]:
                # An approximate date ("~2023-11") is said in the title, unless the page's
                # address dates it (cafef's "(from URL)").
                assert "đăng" in document.title or document.issued_on is not None


def test_each_figure_is_stored_once_even_when_the_series_already_held_it(loaded_sqlite):
    with transaction(loaded_sqlite) as session:
        observations = web_figures(session)
        rows = stored_rows()
        # Distinct rows are distinct figures: none lost, none folded into another.
        assert len({find(observations, row).id for row in rows}) == len(rows)
        # A page gives one figure per indicator, place, period and kind: the figures of the
        # published series (observations_published.csv) that the list repeats are not doubled.
        by_page = Counter(
            (obs.source_document.url, obs.indicator_code, obs.region.code, obs.period, obs.status)
            for obs in observations
            if obs.source_document is not None
        )
        assert max(by_page.values()) == 1


def test_disagreements_are_kept_as_published(loaded_sqlite):
    with transaction(loaded_sqlite) as session:
        observations = web_figures(session)

        def values(code: str, region: str, period: str) -> set[float]:
            return {
                obs.value
                for obs in observations
                if (obs.indicator_code, obs.region.code, obs.period) == (code, region, period)
            }

        assert {13.87, 13.85} <= values("GRDP_GROWTH", "bac_giang", "2024")
        assert values("GRDP_PER_CAPITA_USD", "bac_giang", "2024") == {4400, 4370}
        assert values("GRDP_PER_CAPITA_USD", "bac_ninh", "2025") == {5852, 5810, 5600}
        assert values("GRDP_GROWTH", "bac_ninh", "2025-9M") == {10.7, 10.22}
        assert values("GRDP_GROWTH", "bac_giang", "2021") == {7.82}
        assert values("STATE_BUDGET_REVENUE", "bac_ninh_1997", "2021") == {32.44e12, 31.1e12}


def test_a_sample_of_values_in_base_units(loaded_sqlite):
    rows = {(r["indicator_text"], r["period"]): r for r in published_rows()}
    sample = {
        ("Tốc độ tăng GRDP 2021", "2021"): ("GRDP_GROWTH", 7.82, None),
        ("Quy mô GRDP 2018 (EN)", "2018"): ("GRDP_CURRENT", 88_260e9, None),
        ("Năng suất lao động xã hội 2023 (giá hiện hành)", "2023"): (
            "LABOUR_PRODUCTIVITY",
            182.6e6,
            None,
        ),
        ("FDI điều chỉnh tăng vốn tháng 1/2026", "2026-1M"): (
            "FDI_CAPITAL_ADDITIONAL",
            512.2e6,
            None,
        ),
        ("Thu nhập bình quân đầu người 2025", "2025"): ("INCOME_PER_CAPITA", 69.2e6, None),
        ("Tỷ lệ hộ cận nghèo 2024", "2024"): ("NEAR_POVERTY_RATE", 2.65, None),
        ("Tổng thu ngân sách nhà nước 2019 ('trên')", "2019"): (
            "STATE_BUDGET_REVENUE",
            12_000e9,
            "trên",
        ),
        ("Vốn đầu tư trong nước và FDI thu hút 2025 (quy đổi)", "2025"): (
            "INVESTMENT_ATTRACTED_USD",
            18.6e9,
            "khoảng",
        ),
        ("Quy mô dân số tỉnh Bắc Ninh (mới)", "2025"): ("POPULATION", 3_619_433, None),
    }
    with transaction(loaded_sqlite) as session:
        observations = web_figures(session)
        for key, (code, value, qualifier) in sample.items():
            obs = find(observations, rows[key])
            assert (obs.indicator_code, obs.value, obs.qualifier) == (code, value, qualifier)
            assert obs.unit == obs.indicator.unit


def test_each_figure_is_shown_with_its_address_and_words(loaded_sqlite):
    annex = Annex("vi")
    with transaction(loaded_sqlite) as session:
        observations = web_figures(session)
        for row in stored_rows():
            obs = find(observations, row)
            words = " ".join(row["quote"].split())
            record = observation_record(obs, set(), "vi")
            assert record["source_url"] == row["source_url"]
            shown = observation_quote(obs)
            assert shown is not None
            # The sentence shown is the page's words, the figure marked in it.
            assert shown.figure in words
            assert obs.source_document is not None and obs.source_document.text is not None
            page_words = " ".join(obs.source_document.text.split())
            assert (shown.before + shown.figure + shown.after).strip(" …") in page_words
            entry = annex.entries[annex.observation(obs) - 1]
            assert entry.origin.endswith(row["source_url"])
            assert entry.quote is not None and entry.quote.figure == shown.figure


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_web_figures_count_on_both_databases(loaded):
    expected = len(stored_rows())
    with transaction(loaded) as session:
        observations = web_figures(session)
        held = {find(observations, row).id for row in stored_rows()}
        assert len(held) == expected
        documents = session.scalars(
            select(SourceDocument).where(
                SourceDocument.url.in_({r["source_url"] for r in published_rows()})
            )
        ).all()
        assert len(documents) == 59
        assert all(d.kind == "web" and d.file_name is None and d.text for d in documents)


def catalogue_file(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader((EMBEDDED / name).read_text(encoding="utf-8").splitlines()))


def test_new_indicators_carry_names_units_and_agencies():
    catalogue = {r["code"]: r for r in catalogue_file("indicators.csv")}
    agencies = {(r["indicator"], r["agency"]) for r in catalogue_file("indicator_agencies.csv")}
    for code, unit in {
        "GRDP_SHARE_PRODUCT_TAX": "%",
        "GRDP_SHARE_MANUFACTURING": "%",
        "INCOME_PER_CAPITA": "VND/người",
        "NEAR_POVERTY_RATE": "%",
        "FDI_ATTRACTED_USD": "USD",
        "POPULATION": "người",
        "KEY_TARGETS_MET": "chỉ tiêu",
        "KEY_TARGETS_MISSED": "chỉ tiêu",
    }.items():
        row = catalogue[code]
        assert row["unit"] == unit and row["name_vi"] and row["name_en"]
        assert row["direction"] in {"higher", "lower", "none"}
    assert ("NEAR_POVERTY_RATE", "bn_so_y_te") in agencies
    assert ("FDI_ATTRACTED_USD", "bn_so_tai_chinh") in agencies


def test_the_indicator_page_links_each_figure_to_its_page(web):
    rows = [r for r in stored_rows() if r["region"] == "bac_ninh_new"]
    with transaction(web.engine) as session:
        observations = web_figures(session)
        figures = [(find(observations, row), row) for row in rows]
        shown = [(obs.id, obs.indicator_code, row["source_url"]) for obs, row in figures]
    pages: dict[str, str] = {}
    for obs_id, code, url in shown:
        if code not in pages:
            page = web.clients["viewer"].get(f"/indicators/{code}", params={"region": "bac_ninh"})
            assert page.status_code == 200
            pages[code] = page.text
        found = re.search(rf'<tr data-observation="{obs_id}".*?</tr>', pages[code], re.S)
        assert found, (obs_id, code)
        assert f'href="{html.escape(url)}"' in found.group(0)
        assert "<mark>" in found.group(0)


SERIES = SHARED / "data" / "bacgiang_published_series.csv"
SERIES_REGIONS = {
    "Bắc Giang": "bac_giang",
    "Bắc Ninh (before 1 July 2025)": "bac_ninh_1997",
    "Bắc Ninh (from 1 July 2025)": "bac_ninh",
}


def test_the_published_series_is_held_once_each(loaded_sqlite):
    with SERIES.open(encoding="utf-8", newline="") as handle:
        series = list(csv.DictReader(handle))
    assert len(series) == 31
    with transaction(loaded_sqlite) as session:
        observations = web_figures(session) + list(
            session.scalars(
                select(Observation)
                .join(SourceDocument, Observation.source_document_id == SourceDocument.id)
                .where(SourceDocument.kind == "web", SourceDocument.url.is_(None))
            )
        )
        for row in series:
            found = [
                obs
                for obs in observations
                if (obs.indicator_code, obs.region.code, obs.period, obs.value)
                == (
                    row["indicator"],
                    SERIES_REGIONS[row["region"]],
                    row["period"],
                    float(row["value"]),
                )
            ]
            assert found, row
            url = row["source"] if row["source"].startswith("http") else None
            sources = {obs.source_document.url for obs in found if obs.source_document}
            assert url is None or url in sources, (row, sources)
            # The list repeats some of these from the same page: one observation each.
            by_page = Counter(obs.source_document_id for obs in found)
            assert max(by_page.values()) == 1, row
            # 2019's 16,10 from bacgiangtv.vn: an October 2019 estimate, as the list of
            # published figures says (the series called it actual).
            if (row["indicator"], row["period"], row["value"]) != ("GRDP_GROWTH", "2019", "16.10"):
                assert row["status"] in {obs.status for obs in found}, row
