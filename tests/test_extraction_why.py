"""Why a figure reads as it does: each attribute's deciding cue and its confidence.

The sentences are written here, varied the way reports of other provinces word
the same things; the cues must name the words that decided, and the confidence
must follow the documented scheme (clause > carried > inherited > default).
"""

from __future__ import annotations

import json

import pytest

from chitieu.extraction.grammar import extract_document, extract_figures
from chitieu.extraction.records import (
    CARRIED,
    DEFAULT,
    IN_CLAUSE,
    INHERITED,
    DocumentContext,
    Figure,
)
from tests.conftest import CORPUS
from tests.test_cli import chitieu


def _figures(text: str, region: str | None = None) -> list[Figure]:
    return extract_figures(text, DocumentContext(name="t.txt", region=region))


def _cue(figure: Figure, attribute: str) -> tuple[str, float]:
    (cue,) = [c for c in figure.why if c.attribute == attribute]
    return cue.text, cue.confidence


def _one(text: str, value: float, region: str | None = None) -> Figure:
    (figure,) = [f for f in _figures(text, region) if f.value == value]
    return figure


def test_the_scheme_orders_the_kinds_of_cue():
    assert 1 >= IN_CLAUSE > CARRIED > INHERITED > DEFAULT > 0


BUDGET = "Thu ngân sách trên địa bàn đạt 2.150 tỷ đồng, bằng 61% dự toán."
MID_YEAR = "Báo cáo kinh tế - xã hội 6 tháng đầu năm 2023"


@pytest.mark.parametrize(
    ("title", "sentence", "period", "cue"),
    [
        # Only the title names a period: the cue is the title, inherited.
        (
            "Tình hình kinh tế - xã hội tháng 10 năm 2020",
            BUDGET,
            "2020-M10",
            "tiêu đề 'tháng 10 năm 2020'",
        ),
        ("BÁO CÁO KINH TẾ - XÃ HỘI 6 THÁNG ĐẦU NĂM 2021", BUDGET, "2021-H1", "tiêu đề"),
        (MID_YEAR, BUDGET, "2023-H1", "tiêu đề '6 tháng đầu năm 2023'"),
        (
            "Tình hình kinh tế - xã hội quý I năm 2022",
            BUDGET,
            "2022-Q1",
            "tiêu đề 'quý I năm 2022'",
        ),
        ("Kinh tế 9 tháng năm 2024 của tỉnh", BUDGET, "2024-9M", "tiêu đề '9 tháng năm 2024'"),
        # The clause names its own: the cue is the clause's words, surer than the title.
        (MID_YEAR, "Quý II, GRDP đạt 2.150 tỷ đồng.", "2023-Q2", "trong câu 'Quý II'"),
        (MID_YEAR, "Tính chung 5 tháng, thu đạt 2.150 tỷ đồng.", "2023-5M", "trong câu '5 tháng'"),
        (
            MID_YEAR,
            "Thu đạt 2.150 tỷ đồng trong 6 tháng đầu năm 2023.",
            "2023-H1",
            "ngay sau số liệu",
        ),
    ],
)
def test_a_period_is_explained_by_the_title_or_by_the_clause(title, sentence, period, cue):
    figure = _one(f"{title}\n\n{sentence}\n", 2.15e12)
    said, sure = _cue(figure, "period")
    assert figure.period == period
    assert said.startswith(f"kỳ: {cue}")
    assert sure == (INHERITED if cue.startswith("tiêu đề") else IN_CLAUSE)


def test_a_period_framing_the_paragraph_is_carried():
    text = (
        "Tin kinh tế\n\nTính chung 9 tháng năm 2024, sản xuất công nghiệp tiếp tục phục hồi. "
        "Kim ngạch xuất khẩu đạt 2.640 triệu USD.\n"
    )
    figure = _one(text, 2.64e9)
    cue, sure = _cue(figure, "period")
    assert figure.period == "2024-9M"
    assert cue == "kỳ: đoạn văn '9 tháng năm 2024'" and sure == CARRIED


