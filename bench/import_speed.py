"""Import speed: rows per second through ``import_submission`` (what `chitieu import` runs).

Loads the embedded dataset into a fresh SQLite file (and, with ``--postgresql``,
into a fresh PostgreSQL database), writes a CSV of ``--rows`` figures for the
catalogue's own indicators (every enterable one), the province and its
districts and yearly, quarterly and monthly periods, with plausible values, then
imports it into a fresh copy of the database ``--runs`` times, each in a new
process, and prints the median rows per second. The timed part is the import
itself in one transaction (reading, checking every row, validating, writing,
committing), not the interpreter's start-up.

``--tree`` measures another checkout of the code too (e.g. the commit before a
change: ``git worktree add /tmp/old <commit>``), on the same file and
databases, and prints the ratio. The goal is 5,000 rows/s on SQLite.

    .venv/bin/python bench/import_speed.py [--rows 20000] [--runs 3] [--tree /tmp/old]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_ROWS_PER_SECOND = 5000
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432"
REGIONS = (
    "bac_giang",
    "bg_tp_bac_giang",
    "bg_yen_the",
    "bg_tan_yen",
    "bg_lang_giang",
    "bg_luc_nam",
    "bg_luc_ngan",
    "bg_son_dong",
    "bg_yen_dung",
    "bg_hiep_hoa",
)
# Run in the measured tree's own interpreter path: only its public import API.
TIMED = """
import json, sys, time
from pathlib import Path
from chitieu import create_engine, import_submission, transaction
engine = create_engine(sys.argv[1])
start, cpu = time.perf_counter(), time.process_time()
with transaction(engine) as session:
    report = import_submission(session, path=Path(sys.argv[2]), recorded_by="bench")
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"seconds": seconds, "cpu": cpu, "rows": report.rows}))
"""


def _periods() -> list[str]:
    years = [str(y) for y in range(2010, 2025)]
    quarters = [f"{y}-Q{q}" for y in range(2010, 2025) for q in range(1, 5)]
    months = [f"{y}-M{m:02d}" for y in range(2010, 2025) for m in range(1, 13)]
    return years + quarters + months


def _value(code: str, unit: str, step: int) -> str:
    """A figure no blocking rule refuses, moving a little from period to period."""
    wobble = (step * 7919) % 100 / 100
    if unit == "%":
        number = 5 + 10 * wobble if "GROWTH" in code or "REDUCTION" in code else 30 + wobble
    elif unit == "hạng":
        number = 1 + (step % 60)
    elif code == "HDI":
        number = 0.70 + wobble / 10
    elif code == "LIFE_EXPECTANCY":
        number = 70 + wobble
    elif unit in ("điểm %", "lần", "chỉ số"):
        number = 1 + wobble
    else:
        number = 10 + step % 50
    return f"{number:.2f}" if number != int(number) else str(int(number))


def write_file(path: Path, indicators: list[tuple[str, str]], rows: int) -> None:
    periods = _periods()
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["indicator", "region", "period", "value", "unit", "status", "note"])
        written = 0
        for period in periods:
            for region in REGIONS:
                for step, (code, unit) in enumerate(indicators):
                    if written == rows:
                        return
                    out.writerow(
                        [code, region, period, _value(code, unit, step + written), "", "", ""]
                    )
                    written += 1
    if written < rows:
        raise SystemExit(f"only {written} distinct figures to write; ask for fewer rows")


def _env(tree: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree / "src")}


def load(tree: Path, url: str, folder: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "chitieu", "--db", url, "load"],
        cwd=folder,
        env=_env(tree),
        check=True,
        capture_output=True,
    )


def enterable(tree: Path, url: str) -> list[tuple[str, str]]:
    code = (
        "import json, sys\n"
        "from chitieu import create_engine, list_indicators, transaction\n"
        "with transaction(create_engine(sys.argv[1])) as s:\n"
        "    print(json.dumps([(i.code, i.unit) for i in list_indicators(s)"
        " if not i.is_derived]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, url], env=_env(tree), check=True, capture_output=True
    )
    return [tuple(pair) for pair in json.loads(out.stdout)]


def timed(tree: Path, url: str, path: Path) -> tuple[float, float]:
    """Rows per second of wall-clock time, and per second of the process's own CPU time."""
    out = subprocess.run(
        [sys.executable, "-c", TIMED, url, str(path)],
        env=_env(tree),
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"{tree}: the import failed: {out.stderr.strip().splitlines()[-1][:2000]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    rows = float(result["rows"])
    return rows / float(result["seconds"]), rows / float(result["cpu"])


def _postgres_database(name: str) -> str:
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return f"{POSTGRES}/{name}"


def measure(
    tree: Path, work: Path, csv_path: Path, runs: int, postgresql: bool
) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) rows per second of each run on SQLite (and PostgreSQL), a fresh database each."""
    template = work / f"{tree.name}-template.db"
    if not template.exists():
        load(tree, f"sqlite:///{template}", work)
    results: dict[str, list[tuple[float, float]]] = {"sqlite": []}
    for run in range(runs):
        database = work / f"{tree.name}-{run}.db"
        shutil.copy(template, database)
        results["sqlite"].append(timed(tree, f"sqlite:///{database}", csv_path))
        database.unlink()
    if postgresql:
        results["postgresql"] = []
        for _run in range(runs):
            url = _postgres_database("bench_import_speed")
            load(tree, url, work)
            results["postgresql"].append(timed(tree, url, csv_path))
    return results


def _line(label: str, rates: list[tuple[float, float]]) -> str:
    wall = [r[0] for r in rates]
    cpu = [r[1] for r in rates]
    shown = ", ".join(f"{r:,.0f}" for r in wall)
    return (
        f"{label}: median {statistics.median(wall):,.0f} rows/s (runs {shown}); "
        f"per CPU-second of the importing process {statistics.median(cpu):,.0f}"
    )


def _load() -> str:
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tree", type=Path, action="append", default=[], help="another checkout")
    parser.add_argument("--postgresql", action="store_true", help="PostgreSQL at 127.0.0.1 too")
    args = parser.parse_args()
    trees = [*args.tree, ROOT]
    load_before = _load()
    medians: dict[tuple[Path, str], tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        # The indicators every measured tree's catalogue has, in the newest tree's order.
        indicators: list[tuple[str, str]] | None = None
        for tree in reversed(trees):
            template = work / f"{tree.name}-template.db"
            load(tree, f"sqlite:///{template}", work)
            known = enterable(tree, f"sqlite:///{template}")
            indicators = known if indicators is None else [i for i in indicators if i in known]
        csv_path = work / "so_lieu.csv"
        write_file(csv_path, indicators or [], args.rows)
        for tree in trees:
            for backend, rates in measure(tree, work, csv_path, args.runs, args.postgresql).items():
                medians[tree, backend] = (
                    statistics.median(r[0] for r in rates),
                    statistics.median(r[1] for r in rates),
                )
                print(_line(f"{tree} {backend}, {args.rows:,} rows", rates))
    for backend in ("sqlite", "postgresql"):
        for tree in args.tree:
            if (tree, backend) in medians:
                new, old = medians[ROOT, backend], medians[tree, backend]
                print(
                    f"{backend}: {ROOT} is {new[0] / old[0]:.1f}x {tree} "
                    f"(per CPU-second {new[1] / old[1]:.1f}x)"
                )
    verdict = "met" if medians[ROOT, "sqlite"][0] >= GOAL_ROWS_PER_SECOND else "NOT met"
    print(
        f"goal {GOAL_ROWS_PER_SECOND:,} rows/s on SQLite: {verdict}; "
        f"{platform.machine()}, {os.cpu_count()} CPUs, load average {load_before} before, "
        f"{_load()} after, {date.today():%d/%m/%Y}"
    )


if __name__ == "__main__":
    main()
