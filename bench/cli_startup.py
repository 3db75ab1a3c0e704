"""CLI start-up: how long `chitieu --help` and a listing (`chitieu plans`) take, a new process each.

Loads the embedded dataset into a fresh SQLite file, then times each command with
hyperfine when it is installed (else repeated runs, median) and prints lines for
BENCHMARKS.md with the machine's load. Goals: `--help` < 0.3 s, `plans` < 0.6 s.

    .venv/bin/python bench/cli_startup.py [--runs 20] [--src path/to/another/src]

``--src`` times another checkout's sources (the code before a change) with the same
interpreter and database.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOALS = {"--help": 0.3, "plans": 0.6}


def timings(
    command: list[str], *, runs: int, environment: dict[str, str]
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of ``runs`` runs of ``command``, after two warm-up runs.

    On a shared machine the CPU time (user + system) says more than the wall clock,
    which waits for other people's work.
    """
    hyperfine = shutil.which("hyperfine")
    if hyperfine:
        with tempfile.NamedTemporaryFile(suffix=".json") as export:
            subprocess.run(
                [
                    hyperfine,
                    "--warmup",
                    "2",
                    "--runs",
                    str(runs),
                    "--shell=none",
                    "--style",
                    "none",
                    "--export-json",
                    export.name,
                    " ".join(command),
                ],
                env=environment,
                check=True,
                capture_output=True,
            )
            result = json.loads(Path(export.name).read_text())["results"][0]
            # hyperfine gives the CPU time's mean only, not each run's.
            return list(result["times"]), [result["user"] + result["system"]]
    wall, cpu = [], []
    for run in range(runs + 2):
        before = os.times()
        start = time.perf_counter()
        subprocess.run(command, env=environment, check=True, capture_output=True)
        after = os.times()
        if run >= 2:
            wall.append(time.perf_counter() - start)
            cpu.append(
                after.children_user
                - before.children_user
                + after.children_system
                - before.children_system
            )
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    args = parser.parse_args()
    environment = {**os.environ, "PYTHONPATH": str(args.src.resolve()), "COLUMNS": "100"}
    with tempfile.TemporaryDirectory() as folder:
        database = str(Path(folder) / "bench.db")
        chitieu = [sys.executable, "-m", "chitieu"]
        subprocess.run(
            [*chitieu, "--db", database, "load"], env=environment, check=True, capture_output=True
        )
        commands = {"--help": ["--help"], "plans": ["--db", database, "plans"]}
        for name, command in commands.items():
            found, cpu = timings([*chitieu, *command], runs=args.runs, environment=environment)
            median = statistics.median(found)
            load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
            verdict = "met" if median < GOALS[name] else "NOT met"
            print(
                f"| `chitieu {name}` | median of {len(found)} runs: **{median:.2f} s** "
                f"(min {min(found):.2f}, max {max(found):.2f}; goal < {GOALS[name]} s, "
                f"{verdict}; CPU time {statistics.median(cpu):.2f} s) "
                f"| load average {load}, {os.cpu_count()} CPUs |"
            )


if __name__ == "__main__":
    main()
