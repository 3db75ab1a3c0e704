"""Bytes as Vietnamese office software saves them, for tests of what the readers accept."""

from __future__ import annotations

import unicodedata

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Vietnamese in Windows-1258 as Excel saves "CSV" on a Vietnamese Windows: base
    letters precomposed, tones as combining marks (the code page has no toned vowels)."""
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        out.append(base + "".join(c for c in decomposed if c in _TONES))
    return "".join(out).encode("cp1258")
