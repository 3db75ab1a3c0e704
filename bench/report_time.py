"""Report time: how long `chitieu report --format pdf` takes for the embedded plan.

Loads the embedded dataset with the corpus texts into a fresh SQLite file, then
runs the command as a person would (a new process each time: imports, chart
rendering and PDF layout all counted) five times and prints the median as a
line for BENCHMARKS.md. The goal is under 10 seconds.

With ``--db`` the report is written from that database as it is (nothing is
loaded or written there), for ``--plan``: a national plan of the synthetic
dataset (``chitieu synth``).

    .venv/bin/python bench/report_time.py [--runs 5] [--documents ../shared/corpus]
    .venv/bin/python bench/report_time.py --db postgresql+psycopg://…/bench_national \
        --plan syn-kh-2026-2030-syn_n01 --as-of 2026-12-31 --runs 3
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 10.0


def chitieu(*args: str, cwd: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "chitieu", *args], cwd=cwd, check=True, capture_output=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--documents", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--as-of", default="2025-12-31")
    parser.add_argument("--db", help="an existing database (URL or file), read only")
    parser.add_argument("--plan", help="the plan's code (default: the plan in force)")
    args = parser.parse_args()
    chosen = ("--plan", args.plan) if args.plan else ()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        database = args.db or str(work / "bench.db")
        if args.db is None:
            chitieu(
                "--db", database, "load", "--documents", str(args.documents.resolve()), cwd=work
            )
        times, cpu = [], []
        for run in range(args.runs):
            out = work / f"report-{run}.pdf"
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            chitieu(
                "--db",
                database,
                "report",
                *chosen,
                "--as-of",
                args.as_of,
                "--format",
                "pdf",
                "--out",
                str(out),
                cwd=work,
            )
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            assert out.stat().st_size > 0
        pages = subprocess.run(
            ["pdfinfo", str(work / "report-0.pdf")], capture_output=True, text=True, check=True
        ).stdout
        page_count = next(
            line.split()[-1] for line in pages.splitlines() if line.startswith("Pages")
        )
    shown_plan = f"plan {args.plan}" if args.plan else "embedded plan kh-ktxh-2024"
    median = statistics.median(times)
    verdict = "met" if median < GOAL_SECONDS else "NOT met"
    shown = ", ".join(f"{t:.1f}" for t in times)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"| Periodic report, PDF (`chitieu report --format pdf`, {shown_plan}, "
        f"{page_count} pages) | median of {args.runs} runs: **{median:.1f} s** "
        f"(goal < {GOAL_SECONDS:.0f} s, {verdict}; runs {shown} s; CPU time "
        f"{statistics.median(cpu):.1f} s; a new process each run) "
        f"| {platform.machine()}, {os.cpu_count()} CPUs, load average {load}, "
        f"Python {platform.python_version()} |"
    )


if __name__ == "__main__":
    main()
