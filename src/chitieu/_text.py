"""Matching Vietnamese names the way people type them: with or without diacritics."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

from chitieu._errors import NotFoundError


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


# difflib's own cutoff: two letters swapped in a three-letter code (PCI for CPI) still match.
_CLOSE = 0.6
_SPREAD = 0.1


def close_matches(
    typed: str, choices: Iterable[tuple[str, Iterable[str]]], *, n: int = 3
) -> list[str]:
    """The codes of ``choices`` (code, names) whose code or folded name is close to ``typed``.

    Both sides are folded, so 'GRDP_GROWHT', 'grdp growth' and 'bac giag' find their code;
    a name that contains what was typed ('ty le ho ngheo') counts as close too.
    """
    wanted = fold(typed.replace("_", " "))
    scored: dict[str, float] = {}
    for code, names in choices:
        for name in (code, *names):
            if not name:
                continue
            folded = fold(name.replace("_", " "))
            score = difflib.SequenceMatcher(None, wanted, folded).ratio()
            if len(wanted) >= 4 and wanted in folded:
                score = max(score, 0.8)
            if score >= _CLOSE and score > scored.get(code, 0.0):
                scored[code] = score
    # Only the near-best: a plain slip finds its code alone, not three cousins beside it.
    best = max(scored.values(), default=0.0)
    near = [code for code in scored if scored[code] >= best - _SPREAD]
    return sorted(near, key=lambda code: -scored[code])[:n]


def unknown(
    kind: tuple[str, str], typed: str, choices: Iterable[tuple[str, Iterable[str]]]
) -> NotFoundError:
    """'không có chỉ tiêu 'X'; có phải: A, B?' and its English: for the CLI, API and web alike."""
    vi, en = f"không có {kind[0]} '{typed}'", f"no {kind[1]} '{typed}'"
    matches = close_matches(typed, choices)
    if matches:
        listed = ", ".join(matches)
        vi, en = f"{vi}; có phải: {listed}?", f"{en}; did you mean: {listed}?"
    return NotFoundError(vi, en=en)


# A formatting tag left in a text taken from a web page ("GRDP <sup>(*)</sup>"): a reader sees
# its words. Any other tag (a script a hostile page carried) stays, to be shown escaped.
_TAG = re.compile(r"</?(?:sup|sub|b|i|u|em|strong|span|font|small|br|p)(?:\s[^<>]*)?/?>", re.I)


def without_markup(text: str) -> str:
    """``text`` with the formatting tags in it taken out, its words kept."""
    return _TAG.sub("", text)
