"""Final verdicts on ended periods, targets after a merger, and the plan in force by date."""

import json
import math
import re
from datetime import date

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from chitieu import transaction
from chitieu._models import Plan, Region
from chitieu.assessment.service import assess
from chitieu.cli import build_app
from chitieu.plan.in_force import plans_covering
from chitieu.plan.service import get_plan
from chitieu.region.models import RegionSuccession
from chitieu.region.service import get_region
from chitieu.report.service import build_report
from tests.conftest import BACKENDS
from tests.test_assessment import _figures, _target


def _regions(session) -> tuple[Region, Region]:
    """A province that merged into a new one on 1/7/2025, as Bắc Giang did."""
    old = Region(code="tinh_cu", name="Tỉnh Thử", level="province", valid_to=date(2025, 6, 30))
    new = Region(code="tinh_moi", name="Tỉnh Mới", level="province", valid_from=date(2025, 7, 1))
    session.add_all([old, new])
    session.flush()
    session.add(
        RegionSuccession(
            effective_on=date(2025, 7, 1), kind="merge", predecessor=old, successor=new
        )
    )
    session.flush()
    return old, new


def _plan(session, region, code, start, end, issued) -> Plan:
    plan = Plan(
        code=code,
        title=f"Kế hoạch {code}",
        document_number=code.upper(),
        region=region,
        horizon_start=start,
        horizon_end=end,
        kind="strategy" if end > start else "annual",
        issued_on=issued,
    )
    session.add(plan)
    session.flush()
    return plan


def _merged_plan(session) -> tuple[Plan, Plan]:
    old, _ = _regions(session)
    plan = _plan(session, old, "kh-cu-2019", 2019, 2030, date(2019, 4, 1))
    annual = _plan(session, old, "kh-cu-2024", 2024, 2024, date(2023, 7, 1))
    # Met: 2019-2024 growth averages above 12 (2025 never comes for the old province).
    _target(session, plan, "GRDP_GROWTH", "2019/2025", "average_growth", 12, 13)
    _figures(
        session, old, "GRDP_GROWTH", {2019: 16.0, 2020: 13.0, 2021: 7.8, 2022: 19.3, 2024: 13.9}
    )
    # Missed: productivity grew about 5 % a year against 8 %.
    _target(session, plan, "LABOUR_PRODUCTIVITY_GROWTH", "2019/2025", "average_growth", 8, None)
    _figures(session, old, "LABOUR_PRODUCTIVITY_GROWTH", {y: 5.0 for y in range(2019, 2025)})
    # Missed, lower is better: ICOR 5,5 against a range of 4-5 in the 2024 plan.
    _target(session, annual, "ICOR", "2024", "level", 4, 5)
    _figures(session, old, "ICOR", {2024: 5.5})
    # Unjudgeable: trained labour below the 2025 target in 2023 and the first half of 2025.
    _target(session, plan, "TRAINED_LABOUR_RATE", "2025", "level", 70, None)
    _figures(session, old, "TRAINED_LABOUR_RATE", {2022: 62.0, 2023: 65.0, "2025-H1": 66.0})
    # 2030: the old province cannot be judged after it ceased.
    _target(session, plan, "TRAINED_LABOUR_RATE", "2030", "level", 80, None)
    return plan, annual


