"""The national scale: writing the synthetic dataset, then assessing every target.

For each repeat, a new PostgreSQL database (or SQLite file with ``--sqlite``)
receives ``chitieu synth --seed 1`` (34 provinces, 3,321 communes, 120
indicators, 2010-2030: about 15 million figures) in a child process, then
``chitieu assess --format json`` judges every target of every plan in another.
Wall time and the child's peak memory (ru_maxrss) are printed per run, then the
medians and a line ready for BENCHMARKS.md. Goals: assessing every target
< 60 s on 2 cores with peak memory < 2 GB. ``--keep NAME`` leaves the last
database for the web benchmark (``bench/web_latency.py --db ...``).

    .venv/bin/python bench/national_scale.py [--repeats 3] [--communes 3321]
        [--server postgresql+psycopg://postgres@127.0.0.1:5432] [--keep bench_national]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
GOAL_SECONDS, GOAL_MEMORY_GB = 60.0, 2.0


def timed(*args: str) -> tuple[float, float, str]:
    """Seconds, the child's own peak memory in GB, and the stdout of ``chitieu ARGS``."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            [sys.executable, "-m", "chitieu", *args],
            stdout=subprocess.PIPE,
            stderr=errors,
            env={**os.environ, "COLUMNS": "200"},
        )
        assert child.stdout is not None
        out = child.stdout.read().decode()
        # wait4 gives this child's own resource use, not the largest child's so far.
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        if child.returncode != 0:
            errors.seek(0)
            sys.exit(f"chitieu {' '.join(args)} failed: {errors.read().decode().strip()}")
    return seconds, usage.ru_maxrss / 1024 / 1024, out


def fresh_database(args: argparse.Namespace, name: str, folder: Path) -> str:
    if args.sqlite:
        return f"sqlite:///{folder / (name + '.db')}"
    admin = sa.create_engine(f"{args.server}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{args.server}/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--communes", type=int, default=3321)
    parser.add_argument("--server", default=SERVER)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--keep", default="bench_national")
    args = parser.parse_args()
    loads, assessments, memories = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for repeat in range(args.repeats):
            last = repeat == args.repeats - 1
            url = fresh_database(args, args.keep if last else "bench_n", Path(folder))
            load, load_gb, out = timed(
                "--db", url, "synth", "--seed", "1", "--communes", str(args.communes)
            )
            rows = next(line for line in out.splitlines() if "observation:" in line).split(":")[1]
            seconds, gb, records = timed(
                "--db", url, "assess", "--as-of", "2026-12-31", "--format", "json"
            )
            targets = len(json.loads(records))
            loads.append(load)
            assessments.append(seconds)
            memories.append(gb)
            print(
                f"run {repeat + 1}: synth {load:.1f} s ({rows.strip()} figures, peak "
                f"{load_gb:.2f} GB); assess {targets} targets {seconds:.1f} s, peak {gb:.2f} GB"
            )
    backend = "SQLite" if args.sqlite else "PostgreSQL"
    print(
        f"\n{date.today():%d/%m/%Y}, {platform.node()}, {os.cpu_count()} cores, {backend}: "
        f"synth median {statistics.median(loads):.1f} s; assess every target median "
        f"{statistics.median(assessments):.1f} s (goal < {GOAL_SECONDS:.0f} s), peak memory "
        f"{max(memories):.2f} GB (goal < {GOAL_MEMORY_GB:.0f} GB)"
    )


if __name__ == "__main__":
    main()
