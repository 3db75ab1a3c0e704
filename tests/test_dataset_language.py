"""The embedded dataset speaks Vietnamese: the notes, footnotes, definitions and explanations a
planner reads on a page or in a report are written in Vietnamese, and rewriting them kept every
figure that was marked doubtful doubtful (the mark is a word in the note)."""

from __future__ import annotations

import csv
import re

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from chitieu import EMBEDDED, transaction
from chitieu._models import Observation
from chitieu.observation.service import doubt

# The columns the dataset itself writes. ``text`` and ``excerpt`` quote the sources verbatim and
# a source's ``title`` is its own, so an English page keeps its English words there.
FREE_TEXT = ("note", "footnote", "definition", "explanation")

# English words that carry a sentence and are not Vietnamese words: "in", "to" and "an" are
# (bài báo in, quy mô to, an sinh), so they are left out, but for "to" before a number.
# Matched case-blind, whole words only: \b is Unicode-aware, so "the" does not match in "thể".
ENGLISH = re.compile(
    r"\b(the|of|from|into|taken|read|as|gives|given|says|merged|became|period|average|annual"
    r"|and|with|is|was|are|by|for|not|which|per|over|end|year|growth|total|share|includes"
    r"|excludes|excluding|without|counted|stated|doubtful|disagrees|differs|same|page|number"
    r"|rate|its|at|or|prices|standard|district|level|abolished|january|february|march|april"
    r"|may|june|july|august|september|october|november|december|to(?= \d))\b",
    re.IGNORECASE,
)


def english_words(text: str) -> list[str]:
    return ENGLISH.findall(text)


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("read as the full-year 2023 estimate", True),
        ("Bắc Giang merged into the new Bắc Ninh province", True),
        ("(*) Average annual growth over the period 2019-2025", True),
        ("period not stated; taken as 2024 from context; doubtful", True),
        ("at 2010 prices, to 30 November 2023", True),
        ("to 30/9/2024", True),
        ("Kỳ tính như bài báo in; có thể chỉ là 6 tháng cuối năm", False),
        ("thể hiện quy mô to, an sinh xã hội; tổng cả giai đoạn 2021-2025", False),
        ("tỷ trọng thuế sản phẩm trong GRDP theo giá hiện hành (TFP, FDI, QCVN 01)", False),
    ],
)
def test_the_check_tells_english_from_vietnamese(text, english):
    assert bool(english_words(text)) is english


def _free_text_cells() -> list[tuple[str, int, str, str]]:
    cells = []
    for path in sorted(EMBEDDED.rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                cells += [(path.name, line, c, row[c]) for c in FREE_TEXT if row.get(c)]
    return cells


def test_the_dataset_has_free_text_to_check():
    files = {name for name, *_ in _free_text_cells()}
    assert {"observations_news.csv", "agency_successions.csv", "targets_qd249.csv"} <= files


def test_the_dataset_free_text_is_vietnamese():
    english = [
        f"{name}:{line} {column}: {value!r} ({', '.join(english_words(value))})"
        for name, line, column, value in _free_text_cells()
        if english_words(value)
    ]
    assert not english, "\n".join(english)


def test_the_dataset_free_text_names_documents_not_their_keys():
    # "bc-ktxh-2023" means nothing to a reader; "báo cáo KT-XH năm 2023 của UBND tỉnh" does.
    keys = set()
    for path in sorted(EMBEDDED.rglob("documents*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            keys |= {row["key"] for row in csv.DictReader(handle)}
    assert "bc-ktxh-2023" in keys
    named = [
        f"{name}:{line} {column}: {key}"
        for name, line, column, value in _free_text_cells()
        for key in sorted(keys)
        if re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", value)
    ]
    assert not named, "\n".join(named)


def _doubtful(engine: Engine) -> set[tuple[str, str, str, float]]:
    with transaction(engine) as session:
        rows = session.scalars(select(Observation).where(Observation.note.is_not(None)))
        return {
            (o.indicator_code, o.region.code, o.period, o.value)
            for o in rows
            if doubt(o) is not None
        }


def test_the_figures_marked_doubtful_stay_doubtful_and_no_other(loaded_sqlite):
    # The 2024 urbanisation rate and industry share are the figures the trust checks set aside
    # (tests/test_trust.py, the outlier explanation); a note that only reports a disagreement
    # or a reading of the period must not set a figure aside.
    assert _doubtful(loaded_sqlite) == {
        ("URBANISATION_RATE", "bac_giang", "2024", 57.13),
        ("GRDP_SHARE_INDUSTRY_CONSTRUCTION", "bac_giang", "2024", 61.0),
    }
