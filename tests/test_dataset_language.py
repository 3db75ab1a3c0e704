"""The embedded dataset speaks Vietnamese: the notes, footnotes, definitions and explanations a
planner reads on a page or in a report are written in Vietnamese, and rewriting them kept every
figure that was marked doubtful doubtful (the mark is a word in the note). Each has an English
version beside it, in English but for the names of places and agencies, for a page under lang=en."""

from __future__ import annotations

import csv
import re

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from chitieu import EMBEDDED, transaction
from chitieu._models import Observation, Plan, RegionSuccession, Target, ValidationFinding
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


# Each Vietnamese free-text column and the English column written beside it.
ENGLISH_OF = {
    "note": "note_en",
    "footnote": "footnote_en",
    "explanation": "explanation_en",
    "definition": "definition_en",
}

# Vietnamese letters that English does not have: an English text holding one is untranslated.
DIACRITICS = re.compile(
    r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]",
    re.IGNORECASE,
)


def _place_names() -> set[str]:
    """The dataset's own place names, without their level: an English text names Bắc Giang
    as Bắc Giang, and "Huyện", "Cả nước" or an agency's "Sở" are words it translates."""
    names = set()
    with (EMBEDDED / "regions.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = re.sub(r"^(Thành phố|Thị xã|Huyện|Tỉnh) | \(.*\)$", "", row["name"])
            if all(word[0].isupper() for word in name.split()):
                names.add(name)
    return names


def _untranslated(english: str, names: set[str]) -> list[str]:
    for name in sorted(names, key=len, reverse=True):
        english = english.replace(name, " ")
    return [word for word in re.findall(r"\w+", english) if DIACRITICS.search(word)]


def _translated_cells() -> list[tuple[str, int, str, str, str]]:
    cells = []
    for path in sorted(EMBEDDED.rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                cells += [
                    (path.name, line, column, row[column], row.get(english) or "")
                    for column, english in ENGLISH_OF.items()
                    if row.get(column)
                ]
    return cells


def test_the_allow_list_holds_the_place_names_and_no_common_word():
    names = _place_names()
    assert {"Bắc Giang", "Bắc Ninh", "Việt Yên", "Lục Ngạn"} <= names
    assert not {"Huyện Việt Yên", "Cả nước", "Bắc Ninh (trước 01/7/2025)"} & names
    assert _untranslated("Bắc Giang merged into the new Bắc Ninh", names) == []
    assert _untranslated("Bắc Giang merged into tỉnh Bắc Ninh", names) == ["tỉnh"]


def test_every_vietnamese_note_has_an_english_version():
    cells = _translated_cells()
    assert {"observations_news.csv", "targets_qd249.csv", "region_successions.csv"} <= {
        name for name, *_ in cells
    }
    assert any(column == "explanation" for _, _, column, _, _ in cells)
    missing = [
        f"{name}:{line} {column}: {value!r}"
        for name, line, column, value, english in cells
        if not english.strip()
    ]
    assert not missing, "\n".join(missing)


def test_the_english_versions_are_english_but_for_place_names():
    names = _place_names()
    untranslated = [
        f"{name}:{line} {column}_en: {word!r}"
        for name, line, column, _, english in _translated_cells()
        for word in _untranslated(english, names)
    ]
    assert not untranslated, "\n".join(untranslated)


def test_an_english_version_is_only_written_beside_a_vietnamese_one():
    stray = []
    for path in sorted(EMBEDDED.rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                stray += [
                    f"{path.name}:{line} {english}"
                    for column, english in ENGLISH_OF.items()
                    if row.get(english) and not row.get(column)
                ]
    assert not stray, "\n".join(stray)


def test_the_loaded_notes_carry_their_english_version(loaded_sqlite):
    with transaction(loaded_sqlite) as session:
        noted = session.scalars(select(Observation).where(Observation.note.is_not(None))).all()
        assert noted
        assert all(o.note_en for o in noted), [o.note for o in noted if not o.note_en]
        footnoted = session.scalars(select(Target).where(Target.footnote.is_not(None))).all()
        assert footnoted
        assert all(t.footnote_en for t in footnoted)
        edges = session.scalars(select(RegionSuccession)).all()
        assert {e.note_en for e in edges} >= {"Việt Yên district became a town"}
        explained = session.scalars(
            select(ValidationFinding).where(ValidationFinding.explanation.is_not(None))
        ).all()
        assert explained
        assert all(f.explanation_en for f in explained)


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


def test_plan_titles_and_target_groups_have_an_english_version(loaded_sqlite):
    names = _place_names()
    with transaction(loaded_sqlite) as session:
        plans = session.scalars(select(Plan)).all()
        groups = session.scalars(select(Target).where(Target.group_label.is_not(None))).all()
        assert plans and groups
        english = [p.title_en or "" for p in plans] + [t.group_label_en or "" for t in groups]
    assert all(english), "a plan title or target group without its English version"
    assert not [text for text in english if _untranslated(text, names)]
