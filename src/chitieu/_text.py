"""Matching Vietnamese names the way people type them: with or without diacritics."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case, no diacritics, single spaces: 'Bắc  Giang' and 'bac giang' fold alike."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def fold_keeping_offsets(text: str) -> str:
    """Like :func:`fold`, one character for one, so offsets in the result are offsets in ``text``.

    Vietnamese in NFC writes each letter as one code point, whose base letter
    replaces it; a stray combining mark stays as it is.
    """
    return text.translate(_ONE_FOR_ONE)


class _OneForOne(dict[int, str]):
    """A translation table computed on demand, one output character per input character."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        base = unicodedata.normalize("NFD", char.replace("đ", "d").replace("Đ", "D"))[0]
        lowered = base.lower()
        result = lowered if len(lowered) == 1 else base
        if unicodedata.combining(char):
            result = char
        self[code] = result
        return result


_ONE_FOR_ONE = _OneForOne()