@pytest.mark.parametrize(
    ("words", "status"),
    [
        ("ước đạt", "estimate"),
        ("ước tính đạt", "estimate"),
        ("dự kiến đạt", "estimate"),
        ("phấn đấu đạt", "target"),
    ],
)
def test_a_status_word_in_the_clause_decides_and_is_quoted(words, status):
    text = f"Năm 2023, kim ngạch xuất khẩu {words} 3.120 triệu USD.\n"
    figure = _one(text, 3.12e9)
    cue, sure = _cue(figure, "status")
    assert figure.status == status
    assert cue.startswith(f"trạng thái: '{words.split()[0]}") and sure == IN_CLAUSE


def test_done_is_quoted_as_what_made_a_figure_actual():
    figure = _one("Năm 2023, tỉnh đã thu hút 41 dự án đầu tư mới.\n", 41)
    assert figure.status == "actual"
    assert _cue(figure, "status") == ("trạng thái: 'đã'", IN_CLAUSE)


def test_without_a_cue_the_status_is_the_default_and_says_so():
    figure = _one("Năm 2022, kim ngạch xuất khẩu 2.870 triệu USD.\n", 2.87e9, region="Hà Nam")
    cue, sure = _cue(figure, "status")
    assert figure.status == "actual"
    assert "mặc định" in cue and sure == DEFAULT
    assert figure.confidence == DEFAULT


@pytest.mark.parametrize("month", [3, 6, 9, 11])
def test_a_month_end_report_explains_its_estimates_by_the_month(month):
    text = (
        f"Tình hình kinh tế - xã hội tháng {month} năm 2021\n\n"
        f"Tính chung {month} tháng, kim ngạch xuất khẩu đạt 1.230 triệu USD.\n"
    )
    figure = _one(text, 1.23e9)
    cue, sure = _cue(figure, "status")
    assert figure.status == "estimate"
    assert f"tháng {month}/2021" in cue and sure == INHERITED


def test_a_figure_right_after_another_carries_its_status_and_names_it():
    figure = _one("Năm 2023, GRDP ước đạt 152.000 tỷ đồng, tăng 7,3%.\n", 7.3)
    cue, sure = _cue(figure, "status")
    assert figure.status == "estimate"
    assert cue.startswith("trạng thái: như số liệu trước") and "'ước đạt'" in cue
    assert sure == CARRIED


@pytest.mark.parametrize(
    ("sentence", "phrase"),
    [
        ("Kim ngạch xuất khẩu đạt 640 triệu USD.", "Kim ngạch xuất khẩu đạt 640 triệu USD"),
        ("GRDP tăng 6,4%.", "GRDP tăng 6,4%"),
    ],
)
def test_the_indicator_cue_quotes_the_phrase_by_the_figure(sentence, phrase):
    figure = _one(f"Năm 2023, {sentence}\n", 640e6 if "USD" in sentence else 6.4)
    assert figure.indicator is not None
    assert _cue(figure, "indicator") == (f"chỉ tiêu: '{phrase}'", IN_CLAUSE)


def test_a_far_phrase_is_quoted_with_the_figure_it_names():
    text = (
        "Năm 2023, tổng sản phẩm trên địa bàn (GRDP) của toàn tỉnh theo giá hiện hành đạt 8,4%.\n"
    )
    figure = _one(text, 8.4)
    cue, _sure = _cue(figure, "indicator")
    assert " … 8,4%'" in cue


def test_points_contributed_name_their_unit_in_the_cue():
    text = "Quý III năm 2019, ngành công nghiệp tăng 9,1%, đóng góp 2,8 điểm phần trăm.\n"
    figure = _one(text, 2.8)
    cue, _sure = _cue(figure, "indicator")
    assert figure.unit == "điểm %"
    assert cue.startswith("chỉ tiêu: ") and "2,8 điểm phần trăm'" in cue


def test_no_indicator_is_the_least_certain():
    figure = _one("Năm 2023, toàn tỉnh có 12 nhà văn hóa mới.\n", 12)
    assert figure.indicator is None
    cue, sure = _cue(figure, "indicator")
    assert cue.startswith("chỉ tiêu: không") and sure < DEFAULT
    assert figure.confidence == sure


@pytest.mark.parametrize("other", ["Hà Tĩnh", "Thanh Hóa", "Quảng Bình"])
def test_a_province_the_clause_names_is_quoted_and_the_others_are_the_documents(other):
    text = (
        "Kinh tế tỉnh Nghệ An năm 2023\n\n"
        f"Năm 2023, kim ngạch xuất khẩu đạt 650 triệu USD; {other} đạt 400 triệu USD.\n"
    )
    mine, theirs = _one(text, 650e6), _one(text, 400e6)
    assert (mine.region, theirs.region) == ("Nghệ An", other)
    assert _cue(theirs, "region") == (f"địa bàn: '{other}'", IN_CLAUSE)
    cue, sure = _cue(mine, "region")
    assert cue.startswith("địa bàn: tỉnh của văn bản") and sure == INHERITED


