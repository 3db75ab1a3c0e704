"""Decompression and parse bombs in PDF and HTML: refused quickly, within bounded memory.

Every bomb is built here by code: a PDF whose one stream inflates to hundreds
of megabytes from a few hundred kilobytes, and pages of millions of tags. The
zip bombs (DOCX, XLSX) are in ``tests/test_security.py``.
"""

from __future__ import annotations

import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from chitieu._errors import InputError
from chitieu.extraction import _inflation
from chitieu.extraction.readers import read_document
from tests.conftest import BACKENDS
from tests.test_cli import chitieu
from tests.test_security import send_upload, table_counts
from tests.webkit import Web

MiB = 1024 * 1024
TEXT = b"BT /F1 12 Tf 72 712 Td (GRDP 2023 tang 7,5%) Tj ET\n"
# The per-stream bound is 50 MB; inflating the bomb whole would take five times that.
PDF_MEMORY = 96 * MiB
T = TypeVar("T")


def deflated(prefix: bytes, padding: int, *, filler: bytes = b" ") -> bytes:
    """``prefix`` and ``padding`` bytes of ``filler`` (PDF white space), deflated in pieces."""
    deflater = zlib.compressobj(9)
    parts = [deflater.compress(prefix)]
    block = filler * MiB
    for _ in range(padding // MiB):
        parts.append(deflater.compress(block))
    parts.append(deflater.flush())
    return b"".join(parts)


def pdf(*contents: tuple[bytes, bytes]) -> bytes:
    """A one-page PDF whose content is the streams (data, filter), with a correct xref."""
    first = 5
    refs = " ".join(f"{first + n} 0 R" for n in range(len(contents))).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents [" + refs + b"] >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for data, filters in contents:
        objects.append(
            b"<< /Length %d /Filter %s >>\nstream\n%s\nendstream" % (len(data), filters, data)
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# The time limits catch a hang or a quadratic walk (the old readers took minutes on these
# files), not speed, which the benchmarks measure: a shared machine may be slow for a while.
HANG = 60


def measured(work: Callable[[], T]) -> tuple[T | InputError, int, float]:
    """What ``work`` returned or the InputError it raised, its peak traced memory, its time."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result: T | InputError = work()
    except InputError as exc:
        result = exc
    finally:
        seconds = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return result, peak, seconds


def refused(path: Path, *, memory: int, seconds: float) -> str:
    result, peak, took = measured(lambda: read_document(path))
    assert isinstance(result, InputError), f"{path.name} was read: {result!r:.200}"
    message = str(result)
    assert message.startswith(f"{path.name}: ") and "\n" not in message, message
    assert peak < memory, f"{path.name}: {peak / MiB:.0f} MiB at the peak"
    assert took < seconds, f"{path.name}: {took:.1f} s"
    return message


@pytest.fixture
def small_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bounds of 4 MiB a stream and 6 MiB a document, so that the bombs stay small."""
    monkeypatch.setattr(_inflation, "MAX_STREAM_BYTES", 4 * MiB)
    monkeypatch.setattr(_inflation, "MAX_DOCUMENT_BYTES", 6 * MiB)


# --- PDF ---------------------------------------------------------------------------------


def test_a_pdf_stream_inflating_to_256_mib_is_refused_without_inflating_it(tmp_path):
    path = tmp_path / "bao_cao.pdf"
    path.write_bytes(pdf((deflated(TEXT, 8 * MiB), b"/FlateDecode")))
    assert read_document(path).text == "GRDP 2023 tang 7,5%"
    path = tmp_path / "bom.pdf"
    path.write_bytes(pdf((deflated(TEXT, 256 * MiB), b"/FlateDecode")))
    assert path.stat().st_size < 512 * 1024
    message = refused(path, memory=PDF_MEMORY, seconds=HANG)
    assert "luồng dữ liệu giải nén ra hơn 50 MB" in message and "bom giải nén" in message


def _run_length(size: int) -> bytes:
    """RunLength data of ``size`` spaces: two bytes give 128."""
    return bytes([129, 32]) * (size // 128) + b"\x80"


@pytest.mark.parametrize(
    ("content", "filters"),
    [
        pytest.param(deflated(TEXT, 16 * MiB), b"/FlateDecode", id="flate"),
        pytest.param(
            zlib.compress(deflated(TEXT, 16 * MiB), 9),
            b"[/FlateDecode /FlateDecode]",
            id="flate-twice",
        ),
        pytest.param(TEXT + _run_length(16 * MiB), b"/RunLengthDecode", id="run-length"),
    ],
)
def test_every_inflating_filter_is_bounded_per_stream(tmp_path, small_bounds, content, filters):
    if filters == b"/RunLengthDecode":
        # RunLength codes the text too: 0-127 copies the next n+1 bytes.
        content = bytes([len(TEXT) - 1]) + content
    path = tmp_path / "bom.pdf"
    path.write_bytes(pdf((content, filters)))
    message = refused(path, memory=32 * MiB, seconds=HANG)
    assert "hơn 4 MB" in message, message


def test_the_streams_of_one_pdf_are_bounded_together(tmp_path, small_bounds):
    # Each stream is under the 4 MiB a stream may inflate to, the two are past 6.
    three = deflated(TEXT, 3 * MiB)
    path = tmp_path / "bom.pdf"
    path.write_bytes(pdf((three, b"/FlateDecode"), (three, b"/FlateDecode")))
    message = refused(path, memory=32 * MiB, seconds=HANG)
    assert "PDF giải nén ra hơn 6 MB" in message, message
    path.write_bytes(pdf((three, b"/FlateDecode")))
    assert read_document(path).text == "GRDP 2023 tang 7,5%"


def test_a_damaged_stream_keeps_what_inflated_before_the_damage_quickly(tmp_path):
    # pdfminer inflates a damaged stream again a byte at a time, joining as it
    # goes: 24 MiB took almost three minutes. What came before the damage is read.
    path = tmp_path / "hong.pdf"
    path.write_bytes(pdf((deflated(TEXT, 24 * MiB)[:-64], b"/FlateDecode")))
    result, _peak, took = measured(lambda: read_document(path))
    assert not isinstance(result, InputError), result
    assert result.text == "GRDP 2023 tang 7,5%"
    assert took < HANG, f"{took:.1f} s"


def test_the_cli_refuses_a_pdf_bomb_in_one_line(tmp_path):
    path = tmp_path / "bom.pdf"
    path.write_bytes(pdf((deflated(TEXT, 256 * MiB), b"/FlateDecode")))
    db = tmp_path / "never.db"
    for command in (["extract", str(path)], ["ingest", str(path), "--by", "test"]):
        result = chitieu(*command, db=str(db))
        assert result.returncode != 0, result.stdout
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and "bom giải nén" in lines[0], result.stderr
        assert "Traceback" not in result.stderr


# --- HTML --------------------------------------------------------------------------------


def _html(body: bytes) -> bytes:
    return b"<!DOCTYPE html><html><head><title>x</title></head><body>" + body


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"<div>" * 2_000_000 + b"<p>GRDP 2023 tang 7,5%", id="10MB-unclosed-div"),
        pytest.param(b"<b>x</b>" * 250_000, id="flat-tags"),
        pytest.param(b"<p>GRDP 2023 tang 7,5%" + b"</span>" * 500_000, id="stray-end-tags"),
    ],
)
def test_an_html_page_of_millions_of_tags_is_refused_quickly(tmp_path, body):
    path = tmp_path / "bom.html"
    path.write_bytes(_html(body))
    message = refused(path, memory=64 * MiB, seconds=HANG)
    assert "hơn 400.000 thẻ" in message, message


