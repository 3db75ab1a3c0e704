"""Extraction throughput: MB/s of text through the figure grammar.

The corpus (../shared/corpus, or a folder given as the first argument) is
repeated until it holds at least 20 MB, split into documents as they are,
and run through ``extract_figures`` five times; the median is printed, with a
single regular-expression pass over the same text for comparison.

    .venv/bin/python bench/extract_throughput.py [CORPUS_DIR] [--megabytes 20]
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import sys
import time
from pathlib import Path

from chitieu.extraction.grammar import extract_figures
from chitieu.extraction.records import DocumentContext

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--megabytes", type=float, default=20.0)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(args.corpus).glob("*.txt"))]
    size = sum(len(t.encode("utf-8")) for t in texts)
    copies = max(1, int(args.megabytes * 1e6 / size) + 1)
    documents = texts * copies
    total = size * copies
    print(f"{len(documents)} documents, {total / 1e6:.1f} MB")

    timings, figures = [], 0
    for _ in range(args.repeats):
        start = time.perf_counter()
        figures = sum(
            len(extract_figures(text, DocumentContext(name=f"d{i}.txt", region="Bắc Giang")))
            for i, text in enumerate(documents)
        )
        timings.append(time.perf_counter() - start)
    median = statistics.median(timings)
    print(
        f"extract_figures: median {median:.2f} s of {args.repeats} runs, "
        f"{total / 1e6 / median:.2f} MB/s, {figures} figures"
    )

    number = re.compile(r"\d+(?:[.,]\d+)*\s*%?")
    regex_timings = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        for text in documents:
            sum(1 for _ in number.finditer(text))
        regex_timings.append(time.perf_counter() - start)
    regex = statistics.median(regex_timings)
    print(
        f"one regex pass: median {regex:.2f} s, {total / 1e6 / regex:.1f} MB/s "
        f"(grammar at {regex / median:.3f} of its speed)"
    )

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


if __name__ == "__main__":
    sys.exit(main())
