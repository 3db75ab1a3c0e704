"""Extraction of many files in parallel: the same output and the same rows as one by one.

The archive is the shared corpus copied into tmp_path, each copy made
distinct by trailing blank lines (other bytes, so another document when
ingested, and the same figures). Process pools and a Dask cluster started
here run the real code; the command line runs as a separate process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import LocalCluster
from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu import transaction
from chitieu._models import ExtractedFigure, SourceDocument
from chitieu.extraction.batch import Extracted, FileError, extract_files, ingest_files
from chitieu.extraction.pool import PARALLEL_FROM_BYTES, cores, dask_map, default_jobs, process_map
from chitieu.extraction.service import IngestReport
from tests.conftest import BACKENDS, CORPUS
from tests.test_cli import chitieu

COPIES = 8
REGION = "Bắc Giang"
on_both = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Forty files: each corpus text eight times, the copies in turn (not grouped)."""
    folder = tmp_path_factory.mktemp("archive")
    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.txt"))]
    assert len(texts) == 5
    paths = []
    for copy in range(COPIES):
        for stem, text in texts:
            path = folder / f"{stem}_{copy:02d}.txt"
            path.write_text(text + "\n" * copy, encoding="utf-8")
            paths.append(path)
    return paths


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, Path]:
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 4)
    image = tmp_path / "scan.pdf"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    return {"missing": tmp_path / "missing.txt", "junk": junk, "image": image}


def _with_bad(files: list[Path], bad: dict[str, Path]) -> list[Path]:
    """The files with a bad one at their start, in their middle and at their end."""
    middle = len(files) // 2
    return [bad["missing"], *files[:middle], bad["junk"], *files[middle:], bad["image"]]


# --- the library --------------------------------------------------------------------


def test_a_pool_of_two_finds_what_one_process_finds_in_the_same_order(archive, bad_files):
    paths = _with_bad(archive, bad_files)
    sequential = list(extract_files(paths, region=REGION))
    with process_map(2) as mapper:
        parallel = list(extract_files(paths, region=REGION, mapper=mapper))
    assert parallel == sequential
    assert [result.path for result in parallel] == paths
    failed = [r for r in parallel if isinstance(r, FileError)]
    assert [f.path for f in failed] == list(bad_files.values())
    assert all("\n" not in f.message and f.message for f in failed)
    read = [r for r in parallel if isinstance(r, Extracted)]
    assert len(read) == len(archive)
    # Copies of one text give the same figures, each under its own file's name.
    by_text: dict[str, list[Extracted]] = {}
    for result in read:
        by_text.setdefault(result.path.stem[:-3], []).append(result)
    for copies in by_text.values():
        first = [(f.start, f.end, f.value, f.indicator) for f in copies[0].figures]
        assert first, copies[0].path
        for other in copies[1:]:
            assert [(f.start, f.end, f.value, f.indicator) for f in other.figures] == first
            assert {f.doc for f in other.figures} == {other.path.name}


def _stored_rows(session: Session) -> list[tuple[object, ...]]:
    """Every extracted figure with its document, in the order they were written."""
    query = (
        select(
            SourceDocument.key,
            SourceDocument.sha256,
            ExtractedFigure.span_start,
            ExtractedFigure.span_end,
            ExtractedFigure.text,
            ExtractedFigure.value,
            ExtractedFigure.unit,
            ExtractedFigure.period,
            ExtractedFigure.status,
            ExtractedFigure.measure,
            ExtractedFigure.indicator_code,
            ExtractedFigure.region_name,
        )
        .join(ExtractedFigure.source_document)
        .order_by(ExtractedFigure.id)
    )
    return [tuple(row) for row in session.execute(query)]


