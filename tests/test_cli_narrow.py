"""The terminal at 80 columns: every target readable, no word broken across cells."""

from __future__ import annotations

from datetime import date

from typer.testing import CliRunner

from chitieu import transaction
from chitieu.assessment.service import assess
from chitieu.cli import build_app
from chitieu.plan.service import get_plan


def test_assess_at_80_columns_gives_each_target_its_own_readable_block(tmp_path, monkeypatch):
    database = f"sqlite:///{tmp_path / 'c.db'}"
    runner = CliRunner()
    app = build_app()
    assert runner.invoke(app, ["--db", database, "load"]).exit_code == 0
    monkeypatch.setenv("COLUMNS", "80")
    shown = runner.invoke(
        app, ["--db", database, "assess", "--plan", "249/QĐ-UBND", "--as-of", "2026-12-06"]
    )
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    from chitieu._database import create_engine

    engine = create_engine(database)
    with transaction(engine, writes=False) as session:
        plan = get_plan(session, code_or_number="249/QĐ-UBND")
        results = assess(session, as_of=date(2026, 12, 6), plan=plan)
        heads = [f"{a.target.row}. {a.target.label_vi}" for a in results]
        verdicts = sum(1 for a in results if a.final)
    engine.dispose()
    text = shown.stdout
    # Each target's label whole, wrapped only between words (the table cut it into 5-letter cells).
    starts = [
        line for line in lines if any(line.startswith(head.split()[0] + " ") for head in heads)
    ]
    flowing = " ".join(text.split())
    assert all(head in flowing for head in heads)
    assert len(starts) == len(heads)
    assert text.count("Kết luận: ") == verdicts and verdicts > 0
    assert "Mục tiêu 12–13%" in text


def test_english_tables_name_targets_plans_and_qualifiers_in_english(tmp_path, monkeypatch):
    """A plan is written in Vietnamese only: an English reader gets the indicator's English
    name for each row, the plan's English title, and "over" for "trên"."""
    database = f"sqlite:///{tmp_path / 'e.db'}"
    runner = CliRunner()
    app = build_app()
    assert runner.invoke(app, ["--db", database, "load"]).exit_code == 0
    from chitieu._database import create_engine

    engine = create_engine(database)
    with transaction(engine, writes=False) as session:
        plan = get_plan(session, code_or_number="kh-ktxh-bn-2026")
        title_en = plan.title_en
        targets = list(plan.targets)
        names_en = {t.indicator.name_en for t in targets}
        labels_vi = {t.label_vi for t in targets}
    engine.dispose()
    assert title_en and names_en
    monkeypatch.setenv("COLUMNS", "80")
    shown = runner.invoke(
        app, ["--db", database, "--lang", "en", "assess", "--plan", "kh-ktxh-bn-2026"]
    )
    assert shown.exit_code == 0, shown.output
    flowing = " ".join(shown.stdout.split())
    assert title_en.split(" (")[0] in flowing
    assert any(name in flowing for name in names_en)
    assert not any(label in flowing for label in labels_vi if label not in names_en)
    monkeypatch.setenv("COLUMNS", "200")
    overview = runner.invoke(app, ["--db", database, "--lang", "en", "overview"])
    assert overview.exit_code == 0, overview.output
    assert "over 1,670" in overview.stdout and "trên" not in overview.stdout
    vietnamese = runner.invoke(app, ["--db", database, "overview"])
    assert "trên 1.670" in vietnamese.stdout
