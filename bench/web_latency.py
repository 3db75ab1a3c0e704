"""Web latency: the dashboard's pages under 20 concurrent clients.

Starts ``chitieu serve`` (one uvicorn process, as deployed) on the embedded
dataset loaded into a fresh SQLite file, or on the database given with
``--db`` (loaded first if it holds no plan). A viewer signs in through the
login form and every client sends that session cookie, as a browser would
(``--token``: a viewer's API token instead). After a warm-up, 20 clients
request one page as fast as they can for ``--seconds``; then the next page.
Each page's p50/p95/p99 latency, requests per second, the server's CPU (user +
system, from /proc) per request and the load average around the run are
printed per repeat, then the median over the repeats, and a line ready for
BENCHMARKS.md. Goal: p95 ≤ 150 ms.

The clients: ``--client httpx`` (default) runs 20 httpx clients (asyncio, each
with its own connection) in this process, on the same cores as the server, so
its figures are an upper bound for the server alone. ``--client wrk`` runs
Debian's ``wrk`` (C, one thread, 20 connections) pinned with ``taskset`` to
``--client-cpus`` (default 1) and the server to ``--server-cpus`` (default 0):
the load generator then takes no CPU from the server.

    .venv/bin/python bench/web_latency.py [--seconds 10] [--repeats 3] [--clients 20]
        [--db postgresql+psycopg://postgres@127.0.0.1:5432/bench] [--token]
        [--client wrk] [--server-cpus 0] [--client-cpus 1]
        [--page /overview --page /tasks] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import func, select

from chitieu import load_folder, open_database, transaction
from chitieu.plan.models import Plan
from chitieu.user.models import User
from chitieu.user.service import create_user, issue_token, update_user
from chitieu.web._auth import SESSION_COOKIE

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("CHITIEU_SHARED", ROOT.parent / "shared")) / "corpus"
PAGES = ("/overview", "/indicators/GRDP_GROWTH", "/tasks", "/scenario")
GOAL_MS = 150.0
BENCH_USER = "bench-viewer"
STARTUP_SECONDS = 60.0
WARM_UP_SECONDS = 900.0
DEFAULTS = {"seconds": 10.0, "repeats": 3, "clients": 20}


@dataclass
class Run:
    """One page hammered for a while: each request's latency (httpx) or the percentiles wrk
    measured, the server's CPU seconds over the run and the load average around it."""

    page: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    failures: dict[int | str, int] = field(default_factory=dict)
    measured: dict[int, float] = field(default_factory=dict)
    count: int = 0
    server_cpu: float = math.nan
    load: tuple[str, str] = ("?", "?")
    # Requests the server still answers after the client stopped (wrk: one a connection).
    unfinished: int = 0

    def percentile(self, q: int) -> float:
        """In milliseconds; a failed request (error, timeout) counts as endless."""
        if self.measured:  # wrk's, of the requests that ended within the run
            if sum(self.failures.values()):
                return math.inf
            return self.measured[q] if self.count else math.nan
        ordered = sorted(self.latencies) + [math.inf] * sum(self.failures.values())
        if not ordered:
            return math.nan
        index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
        return ordered[index] * 1000

    @property
    def requests(self) -> int:
        return self.count or len(self.latencies)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms(self) -> float:
        """The server's CPU (user + system) per request it answered, those the client did
        not wait for included (the CPU is read once the server is idle again)."""
        served = self.requests + self.unfinished
        return self.server_cpu * 1000 / served if served else math.nan


@dataclass(frozen=True)
class Viewer:
    password: str
    token: str


