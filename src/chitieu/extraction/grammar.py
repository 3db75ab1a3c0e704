"""The figure grammar: numbers in Vietnamese report text, read as figure records.

Reading happens in two passes. The first finds each number that is a figure
(it has a unit, or is a rank or a multiple) and reads its value, range,
unit, qualifier and measure from the words right around it. The second walks
the document in order and gives each figure its period, status, indicator and
region from its sentence, the sentences before it and the section headings.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

from chitieu._periods import parse_period
from chitieu._text import fold, fold_keeping_offsets
from chitieu.extraction._attributes import (
    PARAGRAPH,
    Place,
    Setting,
    figure_indicator,
    figure_status,
    start_of_paragraph,
)
from chitieu.extraction._catalogue import unit_for
from chitieu.extraction._document import HEAD, DocumentModel, read_document_model
from chitieu.extraction._indicators import PhraseIndex
from chitieu.extraction._lexicon import PROVINCES
from chitieu.extraction._period_rules import (
    FigureSpan,
    Mentions,
    PeriodFrame,
    figure_period,
    is_breakdown,
    own_month,
    own_period,
)
from chitieu.extraction._periods_text import PeriodMention, find_periods
from chitieu.extraction._raw_figures import Raw, raw_figures
from chitieu.extraction._structure import Section, sections, sentences
from chitieu.extraction._tables import table_figures
from chitieu.extraction._why import (
    indicator_cue,
    period_cue,
    region_cue,
    table_cues,
)
from chitieu.extraction.records import (
    Cue,
    DocumentContext,
    Figure,
)


def extract_figures(text: str, context: DocumentContext) -> list[Figure]:
    """Every figure of ``text`` as a contract record."""
    return extract_document(text, context)[1]


def extract_document(text: str, context: DocumentContext) -> tuple[DocumentModel, list[Figure]]:
    """What ``text`` says about itself (its date, periods, kind, provinces), and its figures."""
    folded = fold_keeping_offsets(text)
    periods = find_periods(folded, text)
    region = context.region or infer_region(folded)
    named = tuple(
        dict.fromkeys(_PROVINCE_NAMES[m.group(1)] for m in _PROVINCE.finditer(folded, 0, HEAD))
    )
    provinces = named or ((region,) if region else ())
    model = read_document_model(folded, periods, provinces=provinces, text=text)
    year = context.year or (context.issued_on.year if context.issued_on else None)
    year = year or model.year
    index = PhraseIndex(folded)
    tables, in_tables = table_figures(
        text, folded, doc=context.name, region=region, year=year, index=index, model=model
    )
    raws = raw_figures(text, folded, periods, in_tables)
    bounds = sentences(text)
    sentence_starts = [start for start, _ in bounds]
    frame = PeriodFrame(
        folded,
        Mentions(periods),
        sentence_starts,
        year,
        _year_to_date(periods, year),
        own_period(model.periods, year),
        own_month(model.periods, year),
        model.article_end,
    )
    setting = Setting(
        context,
        model,
        frame,
        _is_plan(folded),
        region,
        index,
        text,
        bounds,
        sentence_starts,
        [0, *(m.end() for m in PARAGRAPH.finditer(text))],
        named,
    )
    prose = list(_attribute(text, folded, raws, periods, setting))
    tables = [replace(f, why=table_cues(f, _region_cue(f.region, "", setting))) for f in tables]
    return model, sorted(prose + tables, key=lambda figure: figure.start)


def _is_plan(folded: str) -> bool:
    """A decision issuing a plan or scheme: its figures are targets unless dated in the past."""
    head = " ".join(folded[:1500].split())
    return "quyet dinh" in head and bool(
        re.search(
            r"ban hanh (?:de an|ke hoach|chuong trinh|chien luoc)|phe duyet (?:de an|ke hoach|"
            r"quy hoach|chuong trinh)",
            head,
        )
    )


def _year_to_date(periods: list[PeriodMention], year: int | None) -> str | None:
    """The part of its year a document reports on ("2023-H1"), when it was written mid-year."""
    if year is None:
        return None
    pattern = re.compile(rf"(?:{year}|\{{y\}})-(?:H1|Q[1-3]|\d{{1,2}}M)")
    partial: Counter[str] = Counter()
    for mention in periods:
        code = mention.resolve(year) if pattern.fullmatch(mention.code) else None
        if code is not None:
            partial[code] += 1
    if not partial:
        return None
    return max(partial, key=lambda code: (partial[code], parse_period(code).end))


def _attribute(
    text: str, folded: str, raws: list[Raw], periods: list[PeriodMention], setting: Setting
) -> Iterator[Figure]:
    section_of = sections(folded)
    bounds = setting.sentence_bounds
    previous: tuple[Raw, Figure] | None = None
    total: Figure | None = None
    sentence_index = 0
    for raw in raws:
        while sentence_index + 1 < len(bounds) and bounds[sentence_index + 1][0] <= raw.start:
            sentence_index += 1
        sentence_start = bounds[sentence_index][0]
        if previous is not None and previous[0].start < sentence_start:
            total = _total(folded, setting, sentence_start, previous[1])
            previous = None
        figure = _figure(
            text,
            folded,
            raw,
            periods,
            setting,
            section_of(raw.start),
            sentence_start,
            previous,
            total if total is not None and total.start < sentence_start else None,
        )
        previous = (raw, figure)
        yield figure


def _total(folded: str, setting: Setting, sentence_start: int, last: Figure) -> Figure | None:
    """The figure a breakdown sentence breaks down: the last, in its paragraph or the one before."""
    if not is_breakdown(folded, sentence_start):
        return None
    starts = setting.paragraph_starts
    here = bisect.bisect_right(starts, sentence_start) - 1
    return last if last.start >= starts[max(here - 1, 0)] else None


def _figure(
    text: str,
    folded: str,
    raw: Raw,
    periods: list[PeriodMention],
    setting: Setting,
    section: Section,
    sentence_start: int,
    previous: tuple[Raw, Figure] | None,
    total: Figure | None = None,
) -> Figure:
    since = max(previous[0].end, previous[0].unit_end) if previous else sentence_start
    place = Place(
        sentence_start, since, previous[1] if previous else None, folded[since : raw.start], total
    )
    span = FigureSpan(
        raw.start,
        raw.end,
        raw.unit_end,
        raw.measure in ("change_pct", "change_abs", "plan_pct"),
        sentence_start,
        start_of_paragraph(setting, raw.start),
        section.start,
        section.period,
        total.period if total is not None else None,
    )
    period, explicit, reason = figure_period(setting.periods, span)
    status, status_cue = figure_status(text, folded, raw, place, period, explicit, section, setting)
    indicator = figure_indicator(text, folded, raw, place, setting)
    clause = _clause(folded, raw, place)
    region = _region(folded, raw, place, clause, setting.region)
    heading = text[section.start : section.start + 200].split("\n")[0].strip()
    why = (
        period_cue(
            reason,
            period,
            text,
            model=setting.model,
            heading=heading,
            given_year=setting.context.year is not None,
        ),
        status_cue,
        indicator_cue(
            indicator,
            text,
            setting.index,
            (sentence_start, place.since, raw.start, raw.unit_end),
            previous=place.previous,
        ),
        _region_cue(region, clause, setting),
    )
    figure = Figure(
        doc=setting.context.name,
        start=raw.start,
        end=raw.end,
        text=text[raw.start : raw.end],
        value=raw.value,
        value_max=raw.value_max,
        unit=unit_for(indicator, raw.unit),
        period=period,
        status=status,
        # "điều chỉnh vốn, với mức tăng 2,7 tỷ USD": the capital added is itself an increase.
        measure="level"
        if indicator == "FDI_CAPITAL_ADDITIONAL" and raw.measure == "change_abs"
        else raw.measure,
        indicator=indicator,
        region=region,
        rank_of=raw.rank_of,
        qualifier=raw.qualifier,
        why=why,
    )
    extras: dict[str, object] = {}
    if raw.per_year:
        extras["per_year"] = True
    if raw.whole is not None:
        extras["of"] = raw.whole
    if extras:
        figure = replace(figure, extras=extras)
    return figure


_PROVINCE_NAMES = {fold(name): name for name in PROVINCES} | {"tp.hcm": "TP.HCM", "tphcm": "TP.HCM"}
_PROVINCE = re.compile(
    r"(?<![a-z])(?:tp\.?\s+|thanh pho\s+|tinh\s+)?("
    + "|".join(re.escape(n) for n in sorted(_PROVINCE_NAMES, key=len, reverse=True))
    + r")(?![a-z])"
)
# GDP is the nation's product, as GRDP is a province's.
_NATION_BEFORE = re.compile(r"(?<![a-z])(?:ca nuoc|toan quoc|gdp)(?![a-z])")


def infer_region(folded: str) -> str | None:
    """The province a document is about: the one it names most, else its web address's."""
    # The opening pages say whose document it is; reading them is enough and quick.
    names = Counter(_PROVINCE_NAMES[m.group(1)] for m in _PROVINCE.finditer(folded[:20000]))
    if names:
        return names.most_common(1)[0][0]
    return _province_of_address(folded[:300])