def _by_indicator(records) -> dict[tuple[str, str], dict]:
    return {(r["indicator"], r["period"]): r for r in records}


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_ended_targets_get_final_verdicts_and_the_merger_is_said(loaded):
    with transaction(loaded) as session:
        plan, annual = _merged_plan(session)
        day = date(2026, 12, 1)
        records = [a.record() for a in assess(session, as_of=day, plan=plan)]
        records += [a.record() for a in assess(session, as_of=day, plan=annual)]
        running = [a.record() for a in assess(session, as_of=date(2024, 6, 30), plan=plan)]
        session.rollback()
    got = _by_indicator(records)
    growth = got[("GRDP_GROWTH", "2019/2025")]
    mean = (1.16 * 1.13 * 1.078 * 1.193 * 1.139) ** (1 / 5) - 1
    assert (growth["status"], growth["final"]) == ("achieved", True)
    assert growth["observed_pace"] == pytest.approx(mean * 100)
    assert "thiếu số các năm 2023, 2025" in growth["note"]
    assert "Tỉnh Thử ngừng tồn tại từ 01/07/2025" in growth["note"]
    assert "đánh giá trên số liệu 2019-2022, 2024" in growth["note"]
    assert growth["required_pace"] is None

    productivity = got[("LABOUR_PRODUCTIVITY_GROWTH", "2019/2025")]
    assert (productivity["status"], productivity["final"]) == ("not_achieved", True)
    assert productivity["observed_pace"] == pytest.approx(5.0)
    icor = got[("ICOR", "2024")]
    assert (icor["status"], icor["final"]) == ("not_achieved", True)
    assert "trên mức 5" in icor["note"]

    trained = got[("TRAINED_LABOUR_RATE", "2025")]
    assert (trained["status"], trained["final"]) == ("insufficient_data", True)
    assert "đánh giá trên số liệu 2022-2023 và 6 tháng đầu năm 2025" in trained["note"]
    assert "cần số liệu cả năm 2025 của địa bàn Tỉnh Thử cũ để kết luận" in trained["note"]

    later = got[("TRAINED_LABOUR_RATE", "2030")]
    assert (later["status"], later["final"], later["successor"]) == (
        "succeeded",
        False,
        "Tỉnh Mới",
    )
    assert "Tỉnh Mới (chưa có trong dữ liệu)" in later["note"]

    # Before the period ended, the same targets are projections, not verdicts.
    assert all(not r["final"] for r in running)
    assert _by_indicator(running)[("GRDP_GROWTH", "2019/2025")]["status"] == "on_track"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_plan_in_force_follows_the_calendar_and_the_succession(loaded):
    from chitieu.plan.in_force import plan_in_force  # new with the final verdicts

    with transaction(loaded) as session:
        # The fallback to the ceased province's plan, before any plan of the successor is in
        # the data: the plans of plans_after_merger.csv (the new Bắc Ninh's, and Bắc Giang's
        # master plan, 2025 plan and urban orientation given as context) are set aside here.
        for loaded_plan in session.scalars(
            select(Plan).where(Plan.code.not_in(("qd-249-2019", "kh-ktxh-2024")))
        ):
            session.delete(loaded_plan)
        session.flush()
        before = plan_in_force(session, as_of=date(2024, 6, 30))
        after = plan_in_force(session, as_of=date(2026, 12, 1))
        assert before.plan is not None and before.plan.code == "kh-ktxh-2024"
        assert before.note is None
        assert after.plan is not None and after.plan.document_number == "249/QĐ-UBND"
        assert after.region is not None and after.region.code == "bac_ninh"
        assert after.note is not None
        assert "chưa có kế hoạch nào của Bắc Ninh có hiệu lực ngày 01/12/2026" in after.note
        # Once the successor's plan is in the data it is the one in force, and the 2030
        # targets of the ceased province name it.
        bac_ninh = get_region(session, code_or_name="bac_ninh")
        successor = _plan(session, bac_ninh, "nq-bn-2025", 2025, 2030, date(2025, 9, 30))
        # A draft issued later is kept in the data but never in force.
        draft = _plan(session, bac_ninh, "du-thao-bn", 2025, 2030, date(2025, 10, 1))
        draft.kind = "draft"
        session.flush()
        now = plan_in_force(session, as_of=date(2026, 12, 1))
        old = plan_in_force(session, as_of=date(2024, 6, 30))
        chosen = (now.plan is successor, now.note, old.plan.code if old.plan else None)
        ceased = [
            a.record()
            for a in assess(session, as_of=date(2026, 12, 1), plan=after.plan)
            if a.target.period == "2030"
        ]
        session.rollback()
    assert chosen == (True, None, "kh-ktxh-2024")
    assert ceased and all(r["status"] == "succeeded" for r in ceased)
    assert all("kế hoạch NQ-BN-2025 của Bắc Ninh" in r["note"] for r in ceased)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_assess_json_marks_every_ended_target_final(loaded):
    url = loaded.url.render_as_string(hide_password=False)
    app = build_app()
    ran = CliRunner().invoke(
        app,
        [
            "--db",
            url,
            "assess",
            "--plan",
            "249/QĐ-UBND",
            "--as-of",
            "2026-12-01",
            "--format",
            "json",
        ],
    )
    assert ran.exit_code == 0, ran.output
    records = json.loads(ran.stdout)
    ended = [r for r in records if r["period"] in ("2025", "2019/2025")]
    later = [r for r in records if r["period"] not in ("2025", "2019/2025")]
    assert len(ended) == len(later) == 29
    assert all(r["final"] for r in ended)
    assert all(r["status"] in ("achieved", "not_achieved", "insufficient_data") for r in ended)
    assert all(r["note"] for r in ended)
    # No projection's wording is left on a verdict.
    assert not any("dự báo đến" in r["note"] or "tính tốc độ" in r["note"] for r in ended)
    assert all((r["status"], r["final"]) == ("succeeded", False) for r in later)
    growth = next(r for r in ended if r["indicator"] == "GRDP_GROWTH")
    values = [16.2, 13.02, 7.82, 19.3, 13.45, 13.87]
    mean = math.prod(1 + v / 100 for v in values) ** (1 / len(values)) - 1
    assert growth["observed_pace"] == pytest.approx(mean * 100, abs=1e-6)
    assert (
        growth["status"] == "achieved"
        and "thiếu số năm 2025 (coi như bằng bình quân)" in growth["note"]
    )

    # With no --plan, the plan in force at the date, and why when it is the ceased one's.
    default = CliRunner().invoke(
        app, ["--db", url, "assess", "--as-of", "2024-06-30", "--format", "json"]
    )
    assert default.exit_code == 0, default.output
    assert {r["plan"] for r in json.loads(default.stdout)} == {"kh-ktxh-2024"}
    later_default = CliRunner().invoke(
        app, ["--db", url, "assess", "--as-of", "2026-12-01", "--format", "json"]
    )
    assert later_default.exit_code == 0
    # The new Bắc Ninh's 2026 targets (HĐND, 10/12/2025) are in force in December 2026.
    assert {r["plan"] for r in json.loads(later_default.stdout)} == {"kh-ktxh-bn-2026"}
    assert "chưa có kế hoạch nào của Bắc Ninh" not in later_default.stderr