@on_both
def test_ingesting_in_parallel_writes_the_rows_a_sequential_ingest_writes(
    loaded, archive, bad_files
):
    paths = _with_bad(archive, bad_files)
    with Session(loaded) as session:
        before = _stored_rows(session)
        sequential = ingest_files(session, paths=paths, recorded_by="test", region=REGION)
        sequential_rows = _stored_rows(session)
        session.rollback()
    with process_map(2) as mapper, transaction(loaded) as session:
        parallel = ingest_files(
            session, paths=paths, recorded_by="test", region=REGION, mapper=mapper
        )
    assert parallel == sequential
    assert [outcome.path for outcome in parallel] == paths
    errors = [o for o in parallel if isinstance(o, FileError)]
    assert [e.path for e in errors] == list(bad_files.values())
    reports = [o for o in parallel if isinstance(o, IngestReport)]
    # The first copy is the corpus's own bytes, stored by the dataset already.
    assert [r.document_new for r in reports] == [False] * 5 + [True] * (len(archive) - 5)
    assert all(r.found > 0 for r in reports)
    with transaction(loaded) as session:
        rows = _stored_rows(session)
        documents = session.scalar(select(SourceDocument.id).order_by(SourceDocument.id.desc()))
    assert rows == sequential_rows
    assert len(rows) - len(before) == sum(r.new for r in reports) > 0
    # Run again: everything is known, nothing is added.
    with process_map(2) as mapper, transaction(loaded) as session:
        again = ingest_files(session, paths=paths, recorded_by="test", region=REGION, mapper=mapper)
    again_reports = [o for o in again if isinstance(o, IngestReport)]
    assert [r.found for r in again_reports] == [r.found for r in reports]
    assert all(r.new == 0 and not r.document_new for r in again_reports)
    with transaction(loaded) as session:
        assert _stored_rows(session) == rows
        assert (
            session.scalar(select(SourceDocument.id).order_by(SourceDocument.id.desc()))
            == documents
        )


