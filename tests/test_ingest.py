"""Figures from documents: stored for review, accepted or rejected, and conflicts chosen.

Storage tests run on both databases with the embedded dataset loaded; the
command line is run as a separate process on an SQLite file, like test_cli.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chitieu import InputError, NotFoundError, get_indicator, get_region, transaction
from chitieu._models import ExtractedFigure, Observation, SourceDocument
from chitieu.extraction._indicators import states_value
from chitieu.extraction.conflicts import choice_history, choose, chosen_value, conflicts
from chitieu.extraction.service import (
    accept_figure,
    document_key,
    ingest_file,
    pending_figures,
    reject_figure,
)
from chitieu.observation.models import STATUSES
from tests.conftest import BACKENDS, CORPUS
from tests.test_cli import chitieu

CORPUS_FILES = sorted(CORPUS.glob("*.txt"))
CONTRACT_FIELDS = {
    "doc",
    "start",
    "end",
    "text",
    "value",
    "value_max",
    "unit",
    "period",
    "status",
    "measure",
    "indicator",
    "region",
    "rank_of",
    "qualifier",
}
NEW_REPORT = "Năm 2024, tốc độ tăng trưởng kinh tế (GRDP) của tỉnh ước đạt 12,9%.\n"
on_both = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


def _ingest_corpus(engine, region: str | None = "Bắc Giang") -> list:
    reports = []
    for path in CORPUS_FILES:
        with transaction(engine) as session:
            reports.append(ingest_file(session, path=path, recorded_by="test", region=region))
    return reports


def _growth_2024(session: Session):
    found = [
        c
        for c in conflicts(session)
        if (c.indicator, c.region, c.period, c.status)
        == ("GRDP_GROWTH", "bac_giang", "2024", "estimate")
    ]
    assert len(found) == 1
    return found[0]


def _observation(session: Session, document: str, value: float) -> Observation:
    return session.scalars(
        select(Observation)
        .join(Observation.source_document)
        .where(
            SourceDocument.key == document,
            Observation.indicator_code == "GRDP_GROWTH",
            Observation.period == "2024",
            Observation.value == value,
        )
    ).one()


def _acceptable(session: Session, figure: ExtractedFigure) -> bool:
    """A figure that can become an observation as read, and is not one already."""
    if figure.indicator is None or figure.indicator.formula or figure.period is None:
        return False
    indicator = figure.indicator
    if not states_value(figure.measure, code=indicator.code, name_vi=indicator.name_vi):
        return False
    if figure.status not in STATUSES or figure.value_max is not None:
        return False
    if figure.unit != figure.indicator.unit:
        return False
    already = session.scalar(
        select(func.count())
        .select_from(Observation)
        .where(
            Observation.source_document_id == figure.source_document_id,
            Observation.span_start == figure.span_start,
        )
    )
    return already == 0


@on_both
def test_ingesting_the_corpus_twice_adds_nothing_the_second_time(loaded):
    with transaction(loaded) as session:
        documents_before = session.scalar(select(func.count()).select_from(SourceDocument))
    first = _ingest_corpus(loaded)
    again = _ingest_corpus(loaded)
    # Figures the grammar misread past what a column holds are skipped, and said so.
    assert all(r.found > 0 and r.new + len(r.skipped) == r.found for r in first)
    # The corpus files are the dataset's documents (same bytes): they are reused.
    assert [r.document for r in first][:3] == ["hoi-thao-2025", "tin-2024-a", "tin-2024-b"]
    assert not any(report.document_new for report in first + again)
    assert [report.new for report in again] == [0] * len(CORPUS_FILES)
    assert [r.found for r in again] == [r.found for r in first]
    with transaction(loaded) as session:
        stored = session.scalar(select(func.count()).select_from(ExtractedFigure))
        documents = session.scalar(select(func.count()).select_from(SourceDocument))
        assert len(pending_figures(session)) == stored
        assert len(pending_figures(session, document="tin-2024-b")) == first[2].new
    assert stored == sum(report.new for report in first)
    assert documents == documents_before


@on_both
def test_the_2024_growth_conflict_quotes_both_documents(loaded, tmp_path):
    _ingest_corpus(loaded)
    with transaction(loaded) as session:
        conflict = _growth_2024(session)
        by_source = {m.source: m for m in conflict.members}
        # The figures ingested from tin-2024-a/b are the dataset's own observations.
        assert [m.source for m in conflict.members].count("tin-2024-a") == 1
        assert [m.source for m in conflict.members].count("tin-2024-b") == 1
        assert by_source["tin-2024-a"].value == 14.5
        assert by_source["tin-2024-b"].value == 13.85
        assert "«14,5" in by_source["tin-2024-a"].quote
        assert "«13,85" in by_source["tin-2024-b"].quote
        assert by_source["tin-2024-a"].source_title.startswith("Bắc Giang: tăng trưởng")
        assert conflict.choice is None and not any(m.chosen for m in conflict.members)
    # A new report with a third value: a pending figure joins the group before review.
    report = tmp_path / "Báo cáo nhanh.txt"
    report.write_text(NEW_REPORT, encoding="utf-8")
    with transaction(loaded) as session:
        ingest_file(session, path=report, recorded_by="test", region="Bắc Giang")
    with transaction(loaded) as session:
        pending = [m for m in _growth_2024(session).members if m.state == "pending"]
    assert [(m.value, m.observation_id) for m in pending] == [(12.9, None)]
    assert pending[0].source.startswith("bao-cao-nhanh-")
    assert "«12,9" in pending[0].quote


@on_both
def test_accepting_a_figure_records_an_observation_citing_its_span(loaded):
    _ingest_corpus(loaded)
    with transaction(loaded) as session:
        candidates = [f for f in pending_figures(session) if _acceptable(session, f)]
        assert len(candidates) >= 2
        figure, corrected = candidates[0], candidates[1]
        observation = accept_figure(
            session, figure_id=figure.id, recorded_by="reviewer", default_region="bac_giang"
        )
        assert (observation.source_kind, observation.source_document_id) == (
            "document",
            figure.source_document_id,
        )
        assert (observation.span_start, observation.span_end) == (
            figure.span_start,
            figure.span_end,
        )
        assert (observation.value, observation.period, observation.indicator_code) == (
            figure.value,
            figure.period,
            figure.indicator_code,
        )
        assert (figure.review_state, figure.reviewed_by) == ("accepted", "reviewer")
        assert figure.observation_id == observation.id and figure.reviewed_at is not None
        assert figure not in pending_figures(session)

        # Correcting is accepting with changed fields: the figure keeps what was read.
        read_as = corrected.value
        fixed = accept_figure(
            session,
            figure_id=corrected.id,
            recorded_by="reviewer",
            value=read_as + 1,
            region="bac_ninh_1997",
            note="đối chiếu bản giấy",
        )
        assert fixed.value == read_as + 1 and corrected.value == read_as
        assert fixed.region.code == "bac_ninh_1997" and corrected.region_name is not None
        assert fixed.note.startswith(f"sửa khi duyệt số liệu trích #{corrected.id}: giá trị ")
        assert f"địa bàn {corrected.region_name} → Bắc Ninh" in fixed.note
        assert fixed.note.endswith("; đối chiếu bản giấy")
        assert corrected.review_note == "đối chiếu bản giấy"

        with pytest.raises(InputError, match="đã được chấp nhận"):
            accept_figure(session, figure_id=figure.id, recorded_by="reviewer")
        target = next(f for f in pending_figures(session) if f.status == "target")
        with pytest.raises(InputError, match="target"):
            accept_figure(
                session, figure_id=target.id, recorded_by="reviewer", indicator="GRDP_GROWTH"
            )
        of_plan = next(
            f for f in pending_figures(session) if f.measure == "plan_pct" and f.indicator_code
        )
        with pytest.raises(InputError, match="plan_pct"):
            accept_figure(session, figure_id=of_plan.id, recorded_by="reviewer")
        unnamed = next(f for f in pending_figures(session) if f.indicator_code is None)
        with pytest.raises(InputError, match="chỉ tiêu"):
            accept_figure(session, figure_id=unnamed.id, recorded_by="reviewer")
        with pytest.raises(NotFoundError):
            accept_figure(session, figure_id=10**9, recorded_by="reviewer")


@on_both
def test_a_figure_without_a_region_needs_one_from_the_reviewer(loaded, tmp_path):
    # A text that names no province: the grammar cannot tell whose figure it is.
    path = tmp_path / "tin.txt"
    path.write_text("Năm 2024, tốc độ tăng trưởng GRDP đạt 7,5%.\n", encoding="utf-8")
    with transaction(loaded) as session:
        ingest_file(session, path=path, recorded_by="test", region=None)
    with transaction(loaded) as session:
        figure = next(f for f in pending_figures(session) if f.region_name is None)
        with pytest.raises(InputError, match="địa bàn"):
            accept_figure(session, figure_id=figure.id, recorded_by="reviewer")
        observation = accept_figure(
            session, figure_id=figure.id, recorded_by="reviewer", region="Bắc Giang"
        )
        assert observation.region.code == "bac_giang"


def test_an_index_of_the_same_period_is_stored_as_the_change_it_states(loaded, tmp_path):
    # "so với cùng kỳ (%)" in a statistics table: 106,2 is growth of 6,2 %.
    path = tmp_path / "bang.txt"
    lines = ["Tỉnh Bắc Giang", "Chỉ tiêu", "Đơn vị tính", "Ước tính tháng 9 năm 2024"]
    lines += ["Tháng 9 năm 2024 so với cùng kỳ (%)", "Chỉ số sản xuất công nghiệp", "%"]
    path.write_text("\n".join([*lines, "104,1", "106,2"]) + "\n", encoding="utf-8")
    with transaction(loaded) as session:
        ingest_file(session, path=path, recorded_by="test", region="Bắc Giang")
    with transaction(loaded) as session:
        index = next(f for f in pending_figures(session) if f.text == "106,2")
        assert (index.value, index.measure, index.indicator_code) == (
            pytest.approx(6.2),
            "change_pct",
            "IIP_GROWTH",
        )
        observation = accept_figure(session, figure_id=index.id, recorded_by="reviewer")
        assert float(observation.value) == pytest.approx(6.2)


@on_both
def test_a_rejected_figure_leaves_the_queue_with_its_reason(loaded):
    _ingest_corpus(loaded)
    with transaction(loaded) as session:
        figure = pending_figures(session, document="qd-249-2019")[0]
        with pytest.raises(InputError, match="lý do"):
            reject_figure(session, figure_id=figure.id, recorded_by="reviewer", reason=" ")
        reject_figure(session, figure_id=figure.id, recorded_by="reviewer", reason="số thứ tự mục")
        figure_id = figure.id
    with transaction(loaded) as session:
        stored = session.get(ExtractedFigure, figure_id)
        assert (stored.review_state, stored.review_note, stored.reviewed_by) == (
            "rejected",
            "số thứ tự mục",
            "reviewer",
        )
        assert stored.observation_id is None
        assert figure_id not in {f.id for f in pending_figures(session)}
        with pytest.raises(InputError, match="đã bị loại"):
            reject_figure(session, figure_id=figure_id, recorded_by="reviewer", reason="lại")


@on_both
def test_a_planners_choice_counts_and_earlier_choices_stay(loaded):
    _ingest_corpus(loaded)
    with transaction(loaded) as session:
        lower = _observation(session, "tin-2024-b", 13.85)
        higher = _observation(session, "tin-2024-a", 14.5)
        growth = get_indicator(session, code_or_name="GRDP_GROWTH")
        province = get_region(session, code_or_name="bac_giang")
        group = {"indicator": growth, "region": province, "period": "2024", "status": "estimate"}
        assert chosen_value(session, **group) is None
        choice = choose(
            session,
            observation_id=lower.id,
            chosen_by="planner",
            reason="Số ước của Cục Thống kê",
        )
        assert (choice.chosen_by, choice.reason) == ("planner", "Số ước của Cục Thống kê")
        assert choice.chosen_at is not None
        assert chosen_value(session, **group).id == lower.id
        chosen = [m for m in _growth_2024(session).members if m.chosen]
        assert [(m.observation_id, m.source) for m in chosen] == [(lower.id, "tin-2024-b")]
        with pytest.raises(InputError, match="lý do"):
            choose(session, observation_id=higher.id, chosen_by="planner", reason="")
        with pytest.raises(NotFoundError):
            choose(session, observation_id=10**9, chosen_by="planner", reason="x")
    with transaction(loaded) as session:
        choose(session, observation_id=higher.id, chosen_by="director", reason="Số của tỉnh")
    with transaction(loaded) as session:
        assert chosen_value(session, **group).id == higher.id
        history = choice_history(session, **group)
        assert [(c.observation_id, c.chosen_by) for c in history] == [
            (lower.id, "planner"),
            (higher.id, "director"),
        ]
        assert _growth_2024(session).choice.reason == "Số của tỉnh"


@on_both
def test_a_file_that_cannot_be_read_stores_nothing_and_the_others_are_kept(loaded, tmp_path):
    good = tmp_path / "Báo cáo nhanh.txt"
    good.write_text(NEW_REPORT, encoding="utf-8")
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 4)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.txt"
    with transaction(loaded) as session:
        documents_before = session.scalar(select(func.count()).select_from(SourceDocument))
    failed = []
    for path in (junk, CORPUS_FILES[1], missing, good, empty):
        try:
            with transaction(loaded) as session:
                ingest_file(session, path=path, recorded_by="test")
        except InputError as exc:
            failed.append((path, str(exc)))
    assert [path for path, _ in failed] == [junk, missing, empty]
    assert all("\n" not in message for _, message in failed)
    with transaction(loaded) as session:
        documents = list(session.scalars(select(SourceDocument)))
        new = [d for d in documents if d.kind == "txt"]
        assert len(documents) == documents_before + 1
        assert [(d.key, d.file_name, d.title) for d in new] == [
            (document_key(good.name, new[0].sha256), good.name, good.name)
        ]
        assert new[0].key.startswith("bao-cao-nhanh-") and new[0].text == NEW_REPORT
        figures = pending_figures(session)
        assert {f.source_document.key for f in figures} == {"tin-2024-a", new[0].key}
        read = next(f for f in figures if f.source_document_id == new[0].id)
        assert (read.value, read.unit, read.indicator_code, read.period, read.status) == (
            12.9,
            "%",
            "GRDP_GROWTH",
            "2024",
            "estimate",
        )
        assert read.extracted_by == "test"


# --- the command line --------------------------------------------------------------------


@pytest.fixture(scope="module")
def ingested_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    db = str(tmp_path_factory.mktemp("ingest") / "chitieu.db")
    loaded = chitieu("load", "--documents", str(CORPUS), db=db)
    assert loaded.returncode == 0, loaded.stderr
    result = chitieu(
        "ingest", *map(str, CORPUS_FILES), "--region", "Bắc Giang", "--by", "test", db=db
    )
    assert result.returncode == 0, result.stderr
    return db, result.stdout


def _review_json(db: str) -> dict:
    result = chitieu("review", "--format", "json", db=db)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_cli_ingest_then_review_shows_both_growth_figures(ingested_db):
    db, output = ingested_db
    lines = [line for line in output.splitlines() if not line.startswith("  ")]
    assert len(lines) == len(CORPUS_FILES)
    for path, line in zip(CORPUS_FILES, lines, strict=True):
        assert line.startswith(f"{path}: ") and "mới" in line
    again = chitieu("ingest", *map(str, CORPUS_FILES), "--region", "Bắc Giang", db=db)
    assert again.returncode == 0, again.stderr
    again_lines = [line for line in again.stdout.splitlines() if not line.startswith("  ")]
    assert len(again_lines) == len(CORPUS_FILES)
    assert all(", 0 mới" in line for line in again_lines)
    table = chitieu("review", db=db)
    assert table.returncode == 0, table.stderr
    for shown in ("14,5", "13,85", "tin-2024-a", "tin-2024-b", "Số liệu chờ duyệt", "Mâu thuẫn"):
        assert shown in table.stdout
    review = _review_json(db)
    growth = next(
        c
        for c in review["conflicts"]
        if (c["indicator"], c["region"], c["period"], c["status"])
        == ("GRDP_GROWTH", "bac_giang", "2024", "estimate")
    )
    quotes = {m["source"]: m["quote"] for m in growth["members"]}
    assert "«14,5%»" in quotes["tin-2024-a"] and "«13,85%»" in quotes["tin-2024-b"]
    assert review["pending"] and all("«" in p["quote"] for p in review["pending"])


def test_cli_review_shows_each_figures_cues_as_extract_explain_does(ingested_db):
    db, _ = ingested_db
    pending = _review_json(db)["pending"]
    assert pending and all(
        set(p["why"]) == {"period", "status", "indicator", "region"} for p in pending
    )
    for figure in pending:
        assert figure["confidence"] == min(cue["confidence"] for cue in figure["why"].values())
    growth = next(p for p in pending if p["value"] == 13.85)
    table = chitieu("review", db=db).stdout
    assert "Căn cứ" in table and "độ tin cậy" in table
    for cue in growth["why"].values():
        assert cue["cue"].split(":")[0] in table
    explained = chitieu("extract", str(CORPUS_FILES[2]), "--explain", db=db).stdout
    period = growth["why"]["period"]
    shown = f"{period['cue']} ({str(period['confidence']).replace('.', ',')})"
    assert shown in explained


def test_cli_extract_prints_the_contract_fields_without_a_database(tmp_path):
    db = tmp_path / "never.db"
    result = chitieu("extract", str(CORPUS_FILES[2]), "--format", "jsonl", db=str(db))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records and all(set(record) == CONTRACT_FIELDS for record in records)
    assert all(record["doc"] == CORPUS_FILES[2].name for record in records)
    assert any(r["value"] == 13.85 and r["indicator"] == "GRDP_GROWTH" for r in records)
    table = chitieu("extract", str(CORPUS_FILES[2]), db=str(db))
    assert table.returncode == 0, table.stderr
    assert "13,85" in table.stdout and "Chỉ tiêu" in table.stdout
    assert not db.exists()


def test_cli_ingest_reports_each_bad_file_on_one_line_and_keeps_the_good_one(ingested_db, tmp_path):
    db, _ = ingested_db
    good = tmp_path / "Báo cáo nhanh.txt"
    good.write_text(NEW_REPORT, encoding="utf-8")
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
    missing = tmp_path / "missing.txt"
    result = chitieu("ingest", str(missing), str(junk), str(good), db=db)
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert len(errors) == 2, result.stderr
    assert errors[0].startswith(f"Lỗi: {missing}: ")
    assert errors[1].startswith(f"Lỗi: {junk}: ")
    assert result.stdout.startswith(f"{good}: 1 số liệu, 1 mới")
    pending = _review_json(db)["pending"]
    assert [p["value"] for p in pending if p["document"].startswith("bao-cao-nhanh-")] == [12.9]


def test_cli_review_accepts_rejects_and_chooses(ingested_db):
    db, _ = ingested_db
    pending = _review_json(db)["pending"]
    growth = next(
        p for p in pending if p["document"] == "tin-2024-b" and p["indicator"] == "GRDP_GROWTH"
    )
    accepted = chitieu("review", "accept", str(growth["id"]), "--by", "reviewer", db=db)
    assert accepted.returncode == 0, accepted.stderr
    assert f"#{growth['id']}" in accepted.stdout and "13,85%" in accepted.stdout
    other = next(p for p in pending if p["document"] == "qd-249-2019")
    rejected = chitieu("review", "reject", str(other["id"]), "--reason", "số mục", db=db)
    assert rejected.returncode == 0, rejected.stderr
    again = chitieu("review", "reject", str(other["id"]), "--reason", "số mục", db=db)
    assert again.returncode == 1 and len(again.stderr.splitlines()) == 1
    target = next(p for p in pending if p["status"] == "target" and p["indicator"])
    refused = chitieu("review", "accept", str(target["id"]), db=db)
    assert refused.returncode == 1 and "target" in refused.stderr
    left = {p["id"] for p in _review_json(db)["pending"]}
    assert growth["id"] not in left and other["id"] not in left and target["id"] in left

    rows = json.loads(
        chitieu(
            "observations",
            "--indicator",
            "GRDP_GROWTH",
            "--period",
            "2024",
            "--format",
            "json",
            db=db,
        ).stdout
    )
    higher = next(r for r in rows if r["source"] == "tin-2024-a" and r["value"] == 14.5)
    chosen = chitieu("review", "choose", str(higher["id"]), "--reason", "Số của tỉnh", db=db)
    assert chosen.returncode == 0, chosen.stderr
    review = _review_json(db)
    growth_conflict = next(
        c
        for c in review["conflicts"]
        if (c["indicator"], c["period"], c["status"]) == ("GRDP_GROWTH", "2024", "estimate")
    )
    assert growth_conflict["chosen"]["observation_id"] == higher["id"]
    assert growth_conflict["chosen"]["reason"] == "Số của tỉnh"
    assert [m["source"] for m in growth_conflict["members"] if m["chosen"]] == ["tin-2024-a"]
    assert "Số của tỉnh" in chitieu("review", db=db).stdout


STATISTICS_REPORT = (
    "CỤC THỐNG KÊ TỈNH TRÀ VINH\n"
    "Tình hình kinh tế - xã hội tháng 9 và quý III năm 2019\n"
    "Trà Vinh, ngày 28 tháng 9 năm 2019\n\n"
    "Tổng sản phẩm trên địa bàn (GRDP) quý III tăng 7,2% so với cùng kỳ năm 2018. "
    "Tính chung 9 tháng, kim ngạch xuất khẩu đạt 430 triệu USD; "
    "Vĩnh Long đạt 390 triệu USD.\n"
)


@on_both
def test_ingesting_keeps_the_document_model_and_each_figures_cues(loaded, tmp_path):
    path = tmp_path / "tra-vinh-thang-9.txt"
    path.write_text(STATISTICS_REPORT, encoding="utf-8")
    with transaction(loaded) as session:
        report = ingest_file(session, path=path, recorded_by="test")
    with transaction(loaded) as session:
        document = session.scalars(
            select(SourceDocument).where(SourceDocument.key == report.document)
        ).one()
        assert str(document.read_on) == "2019-09-28" and document.read_year == 2019
        # The title's month and quarter, then the months to date its first paragraph reports.
        assert document.reporting_periods == ["2019-M09", "2019-Q3", "2019-9M"]
        assert document.read_kind == "statistics"
        assert document.provinces[0] == "Trà Vinh"
        figures = pending_figures(session, document=report.document)
        assert len(figures) == report.new == 3
        for figure in figures:
            assert list(figure.why or {}) == ["period", "status", "indicator", "region"]
            assert figure.confidence == min(c["confidence"] for c in (figure.why or {}).values())
        growth, exported, neighbour = figures
        assert growth.why["period"]["cue"] == "kỳ: trong câu 'quý III'"
        # A statistics office writes September's report before September ends.
        assert growth.status == "estimate"
        assert "tháng 9/2019" in growth.why["status"]["cue"]
        assert neighbour.region_name == "Vĩnh Long"
        assert neighbour.why["region"] == {"cue": "địa bàn: 'Vĩnh Long'", "confidence": 0.9}
        assert exported.why["region"]["cue"].startswith("địa bàn: tỉnh của văn bản")


def test_a_document_ingested_again_keeps_the_model_it_was_first_read_with(engine, tmp_path):
    path = tmp_path / "tin.txt"
    path.write_text("Tin kinh tế\n\nNăm 2023, Hà Nam thu hút 41 dự án đầu tư.\n", encoding="utf-8")
    with transaction(engine) as session:
        first = ingest_file(session, path=path, recorded_by="test")
        document = session.scalars(select(SourceDocument)).one()
        assert (document.read_kind, document.read_year) == ("news", 2023)
        document.read_kind = "report"
    with transaction(engine) as session:
        again = ingest_file(session, path=path, recorded_by="test")
        document = session.scalars(select(SourceDocument)).one()
        assert (again.document, again.new) == (first.document, 0)
        assert document.read_kind == "report"