def test_the_report_on_an_ended_plan_is_a_final_report(loaded_sqlite):
    with transaction(loaded_sqlite, writes=False) as session:
        plan = get_plan(session, code_or_number="249/QĐ-UBND")
        final = build_report(session, plan=plan, as_of=date(2026, 12, 1))
        running = build_report(session, plan=plan, as_of=date(2023, 12, 31))
        pace = next(
            a.observed_pace
            for a in assess(session, as_of=date(2026, 12, 1), plan=plan)
            if (a.target.indicator_code, a.target.period) == ("GRDP_GROWTH", "2019/2025")
        )
    assert final.title == "BÁO CÁO TỔNG KẾT THỰC HIỆN KẾ HOẠCH"
    assert running.title == "BÁO CÁO TÌNH HÌNH THỰC HIỆN KẾ HOẠCH"
    verdicts = final.sections[1]
    assert verdicts.heading == "KẾT LUẬN: MỤC TIÊU ĐẠT, KHÔNG ĐẠT VÀ LÝ DO"
    groups = {
        s.heading.split(" (")[0]: int(s.heading.split("(")[1][:-1]) for s in verdicts.sections
    }
    assert set(groups) <= {
        "Đạt",
        "Không đạt",
        "Thiếu số liệu",
        "Đã chuyển sang kế hoạch của tỉnh mới",
    }
    assert sum(groups.values()) == 58 and groups["Đã chuyển sang kế hoạch của tỉnh mới"] == 29
    assert "Bắc Giang đã ngừng tồn tại" in verdicts.blocks[0].text
    growth = verdicts.sections[0].blocks[0].text
    assert growth.startswith("1. Tốc độ tăng trưởng GRDP") and "2019-2024" in growth
    # A verdict leads with what was reached against what was set, read from the assessment.
    reached = re.search(r"bình quân 2019-2024 đạt ([\d,]+)%/năm, mục tiêu 12–13%/năm", growth)
    assert reached is not None, growth
    assert pace is not None and float(reached[1].replace(",", ".")) == pytest.approx(
        pace, abs=0.005
    )
    # Which source stood for which year is the conflicts section's business, not the verdict's.
    lines = [b.text for part in verdicts.sections for b in part.blocks]
    assert not any(re.search(r"\d{4}: dùng .*nguồn khác", line) for line in lines)
    # The region's end is said once, above the lines.
    assert not any("ngừng tồn tại từ" in line for line in lines[:-1])
    passed_on = verdicts.sections[-1].blocks
    assert len(passed_on) == 1 and "các mục tiêu sau" in passed_on[0].text
    assert "5. Hệ số ICOR (năm 2030)" in passed_on[0].text
    assert not any(s.heading.startswith("KẾT LUẬN") for s in running.sections)


