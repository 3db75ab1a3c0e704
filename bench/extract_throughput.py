"""Extraction throughput: MB/s of text through the figure grammar.

The corpus (../shared/corpus, or a folder given as the first argument) is
repeated until it holds at least 20 MB, split into documents as they are,
and run through ``extract_figures`` five times; the median is printed, with a
single regular-expression pass over the same text for comparison.

    .venv/bin/python bench/extract_throughput.py [CORPUS_DIR] [--megabytes 20] [--skip-big]

``--parallel`` measures instead what ``chitieu extract --jobs N`` does with an
archive: the corpus copied into a temporary folder as ``--files`` files, read
and extracted by ``extract_files`` with each ``--jobs`` value, every run in a
fresh process (so each pays for starting its pool, as a command does), the
values taking turns so that a busy spell of the machine falls on both:

    .venv/bin/python bench/extract_throughput.py --parallel [--files 200] [--jobs 1 2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing.forkserver
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from chitieu.extraction.batch import Extracted, extract_files
from chitieu.extraction.grammar import extract_figures
from chitieu.extraction.pool import process_map
from chitieu.extraction.records import DocumentContext

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--megabytes", type=float, default=20.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--parallel", action="store_true", help="an archive, by --jobs")
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--one-run", help=argparse.SUPPRESS)
    parser.add_argument("--skip-big", action="store_true", help="leave out the 50 MB document")
    args = parser.parse_args()
    if args.one_run:
        return one_run(Path(args.one_run), args.jobs[0])
    if args.parallel:
        return parallel(Path(args.corpus), args.files, args.jobs, args.repeats)
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(args.corpus).glob("*.txt"))]
    size = sum(len(t.encode("utf-8")) for t in texts)
    copies = max(1, int(args.megabytes * 1e6 / size) + 1)
    documents = texts * copies
    total = size * copies
    print(f"{len(documents)} documents, {total / 1e6:.1f} MB")

    # CPU time beside the wall clock: on a shared machine it is the steadier of the two.
    timings, cpu, figures = [], [], 0
    for _ in range(args.repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        figures = sum(
            len(extract_figures(text, DocumentContext(name=f"d{i}.txt", region="Bắc Giang")))
            for i, text in enumerate(documents)
        )
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    median, median_cpu = statistics.median(timings), statistics.median(cpu)
    print(
        f"extract_figures: median {median:.2f} s of {args.repeats} runs, "
        f"{total / 1e6 / median:.2f} MB/s, {figures} figures; "
        f"CPU {median_cpu:.2f} s, {total / 1e6 / median_cpu:.2f} MB/s of CPU time"
    )

    number = re.compile(r"\d+(?:[.,]\d+)*\s*%?")
    regex_timings, regex_cpu = [], []
    for _ in range(args.repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        for text in documents:
            sum(1 for _ in number.finditer(text))
        regex_timings.append(time.perf_counter() - start)
        regex_cpu.append(time.process_time() - start_cpu)
    regex, regex_cpu_median = statistics.median(regex_timings), statistics.median(regex_cpu)
    print(
        f"one regex pass: median {regex:.2f} s, {total / 1e6 / regex:.1f} MB/s "
        f"(grammar at {regex / median:.3f} of its speed; "
        f"CPU {regex_cpu_median:.2f} s, at {regex_cpu_median / median_cpu:.3f} in CPU time)"
    )
    if args.skip_big:
        return 0

    # One large document: time and memory grow with the document, not the run.
    big = "\n\n".join(texts * max(1, int(50e6 / size)))
    start = time.perf_counter()
    count = len(extract_figures(big, DocumentContext(name="big.txt", region="Bắc Giang")))
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"one {len(big.encode('utf-8')) / 1e6:.0f} MB document: {elapsed:.1f} s, "
        f"{count} figures, peak resident memory of the process {peak:.0f} MB"
    )
    return 0


def parallel(corpus: Path, files: int, jobs: list[int], repeats: int) -> int:
    sources = sorted(corpus.glob("*.txt"))
    folder = Path(tempfile.mkdtemp(prefix="chitieu-archive-"))
    try:
        for number in range(files):
            source = sources[number % len(sources)]
            shutil.copyfile(source, folder / f"{number:04d}_{source.name}")
        total = sum(p.stat().st_size for p in folder.iterdir())
        print(f"{files} files, {total / 1e6:.1f} MB, {os.cpu_count()} cores, {repeats} runs each")
        runs: dict[int, list[dict[str, float]]] = {n: [] for n in jobs}
        for _ in range(repeats):
            for n in jobs:
                runs[n].append(_child_run(folder, n))
    finally:
        shutil.rmtree(folder)
    base = statistics.median(run["seconds"] for run in runs[jobs[0]])
    for n in jobs:
        seconds = statistics.median(run["seconds"] for run in runs[n])
        wall = statistics.median(run["wall"] for run in runs[n])
        own = max(run["self_mb"] for run in runs[n])
        workers = max(run["children_mb"] for run in runs[n])
        print(
            f"--jobs {n}: median {seconds:.2f} s ({total / 1e6 / seconds:.2f} MB/s), "
            f"process {wall:.2f} s, {runs[n][0]['figures']:.0f} figures, "
            f"peak memory {own:.0f} MB own + {workers:.0f} MB largest worker, "
            f"{base / seconds:.2f}x --jobs {jobs[0]}; runs "
            + " ".join(f"{run['seconds']:.2f}" for run in runs[n])
        )
    return 0


def _child_run(folder: Path, jobs: int) -> dict[str, float]:
    """One run in a process of its own: its peak memory is its run's alone."""
    start = time.perf_counter()
    command = [sys.executable, __file__, "--one-run", str(folder), "--jobs", str(jobs)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout)
    result["wall"] = time.perf_counter() - start
    return result


def one_run(folder: Path, jobs: int) -> int:
    paths = sorted(folder.iterdir())
    start = time.perf_counter()
    with process_map(jobs) as mapper:
        results = list(extract_files(paths, region="Bắc Giang", mapper=mapper))
    seconds = time.perf_counter() - start
    assert all(isinstance(r, Extracted) for r in results)
    figures = sum(len(r.figures) for r in results if isinstance(r, Extracted))
    # Workers are the fork server's children: stop it, so their usage is counted here.
    multiprocessing.forkserver._forkserver._stop()  # type: ignore[attr-defined]
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {"seconds": seconds, "figures": figures, "self_mb": own, "children_mb": children}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
