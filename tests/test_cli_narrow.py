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