def test_the_pages_tell_a_verdict_from_a_projection(web):
    viewer = web.clients["viewer"]
    ended = viewer.get("/overview", params={"plan": "qd-249-2019", "as_of": "2026-12-01"}).text
    running = viewer.get("/overview", params={"plan": "qd-249-2019", "as_of": "2023-12-31"}).text
    assert 'data-plan-ended="true"' in ended and 'data-plan-ended="true"' not in running
    assert ended.count('data-final="true"') == 29 and 'data-final="false"' not in ended
    assert 'data-final="true"' not in running and 'data-final="false"' in running
    assert 'class="badge status-succeeded"' in ended
    indicator = viewer.get("/indicators/GRDP_GROWTH").text
    assert 'data-final="true"' in indicator


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # Bắc Giang's master plan and urban orientation (context, few targets) cover 2023 too.
        (date(2023, 6, 30), "qd-249-2019"),
        (date(2024, 6, 30), "kh-ktxh-2024"),
        # The new Bắc Ninh's 2025 plan carries out its Party Congress resolution that year.
        (date(2025, 12, 31), "nq-hdnd-bn-2025"),
        (date(2026, 12, 1), "kh-ktxh-bn-2026"),
    ],
)
def test_the_plan_in_force_is_the_annual_plan_or_the_strategy_setting_most_targets(
    loaded_sqlite, as_of, expected
):
    from chitieu.plan.in_force import plan_in_force

    with transaction(loaded_sqlite, writes=False) as session:
        chosen = plan_in_force(session, as_of=as_of).plan
        assert chosen is not None and chosen.code == expected


def test_the_report_on_the_plan_in_force_shows_the_other_plans_in_force(loaded_sqlite):
    with transaction(loaded_sqlite, writes=False) as session:
        report = build_report(session, as_of=date(2026, 12, 6))
        final = build_report(
            session, plan=get_plan(session, code_or_number="249/QĐ-UBND"), as_of=date(2026, 12, 6)
        )
        plans = list(
            plans_covering(
                session,
                region=get_region(session, code_or_name="bac_ninh"),
                year=2026,
                as_of=date(2026, 12, 6),
            )
        )
        covering = [p.code for p in plans]
        names = [p.full_name for p in plans]
    # The annual plan is reported on; the five-year resolution it carries out stands beside it.
    assert report.plan == covering[0] == "kh-ktxh-bn-2026"
    targets = next(s for s in report.sections if s.heading.startswith("III."))
    others = [s for s in targets.sections if s.heading.startswith("Mục tiêu của các kế hoạch khác")]
    assert len(others) == 1
    # Each plan by its number and title, or its title: never its code.
    captions = [block.caption for block in others[0].blocks]
    assert captions == names[1:] and "nq-dh-bn-2025" in covering[1:]
    assert not any("nq-dh-bn-2025" in caption for caption in captions)
    growth = next(
        row for block in others[0].blocks for row in block.rows if "2026-2030" in row[2].text
    )
    assert growth[3].text == "11–12%"
    # A plan that has ended is reported alone.
    ended = next(s for s in final.sections if s.heading.startswith("III."))
    assert not any(s.heading.startswith("Mục tiêu của các kế hoạch khác") for s in ended.sections)
