"""Progress throughput: series per second through the vectorized Open SDG measure.

Generates 1,000,000 synthetic series (seeded; 3-15 years each, with and without
targets, both directions, some limits, some base years moved or missing), then
times ``compute`` on the packed arrays five times on one core and prints the
median, with the ratio to Open SDG's own ~900 series per second on this machine
(sdg-build's ``IndicatorProgress``, one pandas series at a time). The packing
from Python objects and the unpacking to results are timed once, separately.

    .venv/bin/python bench/progress_throughput.py [--series 1000000] [--repeats 5]
"""

from __future__ import annotations

import os

# One core: set before numpy is imported.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from chitieu.assessment.open_sdg import STATUSES, Batch, Case, Config, compute, pack  # noqa: E402

OPEN_SDG_SERIES_PER_SECOND = 900  # the figure for sdg-build on this machine


def synthetic(n: int, seed: int = 20250601) -> Batch:
    """``n`` series, the same for the same seed."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(3, 16, size=n)
    total = int(lengths.sum())
    sid = np.repeat(np.arange(n), lengths)
    starts = np.cumsum(lengths) - lengths
    position = np.arange(total) - starts[sid]
    first_year = rng.integers(2008, 2021, size=n)
    # mostly consecutive years, some gaps
    step = 1 + (rng.random(total) < 0.2)
    step[starts] = 0
    years = first_year[sid] + np.cumsum(step) - np.cumsum(step)[starts][sid]
    base = rng.uniform(0.5, 2000, size=n)
    growth = rng.normal(0.0, 0.06, size=n)
    noise = rng.normal(0.0, 0.01, size=total)
    values = base[sid] * np.exp(growth[sid] * position + noise)
    values[rng.random(total) < 0.01] = np.nan  # a few missing figures
    with_target = rng.random(n) < 0.6
    target = np.where(with_target, base * rng.uniform(0.3, 2.5, size=n), np.nan)
    with_limit = ~with_target & (rng.random(n) < 0.3)
    limit = np.where(with_limit, base * rng.uniform(0.1, 3.0, size=n), np.nan)
    base_year = np.where(rng.random(n) < 0.5, 2015, rng.integers(2010, 2022, size=n))
    target_year = np.where(rng.random(n) < 0.5, 2030, rng.integers(2025, 2036, size=n))
    direction = np.where(rng.random(n) < 0.5, 1, -1).astype(np.int8)
    del position
    return Batch(
        years=years.astype(np.int64),
        values=values,
        lengths=lengths.astype(np.int64),
        base_year=base_year.astype(np.int64),
        target_year=target_year.astype(np.int64),
        target=target,
        direction=direction,
        limit=limit,
    )


def as_cases(batch: Batch) -> list[Case]:
    years = batch.years.tolist()
    values = [None if np.isnan(v) else v for v in batch.values.tolist()]
    ends = np.cumsum(batch.lengths).tolist()
    cases = []
    start = 0
    for i, end in enumerate(ends):
        target = float(batch.target[i])
        limit = float(batch.limit[i])
        config = Config(
            base_year=int(batch.base_year[i]),
            target_year=int(batch.target_year[i]),
            target=None if np.isnan(target) else target,
            direction="positive" if batch.direction[i] > 0 else "negative",
            limit=None if np.isnan(limit) else limit,
        )
        cases.append(Case(i, years[start:end], values[start:end], config))
        start = end
    return cases


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    batch = synthetic(args.series)
    print(
        f"{len(batch):,} series, {batch.years.size:,} observations "
        f"({int(batch.lengths.min())}-{int(batch.lengths.max())} years each), "
        f"{int((~np.isnan(batch.target)).sum()):,} with a target, "
        f"{int((~np.isnan(batch.limit)).sum()):,} with a limit"
    )
    timings = []
    outcome = compute(batch)
    for _ in range(args.repeats):
        start = time.perf_counter()
        outcome = compute(batch)
        timings.append(time.perf_counter() - start)
    median = statistics.median(timings)
    rate = len(batch) / median
    print(
        f"compute: median {median:.3f} s of {args.repeats} runs, {rate:,.0f} series/s, "
        f"{rate / OPEN_SDG_SERIES_PER_SECOND:,.0f}x Open SDG's ~{OPEN_SDG_SERIES_PER_SECOND} "
        f"series/s"
    )
    counts = np.bincount(outcome.status[outcome.error == 0], minlength=len(STATUSES))
    shown = ", ".join(
        f"{'outside every band' if name is None else name or 'no score'} {c:,}"
        for name, c in zip(STATUSES, counts, strict=True)
    )
    print(f"statuses: {shown}; errors {int((outcome.error != 0).sum()):,}")

    cases = as_cases(batch)
    start = time.perf_counter()
    packed = pack(cases)
    packing = time.perf_counter() - start
    start = time.perf_counter()
    results = compute(packed).results(c.id for c in cases)
    rest = time.perf_counter() - start
    whole = packing + rest
    print(
        f"from Case objects to Result objects (once): pack {packing:.2f} s, "
        f"compute + unpack {rest:.2f} s, {len(results) / whole:,.0f} series/s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
