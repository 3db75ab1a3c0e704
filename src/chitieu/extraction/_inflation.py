"""Bounds on what a PDF's streams inflate to: a decompression bomb is refused, not inflated.

pdfminer inflates a stream whole (``zlib.decompress``) and keeps it: a 1 MB
PDF whose content stream is a gigabyte of zeros once took 12 s and 2.7 GB.
Its decoders are replaced here by ones that inflate in chunks and stop as
soon as one stream, or all the streams of the document being read, pass a
bound. The bounds sit far above any real report: a page's content is a few
megabytes, an embedded font some tens.

Flate (ratio up to ~1000), LZW (up to ~4000) and RunLength (128) inflate
far; ASCII85 and ASCIIHex (at most 4 times) are only counted.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import SimpleNamespace

from pdfminer import pdftypes
from pdfminer.ascii85 import ascii85decode, asciihexdecode
from pdfminer.lzw import LZWDecoder

MAX_STREAM_BYTES = 50 * 1024 * 1024
MAX_DOCUMENT_BYTES = 200 * 1024 * 1024
_CHUNK = 1024 * 1024


class InflationLimitError(Exception):
    """A stream or a document inflating past its bound; says which, in Vietnamese."""


class _Budget:
    """What the streams of the document being read may still inflate to, in all."""

    __slots__ = ("left", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit


_budget: ContextVar[_Budget | None] = ContextVar("pdf_inflation_budget", default=None)


@contextmanager
def inflation_bounds(*, per_document: int | None = None) -> Iterator[None]:
    """Count every stream inflated inside this block towards one document's bound."""
    token = _budget.set(_Budget(MAX_DOCUMENT_BYTES if per_document is None else per_document))
    try:
        yield
    finally:
        _budget.reset(token)


def _collect(parts: Iterable[bytes]) -> bytes:
    """The parts joined, refused as soon as they pass the stream's or the document's bound."""
    budget = _budget.get()
    per_stream = MAX_STREAM_BYTES
    room = per_stream if budget is None else min(per_stream, budget.left)
    kept: list[bytes] = []
    size = 0
    for part in parts:
        size += len(part)
        if size > room:
            kept.clear()  # freed before the error travels up through pdfminer
            if budget is not None and budget.left < per_stream:
                raise InflationLimitError(
                    f"PDF giải nén ra hơn {_mb(budget.limit)} MB, quá giới hạn "
                    "(nghi là bom giải nén)"
                )
            raise InflationLimitError(
                f"PDF có một luồng dữ liệu giải nén ra hơn {_mb(per_stream)} MB, "
                "quá giới hạn (nghi là bom giải nén)"
            )
        kept.append(part)
    if budget is not None:
        budget.left -= size
    return b"".join(kept)


def _mb(size: int) -> str:
    return f"{size / 2**20:.0f}"


def _inflated_parts(data: bytes) -> Iterator[bytes]:
    """Flate data a chunk at a time; damaged data ends the stream where it is damaged.

    pdfminer answers a damaged stream by inflating it again a byte at a time,
    joining the output at each step, which is quadratic: what inflated before
    the damage is kept here instead, as that fallback means to.
    """
    inflater = zlib.decompressobj()
    try:
        part = inflater.decompress(data, _CHUNK)
        while True:
            yield part
            if inflater.eof or (not inflater.unconsumed_tail and len(part) < _CHUNK):
                return
            part = inflater.decompress(inflater.unconsumed_tail, _CHUNK)
    except zlib.error:
        return


def _inflate(data: bytes) -> bytes:
    return _collect(_inflated_parts(data))


def _unlzw(data: bytes) -> bytes:
    return _collect(LZWDecoder(io.BytesIO(data)).run())


def _run_length_parts(data: bytes) -> Iterator[bytes]:
    """RunLength (PDF 1.7, 7.4.5): a length byte, then bytes copied or one byte repeated."""
    position = 0
    while position < len(data):
        length = data[position]
        if length == 128:
            return
        if length < 128:
            yield data[position + 1 : position + length + 2]
            position += length + 2
        else:
            yield data[position + 1 : position + 2] * (257 - length)
            position += 2


def _unrun(data: bytes) -> bytes:
    return _collect(_run_length_parts(data))


def _counted(decode: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    def counted(data: bytes) -> bytes:
        return _collect((decode(data),))

    return counted


def install() -> None:
    """Put the bounded decoders in pdfminer's place (once; later calls change nothing)."""
    if getattr(pdftypes, "_chitieu_bounded", False):
        return
    replacements: dict[str, object] = {
        # pdfminer reads zlib.decompress, zlib.decompressobj and zlib.error
        # through the module name: the bounded decompress answers the first.
        "zlib": SimpleNamespace(
            decompress=_inflate, decompressobj=zlib.decompressobj, error=zlib.error
        ),
        "lzwdecode": _unlzw,
        "rldecode": _unrun,
        "ascii85decode": _counted(ascii85decode),
        "asciihexdecode": _counted(asciihexdecode),
        "_chitieu_bounded": True,
    }
    for name, replacement in replacements.items():
        setattr(pdftypes, name, replacement)
