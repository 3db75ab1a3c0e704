"""The national scale: writing the synthetic dataset, then assessing every target.

For each repeat, a new PostgreSQL database (or SQLite file with ``--sqlite``)
receives ``chitieu synth --seed 1`` (34 provinces, 3,321 communes, 120
indicators, 2010-2030: about 15 million figures; the provinces' and the
country's plans and a yearly plan per commune, about 85,000 targets) in a child
process, then ``chitieu assess --all --format json`` judges every target of
every plan in another. Wall time and the child's peak memory (ru_maxrss) are
printed per run with the load average before and after (other work on the same
cores slows both), then the medians and a line ready for BENCHMARKS.md. Goals:
assessing every target < 60 s on 2 cores with peak memory < 2 GB. ``--keep
NAME`` leaves the last database for the web benchmark (``bench/web_latency.py
--db ...``). ``--existing URL`` skips the load and assesses that database
(already written by ``synth``); ``--save FILE`` keeps the last assessment's
JSON, to compare byte for byte with a run of other code.

    .venv/bin/python bench/national_scale.py [--repeats 3] [--communes 3321]
        [--server postgresql+psycopg://postgres@127.0.0.1:5432] [--keep bench_national]
        [--existing postgresql+psycopg://postgres@127.0.0.1:5432/bench_national]
        [--save assess.json]
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
    """Seconds, the child's own peak memory in GB, and the stdout of ``chitieu ARGS``.

    The child's processor time (user and system) goes to ``CPU_SECONDS``: on cores
    shared with other work, wall time says as much of the others as of this.
    """
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
    CPU_SECONDS.append(usage.ru_utime + usage.ru_stime)
    return seconds, usage.ru_maxrss / 1024 / 1024, out


CPU_SECONDS: list[float] = []


def fresh_database(args: argparse.Namespace, name: str, folder: Path) -> str:
    if args.sqlite:
        return f"sqlite:///{folder / (name + '.db')}"
    admin = sa.create_engine(f"{args.server}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{args.server}/{name}"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--communes", type=int, default=3321)
    parser.add_argument("--server", default=SERVER)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--keep", default="bench_national")
    parser.add_argument("--existing", help="assess this database, already written by synth")
    parser.add_argument("--save", type=Path, help="write the last assessment's JSON here")
    args = parser.parse_args()
    loads, assessments, memories = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for repeat in range(args.repeats):
            last = repeat == args.repeats - 1
            before = load_average()
            if args.existing:
                url, said = args.existing, "synth skipped (--existing)"
            else:
                url = fresh_database(args, args.keep if last else "bench_n", Path(folder))
                load, load_gb, out = timed(
                    "--db", url, "synth", "--seed", "1", "--communes", str(args.communes)
                )
                lines = out.splitlines()
                rows = next(line for line in lines if "observation:" in line).split(":")[1]
                loads.append(load)
                said = f"synth {load:.1f} s ({rows.strip()} figures, peak {load_gb:.2f} GB)"
            seconds, gb, records = timed(
                "--db", url, "assess", "--all", "--as-of", "2026-12-31", "--format", "json"
            )
            if last and args.save:
                args.save.write_text(records, encoding="utf-8")
            targets = len(json.loads(records))
            assessments.append(seconds)
            memories.append(gb)
            print(
                f"run {repeat + 1}: {said}; assess {targets} targets {seconds:.1f} s "
                f"({CPU_SECONDS[-1]:.1f} s of processor), peak {gb:.2f} GB; "
                f"load average {before} before, {load_average()} after"
            )
    backend = "SQLite" if args.sqlite else "PostgreSQL"
    synth = f"synth median {statistics.median(loads):.1f} s; " if loads else ""
    print(
        f"\n{date.today():%d/%m/%Y}, {platform.node()}, {os.cpu_count()} cores, {backend}: "
        f"{synth}assess every target median "
        f"{statistics.median(assessments):.1f} s (goal < {GOAL_SECONDS:.0f} s), peak memory "
        f"{max(memories):.2f} GB (goal < {GOAL_MEMORY_GB:.0f} GB)"
    )


if __name__ == "__main__":
    main()
