"""The validation rules: each rule on hand-computed figures, enforcing, the seeds, the CLI.

Expected numbers are worked out by hand in the comments, never computed by
the code under test. Figures go to Huyện Yên Thế, which the seeds leave
empty, so that only the test's own figures meet.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chitieu import transaction
from chitieu._errors import (
    InputError,
    NotFoundError,
    RowsRejectedError,
    ValidationBlockedError,
)
from chitieu._periods import parse_period
from chitieu.audit.models import AuditEntry
from chitieu.extraction.service import accept_figure, ingest_file, pending_figures
from chitieu.indicator.models import Indicator
from chitieu.observation.models import Observation
from chitieu.observation.service import Source, record_observation
from chitieu.region.models import Region
from chitieu.submission.service import import_submission
from chitieu.validation.models import ValidationFinding
from chitieu.validation.rules import load_rules, parse_rules
from chitieu.validation.series import modified_z_score, z_score
from chitieu.validation.service import (
    check_all,
    check_observation,
    check_values,
    dismiss_finding,
    enforce,
    explain_finding,
    open_findings,
)
from tests.conftest import BACKENDS, CORPUS
from tests.test_cli import chitieu

on_both = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
PLACE = "bg_yen_the"


def put(
    session: Session, code: str, period: str, value: float, status: str = "actual"
) -> Observation:
    """Record a figure (from a person, as the CLI would) and return it."""
    region = session.scalar(select(Region).where(Region.code == PLACE))
    indicator = session.get(Indicator, code)
    assert region is not None and indicator is not None
    row, _ = record_observation(
        session,
        indicator=indicator,
        region=region,
        period=parse_period(period),
        value=value,
        status=status,
        source=Source("manual"),
        recorded_by="kiểm thử",
    )
    return row


def messages(session: Session, observation: Observation, rule: str) -> list[str]:
    return [
        v.message_vi for v in check_observation(session, observation=observation) if v.rule == rule
    ]


# The rule book ------------------------------------------------------------------------------


def test_the_packaged_rule_book_loads_and_names_each_rule_once():
    book = load_rules()
    ids = [rule.id for rule in book.all_rules()]
    assert len(ids) == len(set(ids))
    assert {"rate_0_100", "grdp_structure", "grdp_growth_by_sector", "outlier"} <= set(ids)
    assert book.rule("rate_0_100").severity == "blocking"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (
            "bounds: [{id: x, severity: fatal, select: {}, min: 0, what_vi: a, what_en: a}]",
            "severity",
        ),
        ("bounds: [{id: x, severity: warning, select: {}, what_vi: a, what_en: a}]", "min, max"),
        (
            "bounds: [{id: x, severity: warning, select: {}, min: 5, max: 1, what_vi: a, what_en: a}]",
            "min lớn hơn max",
        ),
        (
            "outliers: [{id: a, severity: warning}]\nestimates: [{id: a, severity: warning, max_points: 1}]",
            "bị trùng",
        ),
        ("estimates: [{id: e, severity: warning, max_points: 1, max_relative: 0.1}]", "đúng một"),
        (
            "bounds: [{id: x, severity: warning, select: {}, min: true, what_vi: a, what_en: a}]",
            "bounds.0.min",
        ),
        ("- a list", "một bảng"),
        ("bounds: [", "YAML"),
    ],
)
def test_a_bad_rule_book_is_refused_naming_what_is_wrong(text, complaint):
    with pytest.raises(InputError, match=complaint):
        parse_rules(text)


def test_a_rule_book_file_is_read_from_its_path(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("outliers: [{id: only, severity: warning}]\n", encoding="utf-8")
    assert [rule.id for rule in load_rules(path).all_rules()] == ["only"]
    with pytest.raises(InputError, match="không đọc được"):
        load_rules(tmp_path / "missing.yaml")


# Bounds ---------------------------------------------------------------------------------------


def test_bounds_say_what_is_wrong_with_the_numbers(loaded):
    with transaction(loaded) as session:
        forest = put(session, "FOREST_COVER", "2015", 137.8)
        assert messages(session, forest, "rate_0_100") == [
            "Tỷ lệ che phủ rừng năm 2015: 137,8% nằm ngoài khoảng 0–100% của một tỷ lệ"
        ]
        english = check_observation(session, observation=forest)[0]
        assert english.message_en == (
            "Forest cover 2015: 137.8% is outside 0–100%, the range of a rate or share"
        )
        assert english.severity == "blocking" and english.kind == "bounds"
        assert messages(session, put(session, "FOREST_COVER", "2014", 99.5), "rate_0_100") == []
        jobs = put(session, "NEW_JOBS", "2015", -5)
        assert messages(session, jobs, "count_not_negative") == [
            "Số lao động được tạo việc làm mới năm 2015: -5 người nhỏ hơn 0, "
            "mức thấp nhất của một số đếm"
        ]
        half = put(session, "NEW_JOBS", "2014", 12.5)
        assert messages(session, half, "count_not_negative") == [
            "Số lao động được tạo việc làm mới năm 2014: 12,5 người không phải số nguyên, "
            "trong khi một số đếm phải là số nguyên"
        ]
        rank = put(session, "FDI_RANK", "2015", 0)
        assert len(messages(session, rank, "rank_from_1")) == 1
        # Growth may be negative, within reason.
        assert messages(session, put(session, "GRDP_GROWTH", "2012", -10), "growth_range") == []
        wild = put(session, "GRDP_GROWTH", "2013", 120)
        assert messages(session, wild, "growth_range") == [
            "Tốc độ tăng trưởng kinh tế (GRDP) theo giá so sánh năm 2013: 120% nằm ngoài "
            "khoảng -50–100% của một tốc độ tăng"
        ]


# Shares of a whole ----------------------------------------------------------------------------


def test_shares_that_do_not_add_up_to_100_are_reported_with_each_part(loaded):
    with transaction(loaded) as session:
        put(session, "GRDP_SHARE_AGRICULTURE", "2014", 12.1, "estimate")
        put(session, "GRDP_SHARE_INDUSTRY_CONSTRUCTION", "2014", 60.2, "estimate")
        # Two parts of three: nothing to add up yet.
        partial = put(session, "GRDP_SHARE_AGRICULTURE", "2013", 12.1, "estimate")
        assert messages(session, partial, "grdp_structure") == []
        services = put(session, "GRDP_SHARE_SERVICES", "2014", 25.1, "estimate")
        # 12,1 + 60,2 + 25,1 = 97,4: 2,6 points short, beyond the 1 allowed; no product
        # tax share is recorded, and the message says it may be the missing part.
        assert messages(session, services, "grdp_structure") == [
            "Cơ cấu GRDP năm 2014 (ước tính) cộng lại 97,4% (nông, lâm nghiệp và thủy sản 12,1 "
            "+ công nghiệp - xây dựng 60,2 + dịch vụ 25,1), lệch 2,6 điểm so với 100% "
            "(cho phép 1); chưa có số liệu thuế sản phẩm trừ trợ cấp, phần thiếu có thể là "
            "phần này"
        ]
        (violation,) = [
            v
            for v in check_observation(session, observation=services)
            if v.rule == "grdp_structure"
        ]
        # The finding is about the structure's first part, whichever part completed it.
        assert violation.indicator_code == "GRDP_SHARE_AGRICULTURE"
        assert violation.observation_id == services.id
        # An actual figure of another status is not added to estimates.
        other = put(session, "GRDP_SHARE_SERVICES", "2014", 27.2, "actual")
        assert messages(session, other, "grdp_structure") == []
        # 12,1 + 60,2 + 27,2 = 99,5: within 1 point.
        fixed = put(session, "GRDP_SHARE_SERVICES", "2014", 27.2, "estimate")
        assert messages(session, fixed, "grdp_structure") == []


def test_sub_shares_must_add_up_to_their_total_indicator(loaded):
    with transaction(loaded) as session:
        put(session, "GRDP_SHARE_INDUSTRY", "2014", 57.5)
        put(session, "GRDP_SHARE_CONSTRUCTION", "2014", 6.6)
        total = put(session, "GRDP_SHARE_INDUSTRY_CONSTRUCTION", "2014", 64.9)
        # 57,5 + 6,6 = 64,1, 0,8 below 64,9; 0,5 allowed.
        assert messages(session, total, "grdp_industry_construction") == [
            "Tỷ trọng công nghiệp và xây dựng năm 2014 (thực hiện) cộng lại 64,1% (công nghiệp "
            "57,5 + xây dựng 6,6), lệch 0,8 điểm so với công nghiệp - xây dựng 64,9% "
            "(cho phép 0,5)"
        ]


def test_labour_structure_is_checked_too(loaded):
    with transaction(loaded) as session:
        put(session, "LABOUR_SHARE_AGRICULTURE", "2014", 41.9)
        put(session, "LABOUR_SHARE_INDUSTRY_CONSTRUCTION", "2014", 38.1)
        last = put(session, "LABOUR_SHARE_SERVICES", "2014", 22.5)
        # 41,9 + 38,1 + 22,5 = 102,5: over, so no word about a missing part.
        (message,) = messages(session, last, "labour_structure")
        assert "cộng lại 102,5%" in message and "lệch 2,5 điểm" in message
        assert "phần thiếu" not in message


# Growth against its sectors ---------------------------------------------------------------------


def _sectors(session: Session, year: str, growth: tuple[float, float, float, float]) -> None:
    for code, value in zip(
        (
            "GRDP_GROWTH_AGRICULTURE",
            "GRDP_GROWTH_INDUSTRY_CONSTRUCTION",
            "GRDP_GROWTH_SERVICES",
            "GRDP_GROWTH_PRODUCT_TAX",
        ),
        growth,
        strict=True,
    ):
        put(session, code, year, value)


def test_growth_far_from_its_sectors_weighted_by_last_years_shares(loaded):
    with transaction(loaded) as session:
        # 2013 shares 20 + 50 + 25: product taxes are the remaining 5.
        put(session, "GRDP_SHARE_AGRICULTURE", "2013", 20)
        put(session, "GRDP_SHARE_INDUSTRY_CONSTRUCTION", "2013", 50)
        put(session, "GRDP_SHARE_SERVICES", "2013", 25)
        _sectors(session, "2014", (3, 10, 6, 4))
        # 3×20% + 10×50% + 6×25% + 4×5% = 0,6 + 5 + 1,5 + 0,2 = 7,3; 9 is 1,7 off.
        total = put(session, "GRDP_GROWTH", "2014", 9)
        assert messages(session, total, "grdp_growth_by_sector") == [
            "Tăng trưởng GRDP năm 2014 (thực hiện) là 9%, nhưng tốc độ tăng các ngành gia quyền "
            "theo cơ cấu năm 2013 cho 7,3% (nông, lâm nghiệp và thủy sản 3% × 20% + công nghiệp "
            "- xây dựng 10% × 50% + dịch vụ 6% × 25% + thuế sản phẩm 4% × 5% (phần còn lại)); "
            "lệch 1,7 điểm (cho phép 1)"
        ]
        # A sector's figure checks the same total: it is one of the inputs.
        services = put(session, "GRDP_GROWTH_SERVICES", "2014", 6)
        assert len(messages(session, services, "grdp_growth_by_sector")) == 1
        # 7,8 is 0,5 off: within the point allowed.
        assert (
            messages(session, put(session, "GRDP_GROWTH", "2014", 7.8), "grdp_growth_by_sector")
            == []
        )


def test_growth_is_not_checked_when_an_input_is_missing(loaded):
    with transaction(loaded) as session:
        put(session, "GRDP_SHARE_AGRICULTURE", "2013", 20)
        put(session, "GRDP_SHARE_INDUSTRY_CONSTRUCTION", "2013", 50)
        put(session, "GRDP_SHARE_SERVICES", "2013", 25)
        for code, value in (("GRDP_GROWTH_AGRICULTURE", 3), ("GRDP_GROWTH_SERVICES", 6)):
            put(session, code, "2014", value)
        total = put(session, "GRDP_GROWTH", "2014", 30)
        assert messages(session, total, "grdp_growth_by_sector") == []
        # No shares for 2014 at all: 2015 cannot be weighted.
        _sectors(session, "2015", (3, 10, 6, 4))
        assert (
            messages(session, put(session, "GRDP_GROWTH", "2015", 30), "grdp_growth_by_sector")
            == []
        )


# Outliers ------------------------------------------------------------------------------------------


def test_z_scores_on_a_textbook_case():
    # Others 10, 11, 9, 11: mean 10,25, sample sd √(2,75/3) = 0,9574; (159 − 10,25)/0,9574.
    assert z_score(159, [10, 11, 9, 11]) == pytest.approx(155.364, abs=1e-3)
    # Median 11, deviations 1, 0, 2, 0, 148: MAD 1; 0,6745 × 148 / 1.
    assert modified_z_score(159, [10, 11, 9, 11, 159]) == pytest.approx(99.826, abs=1e-3)
    # No spread among the others: z says nothing rather than "infinitely unusual".
    assert z_score(12, [10, 10, 10]) is None
    # MAD 0: the mean absolute deviation stands in (deviations 0, 0, 0, 0, 4: mean 0,8).
    assert modified_z_score(14, [10, 10, 10, 10, 14]) == pytest.approx(4 / (1.253314 * 0.8))


def test_a_jump_beyond_the_series_usual_changes_is_an_outlier(loaded):
    with transaction(loaded) as session:
        for year, value in zip(range(2010, 2015), (100, 110, 121, 130, 141), strict=True):
            put(session, "TOURISTS", str(year), value)
        steady = put(session, "TOURISTS", "2015", 152)
        assert messages(session, steady, "outlier") == []
        jump = put(session, "TOURISTS", "2015", 300, "estimate")
        # Changes 10, 11, 9, 11 then +159: z 155,36 and modified z 99,83 (see above).
        assert messages(session, jump, "outlier") == [
            "Tổng số lượt khách du lịch: từ năm 2014 (141 lượt) đến năm 2015 (300 lượt) thay đổi "
            "+159, bất thường so với 4 lần thay đổi khác qua từng năm của chuỗi (trung bình "
            "10,25): z = 155,36 (ngưỡng 3), z hiệu chỉnh = 99,83 (ngưỡng 3,5)"
        ]


def test_a_short_series_has_no_outliers(loaded):
    with transaction(loaded) as session:
        for year, value in zip(range(2011, 2014), (100, 110, 121), strict=True):
            put(session, "TOURISTS", str(year), value)
        # Four points, five needed.
        assert messages(session, put(session, "TOURISTS", "2014", 900), "outlier") == []


# Estimates against actuals -------------------------------------------------------------------------


def test_an_estimate_far_from_the_actual_is_reported_in_points_for_rates(loaded):
    with transaction(loaded) as session:
        put(session, "POVERTY_RATE", "2014", 3.0, "estimate")
        actual = put(session, "POVERTY_RATE", "2014", 1.5)
        assert messages(session, actual, "estimate_vs_actual_points") == [
            "Tỷ lệ hộ nghèo (chuẩn đa chiều) năm 2014: 3% (ước tính) lệch 1,5 điểm so với số "
            "thực hiện 1,5% (cho phép 1)"
        ]
        # Within a point: nothing.
        put(session, "POVERTY_RATE", "2013", 3.0, "estimate")
        assert (
            messages(
                session, put(session, "POVERTY_RATE", "2013", 2.2), "estimate_vs_actual_points"
            )
            == []
        )


def test_an_estimate_far_from_the_actual_is_reported_relatively_for_amounts(loaded):
    with transaction(loaded) as session:
        put(session, "EXPORT_VALUE", "2014", 1.0e9)
        # An estimate arriving after the actual is compared too: (1,2 − 1) / 1 = 20%.
        late = put(session, "EXPORT_VALUE", "2014", 1.2e9, "estimate")
        assert messages(session, late, "estimate_vs_actual") == [
            "Kim ngạch xuất khẩu năm 2014: 1,2 tỷ USD (ước tính) lệch 20% so với số thực hiện "
            "1 tỷ USD (cho phép 10%)"
        ]
        near = put(session, "EXPORT_VALUE", "2014", 1.05e9, "preliminary")
        assert messages(session, near, "estimate_vs_actual") == []


def test_another_rule_book_can_be_passed_in(loaded):
    book = parse_rules(
        "bounds: [{id: forest_soft, severity: warning, select: {codes: [FOREST_*]}, "
        "max: 80, what_vi: độ che phủ, what_en: cover}]"
    )
    with transaction(loaded) as session:
        forest = put(session, "FOREST_COVER", "2015", 90)
        (violation,) = check_observation(session, observation=forest, rules=book)
        assert violation.rule == "forest_soft" and violation.severity == "warning"
        assert "lớn hơn 80%, mức cao nhất của độ che phủ" in violation.message_vi


# Enforcing ---------------------------------------------------------------------------------------


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@on_both
def test_enforce_keeps_a_warning_once_and_refuses_a_blocking_figure(loaded):
    with transaction(loaded) as session:
        put(session, "POVERTY_RATE", "2014", 3.0, "estimate")
        actual = put(session, "POVERTY_RATE", "2014", 1.5)
        first = enforce(session, observation=actual, actor="an")
        again = enforce(session, observation=actual, actor="an")
        assert [f.rule for f in first] == ["estimate_vs_actual_points"]
        assert [f.id for f in again] == [f.id for f in first]
        assert [f.id for f in open_findings(session, observation_id=actual.id)] == [first[0].id]
        assert first[0].state == "open" and first[0].period == "2014"
    with transaction(loaded) as session:
        forest = put(session, "FOREST_COVER", "2015", 137.8)
        with pytest.raises(ValidationBlockedError, match="137,8%"):
            enforce(session, observation=forest, actor="an")


@on_both
def test_an_explained_finding_is_not_reopened_and_its_change_is_audited(loaded):
    with transaction(loaded) as session:
        put(session, "POVERTY_RATE", "2014", 3.0, "estimate")
        actual = put(session, "POVERTY_RATE", "2014", 1.5)
        (finding,) = enforce(session, observation=actual, actor="an")
        finding_id = finding.id
    with transaction(loaded) as session:
        with pytest.raises(InputError, match="lời giải thích"):
            explain_finding(session, finding_id=finding_id, actor="binh", explanation="  ")
        explained = explain_finding(
            session, finding_id=finding_id, actor="binh", explanation="ước tính sớm"
        )
        assert (explained.state, explained.resolved_by) == ("explained", "binh")
        with pytest.raises(InputError, match="đã giải thích"):
            dismiss_finding(session, finding_id=finding_id, actor="binh")
        with pytest.raises(NotFoundError):
            explain_finding(session, finding_id=10**9, actor="binh", explanation="x")
    with transaction(loaded) as session:
        actual = session.get(Observation, actual.id)
        assert enforce(session, observation=actual, actor="an") == []
        assert open_findings(session, observation_id=actual.id) == []
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "validation_finding")
        ).one()
        assert (entry.actor, entry.action, entry.entity_id) == ("binh", "explain", str(finding_id))
        assert json.loads(entry.after) == {"explanation": "ước tính sớm", "state": "explained"}


def test_dismissing_keeps_the_reason(loaded):
    with transaction(loaded) as session:
        put(session, "POVERTY_RATE", "2014", 3.0, "estimate")
        (finding,) = enforce(
            session, observation=put(session, "POVERTY_RATE", "2014", 1.5), actor="an"
        )
        dismissed = dismiss_finding(session, finding_id=finding.id, actor="binh", reason="trùng")
        assert (dismissed.state, dismissed.explanation) == ("dismissed", "trùng")


# Call sites: imports and accepted extractions ----------------------------------------------------


def _submission(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "nop.csv"
    path.write_text("indicator,region,period,value,status\n" + "\n".join(rows) + "\n", "utf-8")
    return path


@on_both
def test_a_blocking_row_rejects_the_whole_import_naming_the_row(loaded, tmp_path):
    path = _submission(
        tmp_path,
        [f"NEW_JOBS,{PLACE},2014,1200,actual", f'FOREST_COVER,{PLACE},2014,"137,8",actual'],
    )
    with transaction(loaded) as session:
        before = _count(session, Observation)
    with pytest.raises(RowsRejectedError) as caught, transaction(loaded) as session:
        import_submission(session, path=path, recorded_by="an")
    (problem,) = caught.value.problems
    assert problem.line == 3 and "137,8% nằm ngoài khoảng 0–100%" in problem.reason
    with transaction(loaded) as session:
        assert _count(session, Observation) == before
        assert _count(session, ValidationFinding) == 10  # the seeds' explanations only


@on_both
def test_an_unreadable_row_and_a_blocked_row_are_both_named_in_one_pass(loaded, tmp_path):
    # Before, the −3% came to light only once the sender had fixed the 'abc' and sent again.
    path = _submission(
        tmp_path,
        [
            f"NEW_JOBS,{PLACE},2014,abc,actual",
            f"NEW_JOBS,{PLACE},2015,1200,actual",
            f"FOREST_COVER,{PLACE},2014,-3,actual",
        ],
    )
    with transaction(loaded) as session:
        before = _count(session, Observation)
    with pytest.raises(RowsRejectedError) as caught, transaction(loaded) as session:
        import_submission(session, path=path, recorded_by="an")
    problems = [(p.line, p.column) for p in caught.value.problems]
    assert problems == [(2, "value"), (4, "value")]
    assert "abc" in caught.value.problems[0].reason
    assert "nằm ngoài khoảng 0–100%" in caught.value.problems[1].reason
    assert "dòng 2, cột value" in str(caught.value)
    with transaction(loaded) as session:
        assert _count(session, Observation) == before


@on_both
def test_a_partial_import_keeps_the_good_rows_and_warnings_become_findings(loaded, tmp_path):
    path = _submission(
        tmp_path,
        [
            f"POVERTY_RATE,{PLACE},2014,3,estimate",
            f'POVERTY_RATE,{PLACE},2014,"1,5",actual',
            f"FOREST_COVER,{PLACE},2014,150,actual",
        ],
    )
    with transaction(loaded) as session:
        report = import_submission(session, path=path, recorded_by="an", partial=True)
        assert (report.written, [p.line for p in report.problems]) == (2, [4])
        (finding,) = open_findings(session, indicator_code="POVERTY_RATE")
        assert finding.rule == "estimate_vs_actual_points" and "1,5 điểm" in finding.message_vi
        assert (
            session.scalars(
                select(Observation).where(
                    Observation.indicator_code == "FOREST_COVER", Observation.region.has(code=PLACE)
                )
            ).all()
            == []
        )


@on_both
def test_accepting_an_extracted_figure_is_validated(loaded, tmp_path):
    path = tmp_path / "tin.txt"
    path.write_text("Năm 2024, tốc độ tăng trưởng GRDP đạt 7,5%.\n", encoding="utf-8")
    with transaction(loaded) as session:
        ingest_file(session, path=path, recorded_by="test", region=None)
    with transaction(loaded) as session:
        figure = next(f for f in pending_figures(session) if f.region_name is None)
        with pytest.raises(ValidationBlockedError, match="250%"), session.begin_nested():
            accept_figure(
                session, figure_id=figure.id, recorded_by="an", region="Bắc Giang", value=250
            )
        assert figure.review_state == "pending"
        # As an estimate, 7,5% is 6,37 points from the 2024 actual in the seeds (13,87%).
        observation = accept_figure(
            session, figure_id=figure.id, recorded_by="an", region="Bắc Giang", status="estimate"
        )
        (finding,) = open_findings(session, figure_id=figure.id)
        assert finding.observation_id == observation.id
        assert "7,5% (ước tính) lệch 6,37 điểm so với số thực hiện 13,87%" in finding.message_vi


# The whole database and the seeds ------------------------------------------------------------------


@on_both
def test_the_seeds_pass_or_are_explained(loaded):
    with transaction(loaded) as session:
        violations = check_all(session)
    assert [v.message_vi for v in violations if not v.explained] == []
    # What the rules find in the seeds, worked out by hand: the mid-2023 estimate of 14,5% is
    # 1,4 and 1,05 points from the actuals 13,1% and 13,45%, and 1,97 points from its sectors
    # weighted by the 2022 shares. The published figures (observations_web.csv) add, as
    # published: 2018's structure from three sources without product taxes (98,29% and
    # 98,71%), the new Bắc Ninh's 2025 structure (97,1%), 2023's industry and construction
    # from two reports, 2019's share by the statistics office and by a thesis (52,61% and
    # 57,6%), and the 2021 Covid year in growth, size and per capita. The 2022 structure,
    # 97,9% before, now adds up: cafef.vn's product taxes (2,1%) are held too.
    found = sorted((v.rule, v.indicator_code, v.region_id, v.period) for v in violations)
    with transaction(loaded) as session:
        code = {r.id: r.code for r in session.scalars(select(Region))}
    assert [(rule, ind, code[region], period) for rule, ind, region, period in found] == [
        ("estimate_vs_actual_points", "GRDP_GROWTH", "bac_giang", "2023"),
        ("estimate_vs_actual_points", "GRDP_GROWTH", "bac_giang", "2023"),
        ("estimate_vs_actual_points", "GRDP_SHARE_INDUSTRY_CONSTRUCTION", "bac_giang", "2019"),
        ("grdp_growth_by_sector", "GRDP_GROWTH", "bac_giang", "2023"),
        ("grdp_industry_construction", "GRDP_SHARE_INDUSTRY_CONSTRUCTION", "bac_giang", "2023"),
        ("grdp_industry_construction", "GRDP_SHARE_INDUSTRY_CONSTRUCTION", "bac_giang", "2023"),
        ("grdp_structure", "GRDP_SHARE_AGRICULTURE", "bac_giang", "2018"),
        ("grdp_structure", "GRDP_SHARE_AGRICULTURE", "bac_giang", "2018"),
        ("grdp_structure", "GRDP_SHARE_AGRICULTURE", "bac_ninh", "2025"),
        ("outlier", "GRDP_CURRENT", "bac_giang", "2021"),
        ("outlier", "GRDP_GROWTH", "bac_giang", "2022"),
        ("outlier", "GRDP_PER_CAPITA_USD", "bac_giang", "2021"),
        ("outlier", "GRDP_SHARE_INDUSTRY_CONSTRUCTION", "bac_giang", "2024"),
    ]
    structure = next(v for v in violations if v.rule == "grdp_structure")
    assert "cộng lại 98," in structure.message_vi
    assert "thuế sản phẩm" in (structure.explanation or "")
    assert not any("cộng lại 97,9%" in v.message_vi for v in violations)


def test_without_the_explanations_the_seed_violations_are_open(loaded):
    with transaction(loaded) as session:
        for finding in session.scalars(select(ValidationFinding)):
            session.delete(finding)
        session.flush()
        assert len([v for v in check_all(session) if not v.explained]) == 13


def test_check_all_keeps_to_a_region(loaded):
    with transaction(loaded) as session:
        put(session, "NEW_JOBS", "2014", 10.5)
        region = session.scalar(select(Region).where(Region.code == PLACE))
        (violation,) = check_all(session, region=region)
        assert (violation.rule, violation.region_code) == ("count_not_negative", PLACE)


def test_a_dry_run_writes_nothing(loaded):
    with transaction(loaded) as session:
        before = _count(session, Observation)
        # 2022: a year without a published forest cover (2023's 37,8% would add a comparison).
        (violation,) = check_values(
            session,
            indicator="FOREST_COVER",
            region="Bắc Giang",
            period="năm 2022",
            value=137.8,
            status="estimate",
        )
        assert violation.blocking and "137,8%" in violation.message_vi
        # The seeds' 2023 estimate again: known and explained.
        known = check_values(
            session,
            indicator="GRDP_GROWTH",
            region="bac_giang",
            period="2023",
            value=14.5,
            status="estimate",
        )
        assert known and all(v.explained for v in known)
        assert _count(session, Observation) == before
        with pytest.raises(InputError, match="công thức"):
            check_values(
                session, indicator="TRADE_VALUE", region="bac_giang", period="2023", value=1
            )


def test_the_cli_lists_violations_and_exits_0(tmp_path):
    db = str(tmp_path / "chitieu.db")
    assert chitieu("load", "--documents", str(CORPUS), db=db).returncode == 0
    result = chitieu("validate", "--format", "json", db=db)
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert len(listed) == 13 and all(item["explanation"] for item in listed)
    only_open = chitieu(
        "validate", "--open-only", "--format", "json", "--region", "bac_giang", db=db
    )
    assert json.loads(only_open.stdout) == []
    table = chitieu("validate", db=db)
    assert table.returncode == 0 and "13 vi phạm, 0 chưa giải thích" in table.stdout
    csv_out = chitieu("--lang", "en", "validate", "--format", "csv", db=db)
    assert csv_out.stdout.startswith("rule,kind,severity,indicator,region,period")
    assert "adds up to 97.1%" in csv_out.stdout  # the new Bắc Ninh's 2025 structure
