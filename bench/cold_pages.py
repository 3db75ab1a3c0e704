"""Cold pages: the first request of each page a planner opens, on a server just started.

Starts ``chitieu serve`` (one uvicorn process, as deployed: the start-up and
sign-in of ``bench/web_latency.py``) on the embedded dataset loaded into a
fresh SQLite file, or on the database given with ``--db`` (where the only
write is the bench's viewer, made or given a new password, and its token).
A viewer signs in, then opens each page once, in the order a planner would:
the overview, the GRDP growth indicator (its default region, then a
commune's), the indicator page's region search, the tasks board, the
scenario page, a plan's overview. A fresh server for each repeat; the median
over the repeats of each page's wall time and of the server process's CPU
time (user + system, from /proc) while it answered. Goal: every page under
500 ms. A page that does not answer within ``--timeout`` counts as endless.
``--settle`` waits that many seconds after start-up before the first
page (the pages drawn at start are then ready).

    .venv/bin/python bench/cold_pages.py [--repeats 3] [--settle 0]
        [--db postgresql+psycopg://postgres@127.0.0.1:5432/bench_national]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import select

from chitieu import open_database, transaction
from chitieu._text import fold
from chitieu.observation.models import Observation
from chitieu.plan.models import Plan
from chitieu.region.models import Region

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_latency import free_port, machine, prepare, server, sign_in

GOAL_MS = 500.0
INDICATOR = "GRDP_GROWTH"
TICKS = os.sysconf("SC_CLK_TCK")


def planner_pages(url: str) -> list[tuple[str, str, dict[str, str]]]:
    """(what, path, extra headers) in the order a planner opens them."""
    engine = open_database(url)
    try:
        with transaction(engine, writes=False) as session:
            # A commune reporting the indicator, else any region but the first reporting it.
            having = (
                select(Observation.region_id)
                .where(Observation.indicator_code == INDICATOR)
                .where(Observation.region_id == Region.id)
                .exists()
            )
            place = session.scalar(
                select(Region)
                .where(having)
                .order_by((Region.level == "commune").desc(), Region.id.desc())
            )
            assert place is not None, f"no region has {INDICATOR} figures"
            plan = session.scalar(
                select(Plan).where(Plan.region_id == place.id).order_by(Plan.id).limit(1)
            ) or session.scalar(select(Plan).order_by(Plan.id).limit(1))
            assert plan is not None
            region, level, name, plan_code = place.code, place.level, place.name, plan.code
    finally:
        engine.dispose()
    htmx = {"HX-Request": "true"}
    search = fold(name)
    return [
        ("overview", "/overview", {}),
        ("indicator, default region", f"/indicators/{INDICATOR}", {}),
        (f"indicator, a {level}'s", f"/indicators/{INDICATOR}?region={region}", {}),
        (f"region search «{search}» (htmx)", f"/indicators/{INDICATOR}/regions?q={search}", htmx),
        ("tasks board", "/tasks", {}),
        ("scenario", "/scenario", {}),
        ("a plan's overview", f"/overview?plan={plan_code}", {}),
    ]


def server_pid(port: int) -> int:
    """The ``chitieu serve`` process listening on ``port``: a child of this one."""
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        for child in (task / "children").read_text().split():
            command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            if b"serve" in command and str(port).encode() in command:
                return int(child)
    raise SystemExit("cannot find the server process")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def one_server(
    url: str,
    viewer: object,
    pages: list[tuple[str, str, dict[str, str]]],
    folder: Path,
    settle: float,
    timeout: float,
) -> dict[str, tuple[float, float]]:
    """Each page's first request on a fresh server, then its second (``… again``):
    (wall ms, server CPU ms)."""
    port = free_port()
    took: dict[str, tuple[float, float]] = {}
    with server(url, port, folder / "server.log") as base:
        pid = server_pid(port)
        headers = sign_in(base, viewer, by_token=False)  # type: ignore[arg-type]
        time.sleep(settle)
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            for what, path, extra in [*pages, *((f"{w} again", p, e) for w, p, e in pages)]:
                cpu = cpu_seconds(pid)
                started = time.perf_counter()
                try:
                    response = client.get(path, headers=extra, timeout=timeout)
                except httpx.TimeoutException:
                    took[what] = (math.inf, (cpu_seconds(pid) - cpu) * 1000)
                    print(f"  {what}: no answer within {timeout:g} s", flush=True)
                    continue
                wall = time.perf_counter() - started
                if response.status_code != 200:  # a page this version does not have
                    print(f"  {path} answers {response.status_code}", flush=True)
                    continue
                took[what] = (wall * 1000, (cpu_seconds(pid) - cpu) * 1000)
                print(f"  {what}: {wall * 1000:.0f} ms", flush=True)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a database URL (default: a fresh SQLite file)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--settle", type=float, default=0.0, help="seconds to wait after start")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for a page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chitieu-cold-") as name:
        folder = Path(name)
        url, viewer = prepare(args.db, folder)
        backend = "SQLite (embedded data)" if url.startswith("sqlite") else "PostgreSQL"
        pages = planner_pages(url)
        runs: list[dict[str, tuple[float, float]]] = []
        load_before = Path("/proc/loadavg").read_text().split()[:3]
        for repeat in range(args.repeats):
            print(f"repeat {repeat + 1}:", flush=True)
            took = one_server(url, viewer, pages, folder, args.settle, args.timeout)
            runs.append(took)
        load_after = Path("/proc/loadavg").read_text().split()[:3]
    options = (" --db URL" if args.db else "") + (
        f" --settle {args.settle:g}" if args.settle else ""
    )
    print(f"\nload average before {' '.join(load_before)}, after {' '.join(load_after)}")
    print(f"median over {args.repeats} fresh servers (goal < {GOAL_MS:.0f} ms):")
    for what in [w for w, _p, _h in pages] + [f"{w} again" for w, _p, _h in pages]:
        if any(what not in run for run in runs):
            continue
        wall = statistics.median(run[what][0] for run in runs)
        cpu = statistics.median(run[what][1] for run in runs)
        verdict = "met" if wall < GOAL_MS else "**not met**"
        shown = f"> {args.timeout:g} s" if math.isinf(wall) else f"{wall:.0f} ms"
        print(
            f"| `bench/cold_pages.py{options}` | {backend} | {what} | "
            f"{'second' if what.endswith(' again') else 'first'} request "
            f"**{shown}** | server CPU {cpu:.0f} ms | goal < {GOAL_MS:.0f} ms: {verdict} | "
            f"{machine()} | {date.today():%d/%m/%Y} |"
        )


if __name__ == "__main__":
    main()