def test_jobs_default_to_one_for_a_few_small_files(tmp_path, archive):
    assert default_jobs(archive[:1]) == 1
    assert default_jobs(archive) == 1  # about 2 MB: a pool would cost more than it saves
    big = []
    for name in ("a.txt", "b.txt", "c.txt"):
        path = tmp_path / name
        path.write_bytes(b"x" * (PARALLEL_FROM_BYTES // 2))
        big.append(path)
    assert default_jobs([*big, tmp_path / "missing.txt"]) == min(cores(), 4)
    assert default_jobs(big[:1]) == 1


# --- the command line ---------------------------------------------------------------


def _extract(paths: list[Path], *options: str, db: Path) -> subprocess.CompletedProcess[str]:
    return chitieu(
        "extract", *map(str, paths), "--format", "jsonl", "--region", REGION, *options, db=str(db)
    )


@pytest.fixture(scope="module")
def sequential(archive, tmp_path_factory) -> subprocess.CompletedProcess[str]:
    """``chitieu extract --format jsonl`` of the archive, one file after another."""
    return _extract(archive, "--jobs", "1", db=tmp_path_factory.mktemp("never") / "never.db")


def test_cli_extract_with_two_jobs_prints_exactly_the_sequential_output(
    tmp_path, archive, sequential
):
    db = tmp_path / "never.db"
    one = sequential
    two = _extract(archive, "--jobs", "2", db=db)
    assert one.returncode == 0, one.stderr
    assert two.returncode == 0, two.stderr
    assert two.stdout == one.stdout
    assert one.stdout.count("\n") > 1000
    # Not a terminal: no progress bar, nothing at all on stderr.
    assert one.stderr == two.stderr == ""
    table = chitieu("extract", *map(str, archive[:10]), "-j", "2", db=str(db))
    sequential_table = chitieu("extract", *map(str, archive[:10]), db=str(db))
    assert table.returncode == 0, table.stderr
    assert table.stdout == sequential_table.stdout and "13,85" in table.stdout
    assert not db.exists()


def test_cli_reports_each_bad_file_on_one_line_in_parallel_as_in_sequence(
    tmp_path, archive, bad_files
):
    paths = _with_bad(archive[:10], bad_files)
    db = tmp_path / "never.db"
    one = _extract(paths, "--jobs", "1", db=db)
    two = _extract(paths, "--jobs", "2", db=db)
    assert one.returncode == two.returncode == 1
    assert (two.stdout, two.stderr) == (one.stdout, one.stderr)
    errors = two.stderr.splitlines()
    assert len(errors) == len(bad_files)
    for line, path in zip(errors, bad_files.values(), strict=True):
        assert line.startswith(f"Lỗi: {path}: ") and len(line) > len(f"Lỗi: {path}: ")
    assert "PNG" in errors[2]


def test_cli_ingest_in_parallel_stores_what_sequential_ingest_stores(tmp_path, archive, bad_files):
    paths = [*archive[:10], bad_files["junk"]]
    outputs = []
    for jobs in ("1", "2"):
        db = str(tmp_path / f"jobs{jobs}.db")
        result = chitieu("ingest", *map(str, paths), "--by", "test", "--jobs", jobs, db=db)
        assert result.returncode == 1
        assert result.stderr.startswith(f"Lỗi: {bad_files['junk']}: ")
        assert len(result.stderr.splitlines()) == 1
        review = chitieu("review", "--format", "json", db=db)
        assert review.returncode == 0, review.stderr
        outputs.append((result.stdout, review.stdout))
    assert outputs[1] == outputs[0]
    lines = [line for line in outputs[0][0].splitlines() if not line.startswith("  ")]
    assert [line.split(": ")[0] for line in lines] == list(map(str, archive[:10]))
    assert all(", mới)" in line for line in lines)


def _run_on_a_terminal(args: list[str], db: Path) -> tuple[str, str]:
    """Run chitieu with stderr on a pseudo-terminal; return (stdout, what the terminal got)."""
    main, terminal = os.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm"}
    env.pop("CHITIEU_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "chitieu", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=terminal,
        env=env,
    )
    os.close(terminal)
    seen: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(main, 4096)
            except OSError:  # the other end closed
                return
            if not data:
                return
            seen.append(data)

    reader = threading.Thread(target=read)
    reader.start()
    stdout, _ = process.communicate(timeout=300)
    reader.join(timeout=60)
    os.close(main)
    assert process.returncode == 0
    return stdout.decode("utf-8"), b"".join(seen).decode("utf-8", "replace")


def test_cli_draws_a_progress_bar_when_stderr_is_a_terminal(tmp_path, archive, sequential):
    db = tmp_path / "never.db"
    args = ["extract", *map(str, archive), "--format", "jsonl", "--region", REGION, "-j", "2"]
    stdout, terminal = _run_on_a_terminal(args, db)
    assert "Đang đọc tệp" in terminal and f"/{len(archive)}" in terminal
    # The records still go to stdout alone, the same as without a terminal.
    assert stdout == sequential.stdout
    assert "{" not in terminal


# --- Dask ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_scheduler() -> Iterator[str]:
    """Two worker processes and a scheduler on 127.0.0.1, for this module only."""
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address


def test_a_dask_cluster_finds_what_one_process_finds(dask_scheduler, archive, bad_files):
    paths = _with_bad(archive, bad_files)
    with dask_map(dask_scheduler) as mapper:
        on_cluster = list(extract_files(paths, region=REGION, mapper=mapper))
    assert on_cluster == list(extract_files(paths, region=REGION))
    assert sum(isinstance(r, FileError) for r in on_cluster) == 3


def test_cli_extract_on_a_dask_cluster_prints_the_sequential_output(
    tmp_path, dask_scheduler, archive, sequential
):
    db = tmp_path / "never.db"
    on_cluster = _extract(archive, "--dask-scheduler", dask_scheduler, db=db)
    assert on_cluster.returncode == 0, on_cluster.stderr
    assert on_cluster.stdout == sequential.stdout


def test_without_distributed_the_dask_option_is_one_clear_line(tmp_path, archive):
    # The package hidden from this one process, as if it were not installed.
    program = (
        "import sys; sys.modules['distributed'] = None; "
        "from chitieu.cli import main; sys.argv[0] = 'chitieu'; main()"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            program,
            "--db",
            str(tmp_path / "never.db"),
            "extract",
            str(archive[0]),
            "--dask-scheduler",
            "tcp://127.0.0.1:8786",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Lỗi: --dask-scheduler tcp://127.0.0.1:8786: chưa cài gói")
    assert "pip install distributed" in lines[0]


def test_an_unreachable_dask_scheduler_is_one_clear_line(tmp_path, archive):
    result = chitieu(
        "ingest",
        str(archive[0]),
        "--dask-scheduler",
        "tcp://127.0.0.1:9",
        db=str(tmp_path / "chitieu.db"),
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Lỗi: không kết nối được bộ lập lịch Dask tcp://127.0.0.1:9")