def prepare(db: str | None, folder: Path, *, token: bool) -> tuple[str, Viewer]:
    """The database URL (loaded) and a viewer's password and API token (if ``token``: a
    shared database gets no token it does not need)."""
    url = db or f"sqlite:///{folder / 'bench.db'}"
    engine = open_database(url)
    try:
        with transaction(engine) as session:
            if not session.scalar(select(func.count()).select_from(Plan)):
                print(f"loading the embedded dataset into {engine.url!r} …", flush=True)
                load_folder(session, documents=CORPUS if CORPUS.is_dir() else None)
            # Random only: a password holding the user name ("bench") is refused.
            password = os.urandom(12).hex()
            user = session.scalars(select(User).where(User.username == BENCH_USER)).first()
            if user is None:
                user = create_user(session, username=BENCH_USER, password=password, role="viewer")
            else:
                update_user(session, user=user, password=password, actor="bench")
            issued = (
                issue_token(session, user=user, name="web latency bench", actor="bench")
                if token
                else ""
            )
    finally:
        engine.dispose()
    return url, Viewer(password=password, token=issued)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Served:
    base: str
    pid: int


@contextlib.contextmanager
def server(
    url: str, port: int, log: Path, workers: int = 1, cpus: str | None = None
) -> Iterator[Served]:
    """``chitieu serve`` in its own process (on the ``cpus`` given, ``taskset`` style), its
    errors to ``log``; stopped (SIGTERM) after."""
    command = [sys.executable, "-m", "chitieu", "--db", url, "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    if cpus is not None:
        command = ["taskset", "-c", cpus, *command]
    with log.open("wb") as errors:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-2000:]
                raise SystemExit(f"chitieu serve exited with {process.returncode}:\n{tail}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"chitieu serve did not answer within {STARTUP_SECONDS:.0f} s")
            time.sleep(0.1)
        yield Served(base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def client_loop(
    base: str, page: str, headers: dict[str, str], until: float, run: Run
) -> None:
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        while time.perf_counter() < until:
            started = time.perf_counter()
            try:
                response = await client.get(page)
            except httpx.HTTPError as exc:
                key: int | str = type(exc).__name__
            else:
                key = response.status_code
                if response.status_code == 200:
                    run.latencies.append(time.perf_counter() - started)
                    continue
            run.failures[key] = run.failures.get(key, 0) + 1


def sign_in(base: str, viewer: Viewer, by_token: bool) -> dict[str, str]:
    """Request headers of a signed-in viewer: the session cookie a browser gets, or the token."""
    if by_token:
        return {"Authorization": f"Bearer {viewer.token}"}
    with httpx.Client(base_url=base) as client:
        form = client.get("/login").text
        found = re.search(r'name="csrf_token" value="([^"]+)"', form)
        if found is None:
            raise SystemExit("the login page carries no CSRF token")
        answer = client.post(
            "/login",
            data={"username": BENCH_USER, "password": viewer.password, "csrf_token": found[1]},
        )
        if answer.status_code != 303:
            raise SystemExit(f"signing in failed: {answer.status_code} {answer.text[:300]}")
        return {"Cookie": f"{SESSION_COOKIE}={client.cookies[SESSION_COOKIE]}"}


async def hammer(
    base: str, page: str, headers: dict[str, str], clients: int, seconds: float
) -> Run:
    run = Run(page=page, seconds=seconds)
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(*(client_loop(base, page, headers, until, run) for _ in range(clients)))
    run.seconds = time.perf_counter() - started
    return run


WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("chitieu-wrk %d %d %d %d %d %d %d %.1f %.1f %.1f\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""
WRK_ERRORS = ("connect", "read", "write", "status", "timeout")


def wrk(
    base: str, page: str, headers: dict[str, str], args: argparse.Namespace, script: Path
) -> Run:
    """One page under ``wrk`` (a C client: one thread, ``--clients`` connections), pinned to
    ``--client-cpus`` so that it does not take the server's core."""
    command = ["taskset", "-c", args.client_cpus, "wrk", "-t1", f"-c{args.clients}"]
    command += [f"-d{args.seconds:g}s", "--timeout", "30s", "-s", str(script)]
    command += [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    answer = subprocess.run([*command, base + page], capture_output=True, text=True, check=True)
    found = re.search(r"^chitieu-wrk (.*)$", answer.stdout, re.M)
    if found is None:
        raise SystemExit(f"wrk said:\n{answer.stdout}\n{answer.stderr}")
    fields = found[1].split()
    total, micros, errors = int(fields[0]), int(fields[1]), [int(f) for f in fields[2:7]]
    run = Run(page=page, seconds=micros / 1e6, count=total - errors[3])
    run.failures = {name: n for name, n in zip(WRK_ERRORS, errors, strict=True) if n}
    run.measured = {q: float(v) / 1000 for q, v in zip((50, 95, 99), fields[7:], strict=True)}
    return run


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children alive now (``--workers`` N)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    stack = [pid]
    while stack:
        current = stack.pop()
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{current}/stat").read_text()
            utime, stime = stat.rsplit(")", 1)[1].split()[11:13]
            total += (int(utime) + int(stime)) / tick
            children = Path(f"/proc/{current}/task/{current}/children").read_text()
            stack += [int(child) for child in children.split()]
    return total


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def settle(pid: int, limit: float = 300.0) -> None:
    """Wait until the server is idle: requests the client gave up on at the end of a run
    (a slow page's) are still being answered, and would count against the next page."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(0.5)
        if cpu_seconds(pid) - before < 0.05:
            return


def measured(
    served: Served, page: str, headers: dict[str, str], args: argparse.Namespace, script: Path
) -> Run:
    """One page's run with the client chosen, the server's CPU and the load around it."""
    settle(served.pid)
    before, load = cpu_seconds(served.pid), load_average()
    if args.client == "wrk":
        run = wrk(served.base, page, headers, args, script)
        run.unfinished = args.clients
    else:
        run = asyncio.run(hammer(served.base, page, headers, args.clients, args.seconds))
    run.load = (load, load_average())
    settle(served.pid)
    run.server_cpu = cpu_seconds(served.pid) - before
    return run


def warm_up(base: str, pages: list[str], headers: dict[str, str]) -> None:
    """A few requests per page first: chart SVGs are cached, and caches are part of the app.
    The first (cold) request's time is printed: on a national database it is long."""
    with httpx.Client(base_url=base, headers=headers, timeout=WARM_UP_SECONDS) as client:
        for page in pages:
            times = []
            for _ in range(3):
                started = time.perf_counter()
                response = client.get(page)
                times.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise SystemExit(f"{page} answers {response.status_code}; is the page there?")
            print(f"warm-up {page}: " + ", ".join(f"{t * 1000:.0f}" for t in times) + " ms")


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}"


def shown(ms: float) -> str:
    return "∞ (failed)" if math.isinf(ms) else ("—" if math.isnan(ms) else f"{ms:.1f}")


def report(runs: dict[str, list[Run]], args: argparse.Namespace, backend: str) -> None:
    print()
    print(
        "| page | repeat | requests | req/s | p50 ms | p95 ms | p99 ms | server CPU ms/request "
        "| load before → after | failures |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for page, page_runs in runs.items():
        for number, run in enumerate(page_runs, 1):
            print(
                f"| `{page}` | {number} | {run.requests} | {run.rate:.1f} | "
                f"{shown(run.percentile(50))} | {shown(run.percentile(95))} | "
                f"{shown(run.percentile(99))} | {shown(run.cpu_ms)} | "
                f"{run.load[0]} → {run.load[1]} | {run.failures or '—'} |"
            )
    options = (
        (" --db URL" if args.db else "")
        + (" --token" if args.token else "")
        + (f" --client {args.client}" if args.client != "httpx" else "")
        + (f" --workers {args.workers}" if args.workers != 1 else "")
        + (f" --clients {args.clients}" if args.clients != DEFAULTS["clients"] else "")
        + (f" --seconds {args.seconds:g}" if args.seconds != DEFAULTS["seconds"] else "")
        + (f" --repeats {args.repeats}" if args.repeats != DEFAULTS["repeats"] else "")
        + (f" --server-cpus {args.server_cpus}" if args.server_cpus else "")
        + (f" --client-cpus {args.client_cpus}" if args.client == "wrk" else "")
        + "".join(f" --page {page}" for page in args.pages or ())
    )
    command = f"`.venv/bin/python bench/web_latency.py{options}`"
    print()
    print(f"median over {args.repeats} repeats of each page's p95 (goal ≤ {GOAL_MS:.0f} ms):")
    for page, page_runs in runs.items():
        p95 = statistics.median(run.percentile(95) for run in page_runs)
        p50 = statistics.median(run.percentile(50) for run in page_runs)
        p99 = statistics.median(run.percentile(99) for run in page_runs)
        rate = statistics.median(run.rate for run in page_runs)
        cpu = statistics.median(run.cpu_ms for run in page_runs)
        failed = sum(sum(run.failures.values()) for run in page_runs)
        verdict = "met" if p95 <= GOAL_MS and not failed else "**not met**"
        print(
            f"| {command} | {backend} | `{page}` | {args.clients} clients × {args.seconds:g} s × "
            f"{args.repeats} | p50 {shown(p50)} ms | **p95 {shown(p95)} ms** | "
            f"p99 {shown(p99)} ms | {rate:.1f} req/s | server CPU {shown(cpu)} ms/request | "
            f"{failed} failed | goal p95 ≤ {GOAL_MS:.0f} ms: {verdict} | {machine()} | "
            f"{date.today():%d/%m/%Y} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a database URL (default: a fresh SQLite file)")
    parser.add_argument("--seconds", type=float, default=DEFAULTS["seconds"])
    parser.add_argument("--repeats", type=int, default=DEFAULTS["repeats"])
    parser.add_argument("--clients", type=int, default=DEFAULTS["clients"])
    parser.add_argument("--page", action="append", dest="pages", help="(repeatable)")
    parser.add_argument("--workers", type=int, default=1, help="chitieu serve --workers")
    parser.add_argument(
        "--token", action="store_true", help="send a viewer's API token instead of signing in"
    )
    parser.add_argument(
        "--client", choices=("httpx", "wrk"), default="httpx", help="the load generator"
    )
    parser.add_argument("--server-cpus", help="taskset -c for the server (wrk: default 0)")
    parser.add_argument("--client-cpus", default="1", help="taskset -c for wrk (default 1)")
    args = parser.parse_args()
    if args.client == "wrk" and args.server_cpus is None:
        args.server_cpus = "0"
    pages = args.pages or list(PAGES)
    with tempfile.TemporaryDirectory(prefix="chitieu-bench-") as folder:
        url, viewer = prepare(args.db, Path(folder), token=args.token)
        backend = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
        log = Path(folder) / "server.log"
        script = Path(folder) / "report.lua"
        script.write_text(WRK_SCRIPT)
        with server(url, free_port(), log, args.workers, args.server_cpus) as served:
            headers = sign_in(served.base, viewer, args.token)
            warm_up(served.base, pages, headers)
            runs: dict[str, list[Run]] = {page: [] for page in pages}
            for repeat in range(args.repeats):
                for page in pages:
                    run = measured(served, page, headers, args, script)
                    runs[page].append(run)
                    print(
                        f"repeat {repeat + 1} {page}: {run.requests} requests, "
                        f"p95 {shown(run.percentile(95))} ms, server CPU {shown(run.cpu_ms)} "
                        f"ms/request, load {run.load[1]}, failures {run.failures or 0}",
                        flush=True,
                    )
        report(runs, args, backend)
        server_errors(log)


def server_errors(log: Path) -> None:
    """The server's distinct exceptions, counted: the figures mean little without them."""
    exceptions = re.findall(
        r"^([A-Za-z_][\w.]*(?:Error|Exception|Timeout)\b.*)$",
        log.read_text(errors="replace"),
        re.M,
    )
    counted: dict[str, int] = {}
    for line in exceptions:
        counted[line[:160]] = counted.get(line[:160], 0) + 1
    print(f"\nserver: {log.read_text(errors='replace').count('Exception in ASGI')} errors")
    for line, count in sorted(counted.items(), key=lambda item: -item[1]):
        print(f"  {count} × {line}")


if __name__ == "__main__":
    main()
