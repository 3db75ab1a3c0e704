"""Where extraction runs: this process, a pool of local processes, or a Dask cluster.

Each is a context manager giving a ``Mapper`` for ``chitieu.extraction.batch``,
so the pool and the cluster share all of the code but the call that sends work.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from chitieu._errors import ChitieuError
from chitieu.extraction.batch import Mapper, read_file

# A spawned worker imports chitieu before its first file, about 1–2 s; below
# this much input the pool costs more than it saves (see BENCHMARKS.md).
PARALLEL_FROM_BYTES = 4 * 1024 * 1024


def cores() -> int:
    """The cores this process may run on (a container's share, not the machine's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_jobs(paths: Sequence[Path]) -> int:
    """One process for a few small files, else one per core (at most one per file)."""
    if len(paths) < 2 or _total_bytes(paths) < PARALLEL_FROM_BYTES:
        return 1
    return min(cores(), len(paths))


def _total_bytes(paths: Sequence[Path]) -> int:
    total = 0
    for path in paths:
        try:
            total += path.stat().st_size
        except OSError:
            continue  # read_file reports it, in its place
    return total


@contextmanager
def process_map(jobs: int) -> Iterator[Mapper]:
    """``map`` itself for one job, else a pool of ``jobs`` worker processes.

    Workers come from a fork server where there is one (Linux, macOS), else
    are spawned; never forked from this process, which would copy its threads
    (a progress bar's) and its database connections. The fork server imports
    chitieu once, so workers start in milliseconds instead of a second each.
    """
    if jobs <= 1:
        yield map
        return
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=_worker_context())
    try:
        yield pool.map
    finally:
        # On an error or Ctrl-C, files not yet started are dropped, not waited for.
        pool.shutdown(wait=True, cancel_futures=True)


def _worker_context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Read when the server starts (once per process); later calls change nothing.
    context.set_forkserver_preload([read_file.__module__])
    return context


@contextmanager
def dask_map(scheduler: str) -> Iterator[Mapper]:
    """A mapper sending each file to the workers of the Dask scheduler at ``scheduler``.

    The workers read the files by the paths given, so those must name the same
    files there (absolute paths on a shared folder).
    """
    try:
        from distributed import Client
    except ImportError:
        raise ChitieuError(
            f"--dask-scheduler {scheduler}: chưa cài gói distributed của Dask; "
            "hãy cài bằng: pip install distributed "
            "(Dask's distributed package is not installed)"
        ) from None
    try:
        client = Client(scheduler, timeout="10s", set_as_default=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ChitieuError(f"không kết nối được bộ lập lịch Dask {scheduler}: {reason}") from None
    with client:
        yield _client_map(client)


def _client_map(client: Any) -> Mapper:
    def mapped(function: Callable[..., Any], *iterables: Sequence[Any]) -> Iterator[Any]:
        futures = client.map(function, *iterables, pure=False)
        try:
            for future in futures:
                yield future.result()
        finally:
            client.cancel(futures)

    return mapped


@contextmanager
def mapper_for(
    paths: Sequence[Path], *, jobs: int | None = None, dask_scheduler: str | None = None
) -> Iterator[Mapper]:
    """The mapper asked for: a Dask scheduler if one is named, else ``jobs`` processes.

    ``jobs`` None chooses by the files (``default_jobs``).
    """
    if dask_scheduler:
        with dask_map(dask_scheduler) as mapper:
            yield mapper
        return
    with process_map(jobs if jobs is not None else default_jobs(paths)) as mapper:
        yield mapper
