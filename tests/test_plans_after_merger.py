"""The plans after the merger (../shared/data/plans_after_merger.csv, read at test time) in the
embedded dataset, each cited by its page, and Decision 249's 2030 targets beside the new
province's (``chitieu plans compare``, the continuity page)."""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu import EMBEDDED, RowsRejectedError, load_folder, transaction
from chitieu._models import Plan, SourceDocument, Target
from chitieu.plan.continuity import compare_plans
from chitieu.plan.service import get_plan
from chitieu.report.model import Table
from chitieu.report.service import build_report
from tests.conftest import BACKENDS, CORPUS, SHARED
from tests.test_cli import chitieu

PLANS = SHARED / "data" / "plans_after_merger.csv"
AS_OF = date(2026, 12, 5)
# The catalogue keeps base units (docs/data-format.md).
SCALES = {"tỷ đồng": 1e9, "tỷ USD": 1e9, "triệu lượt": 1e6}


def rows() -> list[dict[str, str]]:
    with PLANS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def web_targets(session: Session) -> list[Target]:
    return list(
        session.scalars(
            select(Target)
            .join(SourceDocument, Target.source_document_id == SourceDocument.id)
            .where(SourceDocument.kind == "web")
        )
    )


# "tài liệu web-plan-lecourrier, vị trí 90-178": a second source citing the same target.
ALSO_CITED = re.compile(r"tài liệu (\S+), vị trí (\d+)-(\d+)")


def citations(session: Session, target: Target) -> list[tuple[SourceDocument, int, int]]:
    """The target's own page and span, then those its footnote names as citing it too."""
    found = []
    if target.source_document is not None and target.span_start is not None:
        assert target.span_end is not None
        found.append((target.source_document, target.span_start, target.span_end))
    for key, start, end in ALSO_CITED.findall(target.footnote or ""):
        document = session.scalar(select(SourceDocument).where(SourceDocument.key == key))
        assert document is not None, f"the footnote names {key}, which is not stored"
        found.append((document, int(start), int(end)))
    return found


def find(session: Session, targets: list[Target], row: dict[str, str]) -> Target:
    """The stored target citing the row's page with the row's quoted words.

    A row that cross-checks another source's target is traced to that one target,
    whose footnote names the row's page and span.
    """
    found = []
    for target in targets:
        for document, start, end in citations(session, target):
            assert document.text is not None
            if document.url == row["source_url"] and document.text[start:end] == row["quote"]:
                found.append(target)
    assert len(found) == 1, f"{len(found)} stored targets for {row}"
    return found[0]


def english(text: str) -> list[str]:
    """The English editorial words in a label or footnote, or the words of a text of
    several words none of which has a Vietnamese letter ("State budget revenue")."""
    found = [word for word in ENGLISH if re.search(rf"\b{word}\b", text, re.IGNORECASE)]
    words = re.findall(r"[^\W\d_]{2,}", text)
    if not found and len(words) >= 3 and all(word.isascii() for word in words):
        found = words
    return found


ENGLISH = (
    "the",
    "rate",
    "by 2030",
    "cross-check",
    "excerpt",
    "only",
    "source",
    "total",
    "per",
    "growth",
    "standards?",
    "unclear",
    "may be",
    "French",
    "VNA",
    "truncated",
    "communes",
    "of",
    "and",
)


def base(text: str, unit: str) -> float | None:
    return float(text) * SCALES.get(unit, 1.0) if text else None


def test_the_list_is_the_one_the_issue_describes():
    listed = rows()
    assert len(listed) == 39
    assert len({r["plan"] for r in listed}) == 9
    assert len({r["source_url"] for r in listed}) == 13


