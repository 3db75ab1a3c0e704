"""The command line as people meet it in an 80-column terminal (issue 16)."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import sys
from pathlib import Path

import pytest
import typer.main
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from chitieu import transaction
from chitieu._cli_group import hoist
from chitieu._database import create_engine
from chitieu._errors import NotFoundError
from chitieu._layout import Column, print_records
from chitieu.agency.models import Agency
from chitieu.agency.service import get_agency
from chitieu.cli import build_app
from chitieu.indicator.models import Indicator
from chitieu.indicator.service import get_indicator
from chitieu.plan.models import Plan
from chitieu.plan.service import get_plan
from chitieu.region.models import Region
from chitieu.region.service import get_region
from tests.conftest import ROOT

LISTINGS = [
    ["overview"],
    ["observations"],
    ["observations", "--region", "bac_ninh", "--territory"],
    ["targets"],
    ["plans"],
    ["tasks"],
    ["review"],
    ["validate"],
    ["regions"],
    ["indicators"],
    ["agencies"],
    ["requests"],
    ["analyze", "growth"],
    ["forecast", "GRDP_GROWTH"],
]
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('screens') / 'c.db'}"
    result = CliRunner().invoke(build_app(), ["--db", url, "load"])
    assert result.exit_code == 0, result.output
    return url


def run(*args: str, columns: int = 80, **env: str) -> object:
    return CliRunner().invoke(build_app(), list(args), env={"COLUMNS": str(columns), **env})


@pytest.mark.parametrize("command", LISTINGS, ids=" ".join)
def test_every_listing_fits_80_columns_and_keeps_every_number_whole(database, command):
    narrow = run(*command, "--db", database)
    assert narrow.exit_code == 0, narrow.output
    lines = narrow.stdout.splitlines()
    assert len(lines) > 3
    too_wide = [line for line in lines if cell_len(line.rstrip()) > 80]
    assert not too_wide, too_wide[:3]
    # --wide keeps every cell on one line: each number there must be whole at 80 columns too.
    wide = run(*command, "--db", database, "--wide", columns=80)
    assert wide.exit_code == 0, wide.output
    whole = set(NUMBER.findall(wide.stdout))
    seen = set(NUMBER.findall(narrow.stdout))
    assert whole and whole <= seen, sorted(whole - seen)[:5]


def test_long_notes_go_below_their_row_and_into_the_table_with_wide(database):
    narrow = run("validate", "--db", database).stdout
    # The finding and its explanation are sentences under the row's name, not a column.
    assert "Nội dung: " in narrow and "Giải thích: " in narrow
    assert "┃" not in narrow
    wide = run("validate", "--db", database, "--wide").stdout
    assert "┃ Nội dung" in wide and max(cell_len(line) for line in wide.splitlines()) > 80


@pytest.mark.parametrize("width", [40, 57, 80, 101, 132])
def test_no_word_is_cut_at_any_width(width):
    records = [
        {
            "code": f"mt-hatang-bn-{2026 + i}-2030",
            "label": "Vốn đầu tư thực hiện trên địa bàn " * (i % 3 + 1),
            "value": f"{1_670_000 * (i + 1):,}".replace(",", ".") + ",5 tỷ đồng",
            "note": "số ước 13,29% " * i,
        }
        for i in range(6)
    ]
    columns = [
        Column("code", "Mã"),
        Column("label", "Chỉ tiêu", "head"),
        Column("value", "Giá trị"),
        Column("note", "Ghi chú", "note"),
    ]
    for shown in (columns, columns[:3]):
        console = Console(width=width, record=True, file=io.StringIO())
        print_records(console, records, shown, title="Bảng", wide=False)
        text = console.export_text()
        assert max(cell_len(line.rstrip()) for line in text.splitlines()) <= width
        words = set(text.split())
        for record in records:
            for key in ("code", "value"):
                assert set(record[key].split()) <= words, (width, record[key])


def test_limit_shows_the_first_rows_and_says_how_many_were_left(database):
    every = json.loads(run("overview", "--db", database, "--format", "json").stdout)
    five = json.loads(run("overview", "--limit", "5", "--db", database, "--format", "json").stdout)
    assert five == every[:5] and len(every) > 5
    shown = run("review", "--db", database, "--limit", "2")
    assert shown.exit_code == 0, shown.output
    assert len(re.findall(r"^\d+ · ", shown.stdout, flags=re.MULTILINE)) == 2
    assert re.search(r"còn \d+ dòng không hiện \(--limit\)", shown.stderr)


def test_a_long_listing_at_a_terminal_goes_through_the_pager(database, tmp_path, monkeypatch):
    import chitieu._cli_group as group

    monkeypatch.setattr(group, "interactive", lambda: True)
    paged = tmp_path / "paged.txt"
    pager = f"{sys.executable} -c \"import sys; open('{paged}', 'w').write(sys.stdin.read())\""
    result = run("overview", "--db", database, PAGER=pager, LINES="30")
    assert result.exit_code == 0, result.output
    assert "Mục tiêu và số liệu mới nhất" in paged.read_text(encoding="utf-8")
    assert "Mục tiêu và số liệu mới nhất" not in result.stdout
    paged.unlink()
    short = run("plans", "--db", database, "--limit", "1", PAGER=pager, LINES="30")
    assert short.exit_code == 0 and not paged.exists() and "Mã: " in short.stdout


def test_db_and_lang_work_after_the_command(database):
    result = run("plans", "--format", "json", "--db", database, "--lang", "en")
    assert result.exit_code == 0, result.output
    plans = json.loads(result.stdout)
    assert any(p["document_number"] == "249/QĐ-UBND" for p in plans)
    assert any(p["status_shown"] in {"in force", "superseded", "ceased"} for p in plans)
    nested = run("plans", "compare", "--from", "249/QĐ-UBND", "--db", database, "--lang=en")
    assert nested.exit_code == 0, nested.output
    # The report's own --lang (the report's language) is left to the report.
    group = typer.main.get_command(build_app())
    assert hoist(group, ["report", "--lang", "en", "--db", "x.db"]) == [
        "--db",
        "x.db",
        "report",
        "--lang",
        "en",
    ]
    assert hoist(group, ["import", "f.csv", "--", "--db"]) == ["import", "f.csv", "--", "--db"]


def test_errors_and_help_in_english_under_lang_en(database):
    import subprocess

    def chitieu(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "chitieu", *args],
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "80"},
            check=False,
        )

    english = chitieu(
        "observations", "--indicator", "GRDP_GROWHT", "--db", database, "--lang", "en"
    )
    assert english.returncode == 1
    assert english.stderr.strip() == "Error: no indicator 'GRDP_GROWHT'; did you mean: GRDP_GROWTH?"
    vietnamese = chitieu("observations", "--indicator", "GRDP_GROWHT", "--db", database)
    assert vietnamese.stderr.startswith(
        "Lỗi: không có chỉ tiêu 'GRDP_GROWHT'; có phải: GRDP_GROWTH"
    )
    helped = run("--lang", "en", "--help")
    assert "List plans." in helped.stdout and "Liệt kê các kế hoạch" not in helped.stdout
    assert "Monitoring a province's" in helped.stdout
    assert "Liệt kê các kế hoạch" in run("--help").stdout


def _typo(code: str) -> str:
    """The code with two neighbouring letters swapped in its middle, as fingers do."""
    middle = len(code) // 2
    return code[: middle - 1] + code[middle] + code[middle - 1] + code[middle + 1 :]


def test_an_unknown_code_is_answered_with_the_nearest_ones(database):
    engine = create_engine(database)
    lookups = [
        (Indicator, "code", lambda s, t: get_indicator(s, code_or_name=t)),
        (Region, "code", lambda s, t: get_region(s, code_or_name=t)),
        (Agency, "code", lambda s, t: get_agency(s, code_or_name=t)),
        (Plan, "code", lambda s, t: get_plan(s, code_or_number=t)),
        (Plan, "document_number", lambda s, t: get_plan(s, code_or_number=t)),
    ]
    with transaction(engine, writes=False) as session:
        for model, field, lookup in lookups:
            codes = [
                c
                for c in session.scalars(__import__("sqlalchemy").select(getattr(model, field)))
                if c
            ]
            missed = []
            for code in codes:
                typed = _typo(code)
                if typed == code:
                    continue
                with pytest.raises(NotFoundError) as caught:
                    lookup(session, typed)
                said = str(caught.value)
                if "có phải: " not in said or code not in said.split("có phải: ")[1]:
                    missed.append((typed, said))
                else:
                    assert f"did you mean: {said.split('có phải: ')[1]}" in str(caught.value.en)
            # Neighbours that differ by one letter (bg_/bn_) may crowd a code out of three.
            assert len(missed) <= len(codes) // 20, missed[:5]
        with pytest.raises(NotFoundError) as caught:
            get_indicator(session, code_or_name="xyzw")
        assert "có phải" not in str(caught.value)
        with pytest.raises(NotFoundError, match="có phải: 249/QĐ-UBND"):
            get_plan(session, code_or_number="249/QD-UBND")
        with pytest.raises(NotFoundError, match="POVERTY_RATE"):
            get_indicator(session, code_or_name="ty le ho ngheo")
    engine.dispose()


def test_backup_into_a_folder_named_with_a_slash_makes_it(database, tmp_path):
    folder = tmp_path / "sao-luu"
    result = run("backup", f"{folder}/", "--db", database)
    assert result.exit_code == 0, result.output
    assert folder.is_dir()
    (made,) = folder.iterdir()
    assert made.name.startswith("chitieu-") and made.suffix == ".sqlite"
    assert made.name in result.stdout.replace("\n", "")


def test_restore_checks_the_file_before_asking(database, tmp_path):
    target = f"sqlite:///{tmp_path / 'other.db'}"
    missing = run("restore", str(tmp_path / "khong-co.sqlite"), "--db", target)
    assert missing.exit_code != 0
    assert "Thay toàn bộ" not in missing.output and "không có tệp sao lưu" in str(missing.exception)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    refused = run("restore", str(junk), "--db", target)
    assert refused.exit_code != 0 and "Thay toàn bộ" not in refused.output
    not_ours = tmp_path / "not-ours.sqlite"
    with sqlite3.connect(not_ours) as connection:
        connection.execute("create table t (x)")
    refused = run("restore", str(not_ours), "--db", target)
    assert "Thay toàn bộ" not in refused.output
    assert "không phải bản sao lưu chitieu" in str(refused.exception)


def test_synth_refuses_a_database_with_other_data_unless_forced(database, tmp_path):
    copy = tmp_path / "copy.db"
    source = Path(database.removeprefix("sqlite:///"))
    with sqlite3.connect(source) as live, sqlite3.connect(copy) as into:
        live.backup(into)
    url = f"sqlite:///{copy}"
    small = ["--seed", "1", "--provinces", "2", "--communes", "4", "--indicators", "2"]

    def figures() -> int:
        with sqlite3.connect(copy) as connection:
            return int(connection.execute("select count(*) from observation").fetchone()[0])

    before = figures()
    refused = run("synth", *small, "--db", url)
    assert refused.exit_code != 0
    assert "đã có dữ liệu" in str(refused.exception) and "--force" in str(refused.exception)
    assert figures() == before
    forced = run("synth", *small, "--force", "--db", url)
    assert forced.exit_code == 0, forced.output
    assert figures() > before and str(copy) in forced.stdout.replace("\n", "")


def test_the_readme_says_how_to_put_chitieu_on_the_path():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ". .venv/bin/activate" in readme
    assert 'export PATH="$PWD/.venv/bin:$PATH"' in readme
