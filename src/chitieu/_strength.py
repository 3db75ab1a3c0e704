"""How guessable a password or a secret key is: folding, keyboard walks, repetition, entropy.

A length rule alone lets ``12345678`` and forty times ``a`` through; these
measures catch what a person (or an attacker's first list) tries first.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter

# Runs people type without thinking: the alphabet, the digits, keyboard rows and columns.
WALKS = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
    "!@#$%^&*()",
    "147258369",
    "741852963",
)
_STEPS = frozenset(
    pair for walk in WALKS for a, b in itertools.pairwise(walk) for pair in ((a, b), (b, a))
)
_REPEATED = re.compile(r"(.+?)\1+", re.DOTALL)
_LEET = str.maketrans("@4310$57!", "aaeiossti")


def fold(text: str, *, leet: bool = False) -> str:
    """Letters and digits only, lower case, without Vietnamese diacritics (đ is d).

    ``leet`` also reads p@ssw0rd as password.
    """
    text = text.casefold().replace("đ", "d")
    if leet:
        text = text.translate(_LEET)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def predictable_share(text: str) -> float:
    """The share of neighbouring characters that repeat or step along a walk (0 to 1)."""
    lowered = text.casefold()
    pairs = list(itertools.pairwise(lowered))
    if not pairs:
        return 1.0
    return sum(1 for a, b in pairs if a == b or (a, b) in _STEPS) / len(pairs)


def is_repetition(text: str) -> bool:
    """Whether the whole text is one piece said again: aaaa, abcabc, passpass."""
    return _REPEATED.fullmatch(text) is not None


def estimated_bits(text: str) -> float:
    """Shannon entropy of the text's own characters times its length: a ceiling, not a proof."""
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values()) * total if total else 0


def distinct_pair_share(text: str) -> float:
    """The share of neighbouring pairs seen once: low when a short piece keeps coming back."""
    pairs = [text[i : i + 2] for i in range(len(text) - 1)]
    return len(set(pairs)) / len(pairs) if pairs else 0.0