def test_every_row_is_a_target_cited_by_its_page_and_quote(loaded_sqlite):
    listed = rows()
    with transaction(loaded_sqlite) as session:
        targets = web_targets(session)
        stored = [find(session, targets, row) for row in listed]
        # Two rows cite a target another row already gives: the Party Congress's growth
        # range (thanhnien.vn and lecourrier.vn) and the 2026 growth (cafef.vn and baomoi).
        assert len({t.id for t in stored}) == len(listed) - 2
        for target, row in zip(stored, listed, strict=True):
            assert not english(target.label_vi), target.label_vi
            if not english(row["indicator_text"]):
                assert target.label_vi == row["indicator_text"]
            assert target.minimum == pytest.approx(base(row["target_min"], row["unit"]))
            if row["bound"] == ">=":
                assert target.maximum is None
            else:
                assert target.maximum == pytest.approx(base(row["target_max"], row["unit"]))
            year = row["target_period"].split("-")[-1]
            assert target.period.endswith(year)
            context = "context" in row["plan"]
            assert target.region.code == ("bac_giang" if context else "bac_ninh")
        plans = Counter(t.plan.code for t in {t.id: t for t in stored}.values())
    assert plans["nq-dh-bn-2025"] == 3
    assert plans["kh-ktxh-bn-2026"] == 2
    assert plans["nq-hdnd-bn-2025"] == 8
    assert plans["dk-ktxh-bn-2026-2030"] == 11


def test_a_sample_of_values(loaded_sqlite):
    with transaction(loaded_sqlite) as session:
        resolution = get_plan(session, code_or_number="nq-dh-bn-2025")
        growth = next(t for t in resolution.targets if t.indicator_code == "GRDP_GROWTH")
        assert (growth.period, growth.measure, growth.minimum, growth.maximum) == (
            "2026/2030",
            "average_growth",
            11,
            12,
        )
        assert resolution.issued_on == date(2025, 9, 30)
        plan_2025 = get_plan(session, code_or_number="nq-hdnd-bn-2025")
        assert plan_2025.issued_on == date(2025, 7, 14)
        values = {t.indicator_code: (t.minimum, t.maximum) for t in plan_2025.targets}
        assert values["GRDP_GROWTH"] == (11.29, 11.29)
        assert values["GRDP_PER_CAPITA_USD"] == (5500, 5700)
        assert values["FDI_ATTRACTED_USD"] == (4.3e9, 4.3e9)
        assert values["SOCIAL_INVESTMENT"] == (151_650e9, 151_650e9)
        assert values["TOURISTS"] == (5.6e6, 5.6e6)
        plan_2026 = get_plan(session, code_or_number="kh-ktxh-bn-2026")
        assert {(t.period, t.minimum, t.maximum) for t in plan_2026.targets} >= {("2026", 12.5, 13)}


def test_a_bound_the_source_cut_short_is_kept_and_said(loaded_sqlite):
    with transaction(loaded_sqlite) as session:
        resolution = get_plan(session, code_or_number="nq-dh-bn-2025")
        per_capita = next(
            t for t in resolution.targets if t.indicator_code == "GRDP_PER_CAPITA_USD"
        )
        assert (per_capita.minimum, per_capita.maximum) == (8700, None)
        assert per_capita.footnote is not None and "cắt" in per_capita.footnote


def test_the_drafts_are_superseded_and_bac_giangs_plans_ceased(loaded_sqlite):
    with transaction(loaded_sqlite) as session:
        status = {p.code: p.status for p in session.scalars(select(Plan))}
    assert status["dk-ktxh-bn-2026-2030"] == "superseded"
    assert status["dt-bcct-bn-2025"] == "superseded"
    assert status["nq-dh-bn-2025"] == "in_force"
    assert status["nq-hdnd-bn-2025"] == "in_force"
    assert status["qd-249-2019"] == "ceased"
    assert status["qh-bg-2021-2030"] == "ceased"


def test_a_plan_status_outside_the_list_is_refused(tmp_path, engine):
    folder = tmp_path / "dataset"
    shutil.copytree(EMBEDDED, folder)
    plans = folder / "plans.csv"
    plans.write_text(
        plans.read_text(encoding="utf-8").replace(",superseded,", ",bản nháp,", 1),
        encoding="utf-8",
    )
    refused = pytest.raises(RowsRejectedError, match="tình trạng kế hoạch 'bản nháp'")
    with refused, transaction(engine) as session:
        load_folder(session, folder=folder)