def test_deep_nesting_and_stray_end_tags_cost_no_more_than_the_tags(tmp_path):
    # Old pages leave <font> and <div> unclosed by the thousand: they still read,
    # and a stray end tag is no longer a walk up 5,000 open elements.
    body = b"<font>" * 5_000 + b"<p>GRDP 2023 tang 7,5%</p>" + b"</div>" * 100_000
    path = tmp_path / "sau.html"
    path.write_bytes(_html(body))
    result, peak, took = measured(lambda: read_document(path))
    assert not isinstance(result, InputError), result
    assert result.text.strip() == "GRDP 2023 tang 7,5%"
    assert took < HANG, f"{took:.1f} s"
    assert peak < 64 * MiB, f"{peak / MiB:.0f} MiB"


# --- uploads -----------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_uploaded_pdf_and_html_bombs_are_refused_with_one_line_and_nothing_stored(
    web: Web, tmp_path: Path
) -> None:
    bombs = {
        "bom.pdf": (pdf((deflated(TEXT, 256 * MiB), b"/FlateDecode")), "bom giải nén"),
        "bom.html": (_html(b"<div>" * 2_000_000), "400.000 thẻ"),
    }
    before = table_counts(web.engine)
    for path in ("/api/v1/documents", "/documents"):
        for name, (content, reason) in bombs.items():
            response: Any
            response, peak, took = measured(lambda: send_upload(web, path, name, content))  # noqa: B023
            assert response.status_code == 422, (path, name, response.text[:300])
            shown = response.json()["detail"] if path.startswith("/api/") else response.text
            assert reason in shown, (path, name, shown[:300])
            assert peak < PDF_MEMORY + 32 * MiB, f"{path} {name}: {peak / MiB:.0f} MiB"
            assert took < HANG, f"{path} {name}: {took:.1f} s"
    assert table_counts(web.engine) == before