_CLAUSE_BREAK = re.compile(r"[,;:]")
_RANKED_BY = re.compile(r"(?:dung|xep|thu|dan dau)[^,;]*$")
_HOST = re.compile(r"https?://([a-z0-9.-]+)")
_GLUED_NAMES = {re.sub(r"[^a-z]", "", folded): name for folded, name in _PROVINCE_NAMES.items()}


def _province_of_address(head: str) -> str | None:
    """A provincial portal or paper names its province in its host: bacninh.gov.vn, baolongan.vn."""
    host = _HOST.search(head)
    if host is None:
        return None
    for label in host.group(1).split("."):
        for glued, name in _GLUED_NAMES.items():
            if label in (glued, f"bao{glued}") or (len(glued) >= 6 and label.startswith(glued)):
                return name
    return None


def _clause(folded: str, raw: Raw, place: Place) -> str:
    """The clause a figure stands in, up to it: where its region is named, if it is."""
    before = folded[max(place.sentence_start, place.since) : raw.start].rstrip(" (")
    return _CLAUSE_BREAK.split(before)[-1]


def _region(folded: str, raw: Raw, place: Place, clause: str, region: str | None) -> str | None:
    """The document's province, unless the clause before the figure names another or the nation."""
    # Only the clause the figure stands in: "…của cả nước, năm 2023 đạt 13,1%" is no
    # national figure; "Hải Phòng (10,34%)" names its province just before the bracket.
    named = list(_PROVINCE.finditer(clause))
    nation = list(_NATION_BEFORE.finditer(clause))
    # "Bắc Giang dẫn đầu cả nước với … 14,14%" ranks a province among the nation's.
    ranking = bool(nation) and bool(_RANKED_BY.search(clause[: nation[-1].start()]))
    if named and (not nation or named[-1].start() > nation[-1].start() or ranking):
        return _PROVINCE_NAMES[named[-1].group(1)]
    if nation and not ranking:
        return "cả nước"
    before = folded[max(place.sentence_start, place.since) : raw.start].rstrip(" (")
    if place.previous is not None and clause == before:
        # "Hải Phòng đứng thứ 2 với hơn 4,94 tỷ USD": the clause of the figure before.
        return place.previous.region
    return region


def _region_cue(region: str | None, clause: str, setting: Setting) -> Cue:
    return region_cue(
        region,
        clause,
        document_region=setting.region,
        given=setting.context.region is not None,
        in_head=setting.region in setting.head_provinces,
    )