def _row(result_rows: list[dict[str, object]], indicator: str) -> dict[str, object]:
    return next(r for r in result_rows if r["indicator"] == indicator)


def test_compare_puts_249s_2030_target_beside_the_successors(loaded_sqlite):
    with transaction(loaded_sqlite) as session:
        result = compare_plans(
            session, ceased=get_plan(session, code_or_number="249/QĐ-UBND"), as_of=AS_OF
        )
        records = [row.record() for row in result.rows]
        assert {p.code for p in result.successors} == {"nq-dh-bn-2025", "mt-hatang-bn-2026-2030"}
    per_capita = _row(records, "GRDP_PER_CAPITA_USD")
    assert [t["min"] for t in per_capita["ceased_targets"]] == [10500]  # type: ignore[union-attr]
    assert per_capita["ceased_shown"] == "10.500 USD/người (năm 2030)"
    assert per_capita["successor_shown"] == "≥ 8.700 USD/người (năm 2030)"
    assert per_capita["former_region"] == "bac_giang"
    assert per_capita["current_region"] == "bac_ninh"
    assert per_capita["current_period"] == "2025"
    growth = _row(records, "GRDP_GROWTH")
    assert growth["ceased_shown"] == "9–10% (giai đoạn 2026-2030)"
    assert growth["successor_shown"] == "11–12% (giai đoạn 2026-2030)"
    urban = _row(records, "URBANISATION_RATE")
    assert urban["successor_shown"] == "65% (năm 2030)"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_plans_compare_on_the_command_line(loaded):
    database_url = loaded.url.render_as_string(hide_password=False)
    as_of = ("--as-of", AS_OF.isoformat())
    result = chitieu(
        "plans", "compare", "--from", "249/QĐ-UBND", "--format", "json", *as_of, db=database_url
    )
    assert result.returncode == 0, result.stderr
    per_capita = _row(json.loads(result.stdout), "GRDP_PER_CAPITA_USD")
    assert per_capita["ceased_targets"][0]["min"] == 10500
    assert per_capita["successor_targets"][0]["min"] == 8700
    table = chitieu("plans", "compare", "--to", "nq-dh-bn-2025", *as_of, db=database_url)
    assert table.returncode == 0, table.stderr
    line = next(ln for ln in table.stdout.splitlines() if "GRDP bình quân đầu người" in ln)
    assert "10.500 USD/người" in line and "≥ 8.700 USD/người" in line
    listed = chitieu("plans", "--format", "json", db=database_url)
    assert {p["code"]: p["status"] for p in json.loads(listed.stdout)}["qd-249-2019"] == "ceased"
    bad = chitieu("plans", "compare", "--from", "khong-co", db=database_url)
    assert bad.returncode != 0
    assert bad.stderr.strip().splitlines() == ["Lỗi: không có kế hoạch 'khong-co'"]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_continuity_page_shows_both_promises_in_vietnamese_format(web):
    viewer = web.clients["viewer"]
    page = viewer.get("/plans/compare", params={"from": "249/QĐ-UBND", "as_of": "2026-12-05"})
    assert page.status_code == 200
    text = page.text
    start = text.index('<tr data-indicator="GRDP_PER_CAPITA_USD">')
    row = text[start : text.index("</tr>", start)]
    assert "10.500 USD/người (năm 2030)" in row
    assert "≥ 8.700 USD/người (năm 2030)" in row
    assert "5.600 USD/người (năm 2025)" in row
    # The successor target's footnote, in the page's language.
    assert "Nguồn bị cắt ở cận trên" in row
    english = viewer.get(
        "/plans/compare", params={"from": "249/QĐ-UBND", "as_of": "2026-12-05", "lang": "en"}
    ).text
    start = english.index('<tr data-indicator="GRDP_PER_CAPITA_USD">')
    row_en = english[start : english.index("</tr>", start)]
    assert "The source is cut off at the upper bound" in row_en
    assert "Nguồn bị cắt" not in row_en
    overview = viewer.get("/overview", params={"plan": "qd-249-2019"})
    assert overview.status_code == 200
    assert 'href="/plans/compare?from=qd-249-2019' in overview.text
    missing = viewer.get("/plans/compare", params={"from": "khong-co"})
    assert missing.status_code == 404