def test_a_region_given_by_the_user_says_so():
    figure = _one("Năm 2023, kim ngạch xuất khẩu đạt 650 triệu USD.\n", 650e6, region="Gia Lai")
    assert _cue(figure, "region") == ("địa bàn: tỉnh của văn bản (cho trước)", INHERITED)


def test_the_document_model_reads_provinces_from_the_head_and_quotes_its_periods():
    text = (
        "UBND TỈNH HÀ NAM\nTình hình kinh tế - xã hội tháng 6 và 6 tháng đầu năm 2024\n\n"
        "Tính chung 6 tháng, GRDP tăng 7,1%.\n"
    )
    model, figures = extract_document(text, DocumentContext(name="t.txt"))
    assert model.provinces == ("Hà Nam",)
    assert model.kind == "statistics" and model.year == 2024
    assert set(model.periods) == {"2024-M06", "2024-H1"}
    assert model.period_cue("2024-H1") == "tiêu đề '6 tháng đầu năm 2024'"
    assert [f.value for f in figures] == [7.1]


def test_every_figure_of_the_corpus_is_explained_and_the_contract_record_is_unchanged():
    for path in sorted(CORPUS.glob("*.txt"))[:3]:
        text = path.read_text(encoding="utf-8")
        for figure in extract_figures(text, DocumentContext(name=path.name)):
            attributes = [cue.attribute for cue in figure.why]
            assert attributes == ["period", "status", "indicator", "region"], figure
            assert all(0 <= cue.confidence <= 1 and cue.text for cue in figure.why)
            assert figure.confidence == min(cue.confidence for cue in figure.why)
            assert "why" not in figure.record() and "confidence" not in figure.record()


# --- chitieu extract --explain -------------------------------------------------------------

REPORT = (
    "Tình hình kinh tế - xã hội tỉnh Trà Vinh tháng 9 và quý III năm 2019\n\n"
    "GRDP quý III ước tăng 7,2% so với cùng kỳ năm 2018. Tính chung 9 tháng, "
    "kim ngạch xuất khẩu đạt 430 triệu USD.\n"
)


def test_explain_adds_the_cues_to_jsonl_only_when_asked(tmp_path):
    path = tmp_path / "tra-vinh.txt"
    path.write_text(REPORT, encoding="utf-8")
    db = tmp_path / "never.db"
    plain = chitieu("extract", str(path), "--format", "jsonl", db=str(db))
    explained = chitieu("extract", str(path), "--format", "jsonl", "--explain", db=str(db))
    assert plain.returncode == 0 and explained.returncode == 0, explained.stderr
    records = [json.loads(line) for line in plain.stdout.splitlines()]
    extended = [json.loads(line) for line in explained.stdout.splitlines()]
    assert records and all("why" not in r for r in records)
    # The contract's fields are the same, with or without the explanation.
    assert [{k: r[k] for k in records[0]} for r in extended] == records
    first = extended[0]
    assert set(first["why"]) == {"period", "status", "indicator", "region"}
    assert first["why"]["status"] == {"cue": "trạng thái: 'ước tăng'", "confidence": IN_CLAUSE}
    assert first["confidence"] == min(c["confidence"] for c in first["why"].values())
    assert not db.exists()


def test_explain_prints_the_document_and_each_figures_cues(tmp_path):
    path = tmp_path / "tra-vinh.txt"
    path.write_text(REPORT, encoding="utf-8")
    result = chitieu("extract", str(path), "--explain", db=str(tmp_path / "never.db"))
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "Loại văn bản: báo cáo thống kê" in out and "Địa bàn: Trà Vinh" in out
    assert "Kỳ báo cáo: tháng 9/2019; quý III/2019" in out
    assert "«7,2»" in out and "(độ tin cậy 0,9)" in out
    assert "kỳ: trong câu 'quý III' (0,9)" in out
    assert "trạng thái: báo cáo thống kê tháng 9/2019 viết trước khi hết tháng (0,5)" in out