def test_the_data_format_names_the_plan_status():
    text = (Path(__file__).parents[1] / "docs" / "data-format.md").read_text(encoding="utf-8")
    assert "`in_force`, `superseded`" in text


def test_the_ceased_plans_report_ends_with_its_successors_targets(loaded_sqlite):
    with transaction(loaded_sqlite) as session:
        ceased = build_report(
            session, plan=get_plan(session, code_or_number="249/QĐ-UBND"), as_of=AS_OF
        )
        in_force = build_report(
            session, plan=get_plan(session, code_or_number="kh-ktxh-2024"), as_of=AS_OF
        )
    last = ceased.sections[-1]
    assert last.heading.startswith("VIII.")
    table = next(block for block in last.blocks if isinstance(block, Table))
    rows = {cells[0].text: [c.text for c in cells] for cells in table.rows}
    assert rows["GRDP bình quân đầu người"][1:3] == [
        "10.500 USD/người (năm 2030)",
        "≥ 8.700 USD/người (năm 2030)",
    ]
    assert not any(s.heading.startswith("VIII.") for s in in_force.sections)


def test_a_target_two_sources_cite_is_one_target_naming_both(loaded_sqlite):
    with transaction(loaded_sqlite) as session:
        for code, period in (("nq-dh-bn-2025", "2026/2030"), ("kh-ktxh-bn-2026", "2026")):
            plan = get_plan(session, code_or_number=code)
            growth = [
                t for t in plan.targets if t.indicator_code == "GRDP_GROWTH" and t.period == period
            ]
            assert len(growth) == 1, code
            cited = citations(session, growth[0])
            assert len({document.key for document, _, _ in cited}) == 2, growth[0].footnote
            for document, start, end in cited:
                assert document.text is not None and "12" in document.text[start:end]


def test_a_second_source_is_folded_even_in_a_copy_and_its_span_still_checked(tmp_path, engine):
    """The folding is a rule of the loader, not of two rows: a third citation of the
    2026 growth folds too, and a wrong span in a folded row is refused."""
    folder = tmp_path / "dataset"
    shutil.copytree(EMBEDDED, folder)
    path = folder / "targets_after_merger.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    first = next(r for r in table if r["plan"] == "kh-ktxh-bn-2026" and r["row"] == "1")
    third = {**first, "row": "9", "footnote": ""}
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=list(first)).writerow(third)
    with transaction(engine) as session:
        load_folder(session, folder=folder, documents=CORPUS)
        plan = get_plan(session, code_or_number="kh-ktxh-bn-2026")
        growth = [t for t in plan.targets if t.indicator_code == "GRDP_GROWTH"]
        assert len(growth) == 1
        assert growth[0].footnote is not None
        assert "Cùng chỉ tiêu theo nguồn khác: tài liệu web-plan-cafef, vị trí 0-88." in (
            growth[0].footnote
        )
    wrong = {**third, "row": "10", "start": "1", "end": "89"}
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=list(first)).writerow(wrong)
    refused = pytest.raises(RowsRejectedError, match="vị trí 1-89")
    with refused, transaction(engine) as session:
        load_folder(session, folder=folder, documents=CORPUS)


def test_no_target_label_or_footnote_is_english():
    """Labels and footnotes are shown as they are: Vietnamese, whatever the source's language."""
    found = []
    for path in sorted(EMBEDDED.glob("targets*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for column in ("label_vi", "footnote"):
                    if words := english(row[column]):
                        found.append(f"{path.name} {row['plan']} {row['row']} {column}: {words}")
    assert not found, "\n".join(found)
    assert english("Average GRDP growth rate 2026-2030") == ["rate", "growth"]
    assert english("GRDP per capita by 2030") == ["by 2030", "per"]
    assert english("State budget revenue, cumulative") == [
        "State",
        "budget",
        "revenue",
        "cumulative",
    ]
    assert not english("Tổng thu ngân sách nhà nước trên địa bàn (chỉ tiêu Trung ương giao)")
