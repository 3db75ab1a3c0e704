"""Which figure stands for each period of a series, and what to say about the others.

Sources disagree and estimates come before actuals. For each period the
planner's recorded choice wins, if it was made with the period's best figures
in view: a choice among estimates does not displace an actual unless the
planner chose against the actual knowingly (the choice's status is then the
actual's). Otherwise an actual beats a preliminary figure, which beats an
estimate, and the newest record wins a tie. A figure whose note marks it
doubtful is set aside unless a planner chose it; ``set_aside`` says which were.
The figures left out are remembered so that an assessment can say it rests on
one source among several, or on an estimate.

A region formed by a merger (the new Bắc Ninh, 01/7/2025) has no figures of its
own for the periods before it existed; its territory's are its parts'. Such a
period gets a figure recomputed from the parts when every part has one and the
indicator combines: amounts (merge rule ``sum``) add up, and growth is the
growth of the parts' summed constant-price levels, each part weighing by its
level of the year before (:func:`chitieu.analytics.growth.merged_growth`).
Rates, shares, per-capita figures and ranks do not combine and get none. A
figure the region published for itself always wins over a recomputed one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu import _format
from chitieu._errors import InputError
from chitieu._labels import source_kind_word, tr
from chitieu._periods import Period, PeriodKind, parse_period
from chitieu.analytics.growth import combine, merged_growth
from chitieu.assessment._figures import Figure, read_ahead
from chitieu.extraction.models import ConflictChoice
from chitieu.indicator.models import Indicator
from chitieu.observation.models import Observation
from chitieu.observation.service import (
    STATUS_RANK,
    _year_before,
    agree,
    doubt,
    list_observations,
    preferred,
)
from chitieu.region.models import Region
from chitieu.region.service import lineage, predecessors, territory

# A stored figure, or its plain row when many series were read ahead.
Row = Observation | Figure

# A growth indicator → the constant-price level it is the growth of: a merged
# territory's growth is recomputed from its parts' levels, never from their rates alone.
GROWTH_LEVELS = {"GRDP_GROWTH": "GRDP_CONSTANT"}


@dataclass(frozen=True)
class Point:
    """The figure standing for one period, and why it needs a word of caution."""

    period: str
    value: float
    status: str
    figure: Row | None
    """The figure standing; None for one recomputed from the parts of a merged region."""
    notes: tuple[str, ...] = field(default=())
    parts: tuple[Row, ...] = field(default=())
    """The parts' figures a recomputed point rests on."""

    @property
    def observation(self) -> Observation | None:
        """The figure standing as stored; None for one recomputed from a merged region's parts.

        A point of many targets judged at once stands on a plain row: its stored
        figure is read the first time it is asked for.
        """
        figure = self.figure
        return figure.stored() if isinstance(figure, Figure) else figure


def _source(obs: Row, lang: str) -> str:
    """Where a figure came from, as a person names it: the document, the agency, or how."""
    if obs.source_document is not None:
        return obs.source_document.shown_name
    if obs.agency is not None:
        return obs.agency.short_name or obs.agency.name
    return source_kind_word(obs.source_kind, lang)


def _choices(
    session: Session, indicator: Indicator, regions: list[Region]
) -> dict[str, list[ConflictChoice]]:
    """Period → the choices planners made for it, oldest first."""
    ids = [r.id for r in regions]
    read: dict[tuple[str, int], list[ConflictChoice]] | None = session.info.get(_CHOICES)
    if read is not None:
        rows: Iterable[ConflictChoice] = [
            row for i in ids for row in read.get((indicator.code, i), ())
        ]
        if len(ids) > 1:
            rows = sorted(rows, key=_choice_id)
    else:
        rows = session.scalars(
            select(ConflictChoice)
            .where(
                ConflictChoice.indicator_code == indicator.code, ConflictChoice.region_id.in_(ids)
            )
            .order_by(ConflictChoice.id)
        )
    found: dict[str, list[ConflictChoice]] = defaultdict(list)
    for row in rows:
        found[row.period].append(row)
    return found


def _choice_id(choice: ConflictChoice) -> int:
    return choice.id


_CHOICES = "chitieu.choices_read_ahead"


def planner_choices(
    session: Session, *, indicator: Indicator, region: Region
) -> dict[str, list[ConflictChoice]]:
    """Period → the choices planners made for the region's series, oldest first."""
    return _choices(session, indicator, [region])


@contextmanager
def choices_read_ahead(session: Session) -> Iterator[None]:
    """Every planner's choice read once, for read-only work over many series (they are few),
    filed by series so that each series finds its own without looking through the rest."""
    outer = session.info.get(_CHOICES)
    read: dict[tuple[str, int], list[ConflictChoice]] = defaultdict(list)
    for choice in session.scalars(select(ConflictChoice).order_by(ConflictChoice.id)):
        read[(choice.indicator_code, choice.region_id)].append(choice)
    session.info[_CHOICES] = read
    try:
        yield
    finally:
        _restore(session, _CHOICES, outer)


_STATUS_WORD = {
    "actual": ("thực hiện", "actual"),
    "preliminary": ("sơ bộ", "preliminary"),
    "estimate": ("ước tính", "estimated"),
}


def _standing_choice(rows: list[Row], choices: list[ConflictChoice]) -> int | None:
    """The observation the latest choice still standing picked, if any.

    A choice stands while no figure of a better status than the one it was made
    against has come in: choosing among estimates says nothing of an actual.
    """
    if not choices:
        return None
    trusted = [r for r in rows if doubt(r) is None] or rows
    best = min(STATUS_RANK[r.status] for r in trusted)
    ids = {r.id for r in rows}
    for choice in reversed(choices):
        if choice.observation_id in ids and STATUS_RANK[choice.status] <= best:
            return choice.observation_id
    return None


def _point(period: str, rows: list[Row], choices: list[ConflictChoice], lang: str) -> Point | None:
    """The figure standing for ``period``; None when only doubtful figures exist."""
    if len(rows) == 1 and not choices:
        # Most periods have one figure and no choice: it stands unless doubtful, alone.
        only = rows[0]
        if doubt(only) is not None:
            return None
        alone = () if only.status == "actual" else (_status_note(period, only.status, lang),)
        return Point(period, only.value, only.status, only, alone)
    chosen = _standing_choice(rows, choices)
    trusted = [r for r in rows if doubt(r) is None]
    pick = next((r for r in rows if r.id == chosen), None) or preferred(trusted)
    if pick is None:
        return None
    notes = []
    others = [r for r in rows if r.id != pick.id and not agree(r.value, pick.value)]
    if others:
        shown = ", ".join(
            f"{_format.number(r.value, lang)} ({_source(r, lang)})" for r in others[:3]
        )
        how = (
            tr(lang, "theo lựa chọn của người lập kế hoạch", "as a planner chose")
            if chosen == pick.id
            else tr(lang, "ưu tiên số thực hiện", "actual figures first")
        )
        used = f"{_format.number(pick.value, lang)} ({_source(pick, lang)}, {how})"
        notes.append(
            tr(lang, f"{_when(period, lang)}: dùng {used}; nguồn khác: {shown}",
               f"{_when(period, lang)}: {used} used; other sources: {shown}")
        )  # fmt: skip
    if choices and chosen is None and pick.id != choices[-1].observation_id:
        passed = choices[-1]
        among = tr(lang, *_STATUS_WORD[passed.status])
        better = tr(lang, *_STATUS_WORD[pick.status])
        value = _format.number(passed.observation.value, lang)
        when = _when(period, lang)
        notes.append(
            tr(
                lang,
                f"{when}: không theo lựa chọn số {value} (lựa chọn giữa các số {among}), "
                f"vì đã có số {better}",
                f"{when}: the choice of {value} (made among {among} figures) is not followed, "
                f"a {better} figure having come in",
            )
        )
    if pick.status != "actual":
        notes.append(_status_note(period, pick.status, lang))
    return Point(period, pick.value, pick.status, pick, tuple(notes))


def _when(period: str, lang: str) -> str:
    """A year as its number (the notes' way), any other period in words ("6 tháng đầu năm")."""
    return period if period.isdigit() else parse_period(period).label(lang)


def _status_note(period: str, status: str, lang: str = "vi") -> str:
    if status == "estimate":
        return tr(
            lang, f"{_when(period, lang)}: số ước tính", f"{_when(period, lang)}: an estimate"
        )
    return tr(
        lang, f"{_when(period, lang)}: số sơ bộ", f"{_when(period, lang)}: a preliminary figure"
    )


def _set_aside_note(
    period: str, rows: list[Row], choices: list[ConflictChoice], lang: str
) -> str | None:
    """What to say of a doubtful figure that would have stood for ``period`` but did not."""
    would = preferred(rows)
    if would is None or doubt(would) is None or _standing_choice(rows, choices) == would.id:
        return None
    value = f"{_format.number(would.value, lang)} ({_source(would, lang)})"
    check = all(doubt(r) is not None for r in rows)
    if lang == "en":
        return f"{_when(period, lang)}: {value} set aside, marked doubtful ({doubt(would)})" + (
            "; needs checking" if check else ""
        )
    return (
        f"{_when(period, lang)}: không dùng {value} vì số này bị ghi là nghi vấn ({doubt(would)})"
        + ("; cần kiểm tra" if check else "")
    )


def set_aside(
    session: Session,
    *,
    indicator: Indicator,
    region: Region,
    since: date,
    as_of: date,
    until: date,
    lang: str = "vi",
) -> list[str]:
    """Why each doubtful figure of a period ending between ``since`` and ``until`` was not used.

    A period with only doubtful figures is said to need checking: the series
    goes on without it, on the next trustworthy figure.
    """
    groups = _groups(session, indicator, region, as_of, None)
    choices = _choices(session, indicator, [region])
    notes = []
    for period, rows in groups.items():
        end = rows[0].period_end
        if since <= end <= until and (note := _set_aside_note(period, rows, choices[period], lang)):
            notes.append(note)
    return notes


def yearly(
    session: Session,
    *,
    indicator: Indicator,
    region: Region,
    as_of: date,
    lang: str = "vi",
) -> dict[int, Point]:
    """Year → the figure standing for it, known by ``as_of`` (years only, no parts of years)."""
    memo: dict[tuple[object, ...], dict[int, Point]] | None = session.info.get(_MEMO)
    key = ("yearly", indicator.code, region.id, as_of, lang)
    if memo is not None and key in memo:
        return dict(memo[key])
    # A year's code is its number ("2024").
    found = {
        int(point.period): point
        for point in _points(session, indicator, region, as_of, lang, PeriodKind.YEAR)
    }
    if memo is not None:
        memo[key] = found
        return dict(found)
    return found


def known_periods(
    session: Session, *, indicator: Indicator, region: Region, as_of: date
) -> set[str]:
    """The periods with a figure that counts by ``as_of`` (doubtful figures set aside do not)."""
    return {point.period for point in _points(session, indicator, region, as_of, "vi", None)}


def latest_partial(
    session: Session,
    *,
    indicator: Indicator,
    region: Region,
    year: int,
    as_of: date,
    lang: str = "vi",
) -> Point | None:
    """The longest part of ``year`` reported by ``as_of`` (nine months beat a half)."""
    memo: dict[tuple[object, ...], Point | None] | None = session.info.get(_MEMO)
    key = ("partial", indicator.code, region.id, year, as_of, lang)
    if memo is not None and key in memo:
        return memo[key]

    def part_of_year(period: str) -> bool:
        parsed = _period(period)
        return parsed.kind in _PARTS and parsed.start == date(year, 1, 1)

    # Only the periods that could be such a part are worked out (a point stands on its own
    # period's figures): a series' months and years would be computed here for nothing.
    parts = [
        point
        for point in _points(session, indicator, region, as_of, lang, None, keep=part_of_year)
        if part_of_year(point.period)
    ]
    found = max(parts, key=lambda p: _period(p.period).end, default=None)
    if memo is not None:
        memo[key] = found
    return found


_PARTS = (PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTHS_TO_DATE)


def _points(
    session: Session,
    indicator: Indicator,
    region: Region,
    as_of: date,
    lang: str,
    kind: PeriodKind | None,
    keep: Callable[[str], bool] | None = None,
) -> list[Point]:
    """The region's own points, and recomputed ones for periods it has none of its own.

    With ``keep``, only the own periods it keeps are worked out (the others are left out).
    """
    memo: dict[tuple[object, ...], list[Point]] | None = session.info.get(_MEMO)
    memo = memo if keep is None else None
    key = ("points", indicator.code, region.id, as_of, lang, kind)
    if memo is not None and key in memo:
        return list(memo[key])
    groups = _groups(session, indicator, region, as_of, kind)
    choices = _choices(session, indicator, [region])
    found = (
        _point(period, group, choices[period], lang)
        for period, group in groups.items()
        if keep is None or keep(period)
    )
    own = [point for point in found if point is not None]
    have = {point.period for point in own}
    merged = _recomputed(
        session,
        indicator,
        region,
        lang,
        lambda other, part: _points(session, other, part, as_of, lang, kind),
    )
    points = own + [point for point in merged if point.period not in have]
    if memo is not None:
        memo[key] = points
        return list(points)
    return points


def _groups(
    session: Session, indicator: Indicator, region: Region, as_of: date, kind: PeriodKind | None
) -> dict[str, list[Row]]:
    memo: dict[tuple[object, ...], dict[str, list[Row]]] | None = session.info.get(_MEMO)
    key = ("groups", indicator.code, region.id, as_of, kind)
    if memo is not None and key in memo:
        return memo[key]
    by_period: dict[str, list[Row]] = defaultdict(list)
    read = read_ahead(session, indicator.code, region.id)
    rows = list_observations(session, indicator=indicator, region=region) if read is None else read
    kinds = _KINDS
    for obs in rows:
        if obs.period_end <= as_of and (
            kind is None or (kinds.get(obs.period) or _kind(obs.period)) is kind
        ):
            by_period[obs.period].append(obs)
    if memo is not None:
        memo[key] = by_period
    return by_period


_MEMO = "chitieu.series_memo"
# Period code → the period: each figure's is asked for again and again, and the codes
# of a database are few (years, halves, quarters, months).
_PERIODS: dict[str, Period] = {}


def _period(code: str) -> Period:
    found = _PERIODS.get(code)
    if found is None:
        found = _PERIODS[code] = parse_period(code)
    return found


# Period code → its kind, looked up for each figure each time a series is grouped.
_KINDS: dict[str, PeriodKind] = {}


def _kind(code: str) -> PeriodKind:
    kind = _KINDS[code] = _period(code).kind
    return kind


@contextmanager
def series_memo(session: Session) -> Iterator[None]:
    """Each series' standing points worked out once, for read-only work over many targets.

    A target asks for its series several times (the years, the latest part of a
    year, the figures set aside, the merger's gap); a figure written inside the
    block is not seen.
    """
    outer = session.info.get(_MEMO)
    session.info[_MEMO] = {}
    try:
        yield
    finally:
        _restore(session, _MEMO, outer)


def _restore(session: Session, key: str, outer: object) -> None:
    """Nested blocks (a report assessing a plan inside its own): the outer one's state back."""
    if outer is None:
        session.info.pop(key, None)
    else:
        session.info[key] = outer


# --- merged regions -------------------------------------------------------------------


def combinable(indicator: Indicator) -> bool:
    """Whether a merged territory's figure can be recomputed from its parts' figures."""
    return indicator.merge_rule == "sum" or indicator.code in GROWTH_LEVELS


_Series = Callable[[str, Region], dict[str, Point]]
_Read = Callable[[Indicator, Region], list[Point]]


def _combined_codes(indicator: Indicator) -> list[str]:
    """The indicators whose parts' figures recompute a merged region's: growth needs levels."""
    level = GROWTH_LEVELS.get(indicator.code)
    return [indicator.code, level] if level else [indicator.code]


def series_read(session: Session, *, indicator: Indicator, region: Region) -> list[tuple[str, int]]:
    """The series (indicator code, region id) that judging ``indicator`` in ``region`` reads:
    its own, and a merged region's parts' (to be read ahead with it)."""
    own = [(indicator.code, region.id)]
    if region.valid_from is None or not combinable(indicator):
        return own
    codes = _combined_codes(indicator)
    return own + [(code, part.id) for part in lineage(session, region=region)[1:] for code in codes]


def _recomputed(
    session: Session, indicator: Indicator, region: Region, lang: str, read_points: _Read
) -> list[Point]:
    """Points of a merged ``region`` for periods before it existed, from its parts' figures.

    ``read_points`` gives a part's standing points of an indicator (the same kind of period).
    """
    if region.valid_from is None or not combinable(indicator):
        return []
    earlier = lineage(session, region=region)[1:]
    if not earlier:
        return []
    read: dict[tuple[str, int], dict[str, Point]] = {}

    def series(code: str, part: Region) -> dict[str, Point]:
        if (code, part.id) not in read:
            found = indicator if code == indicator.code else session.get(Indicator, code)
            points = [] if found is None else read_points(found, part)
            read[(code, part.id)] = {point.period: point for point in points}
        return read[(code, part.id)]

    level = GROWTH_LEVELS.get(indicator.code)
    codes = _combined_codes(indicator)
    periods = {period for part in earlier for code in codes for period in series(code, part)}
    found = []
    for period in periods:
        end = parse_period(period).end
        if end >= region.valid_from:
            continue
        parts = territory(session, region=region, on=end)
        if region in parts:
            continue
        if level is not None:
            used = _growth_parts(indicator.code, level, period, parts, series)
        else:
            used = _sum_parts(indicator.code, period, parts, series)
        if used is not None:
            found.append(_merged_point(period, used[0], used[1], parts, region, lang))
    return found


def _sum_parts(
    code: str, period: str, parts: list[Region], series: _Series
) -> tuple[float, list[Point]] | None:
    """The sum of the parts' figures of ``period``; None unless every part has one."""
    standing = {part.code: series(code, part).get(period) for part in parts}
    used = [point for point in standing.values() if point is not None]
    if len(used) < len(parts):
        return None
    values = {name: point.value for name, point in standing.items() if point is not None}
    return combine(values_by_part=values, merge_rule="sum"), used


def _growth_parts(
    code: str, level: str, period: str, parts: list[Region], series: _Series
) -> tuple[float, list[Point]] | None:
    """The growth of the parts' summed levels; None unless every part has what it takes.

    A part needs its level of the year before (its weight) and, for ``period``,
    its own growth figure or else its level: the published rate is the one its
    own series stands on.
    """
    previous = _year_before(period)
    if previous is None:
        return None
    levels: dict[str, dict[str, float]] = {}
    used: list[Point] = []
    for part in parts:
        before = series(level, part).get(previous)
        rate = series(code, part).get(period)
        now = series(level, part).get(period)
        if before is None or (rate is None and now is None):
            return None
        if rate is not None:
            levels[part.code] = {
                previous: before.value,
                period: before.value * (1 + rate.value / 100),
            }
            used += [before, rate]
        elif now is not None:
            levels[part.code] = {previous: before.value, period: now.value}
            used += [before, now]
    try:
        return merged_growth(levels_by_part=levels, period=period, previous=previous), used
    except InputError:
        return None


def _merged_point(
    period: str, value: float, used: list[Point], parts: list[Region], region: Region, lang: str
) -> Point:
    status = max((point.status for point in used), key=STATUS_RANK.__getitem__)
    names = _names(parts, region, lang)
    notes = [
        f"{_when(period, lang)}: "
        + tr(lang, f"tính từ số liệu của {names}", f"recomputed from the figures of {names}")
    ]
    if status != "actual":
        notes.append(_status_note(period, status, lang))
    figures = tuple(
        obs
        for point in used
        for obs in ((point.figure,) if point.figure is not None else point.parts)
    )
    return Point(period, value, status, None, tuple(notes), figures)


def _names(parts: list[Region], region: Region, lang: str) -> str:
    """ "Bắc Giang và Bắc Ninh cũ": a part bearing the merged region's name is its former self."""
    own = region.name.split(" (")[0]

    def name(part: Region) -> tuple[bool, str]:
        vi, en = part.name.split(" (")[0], (part.name_en or part.name).split(" (")[0]
        former = vi == own
        return former, tr(lang, f"{vi} cũ" if former else vi, f"the former {en}" if former else en)

    shown = [text for _, text in sorted(name(part) for part in parts)]
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + tr(lang, " và ", " and ") + shown[-1]


def merger_gap(
    session: Session,
    *,
    indicator: Indicator,
    region: Region,
    since: date,
    as_of: date,
    lang: str = "vi",
) -> str | None:
    """Why a merged region's series has no year before the merger, when years from
    ``since`` on matter; None if it has one or none matters."""
    if region.valid_from is None or since >= region.valid_from:
        return None
    if not predecessors(session, region=region):
        return None
    years = _recomputed(
        session,
        indicator,
        region,
        lang,
        lambda other, part: _points(session, other, part, as_of, lang, PeriodKind.YEAR),
    )
    if years:
        return None
    parts = territory(session, region=region, on=region.valid_from - timedelta(days=1))
    names = _names(parts, region, lang)
    merger = _format.day(region.valid_from)
    if not combinable(indicator):
        return tr(
            lang,
            f"trước {merger} không tính lại từ số liệu của {names}: tỷ lệ, tỷ trọng, "
            "số bình quân đầu người và thứ hạng không cộng được (cần tử số và mẫu số "
            "của từng địa bàn)",
            f"nothing recomputed before {merger} from the figures of {names}: rates, shares, "
            "per-capita figures and ranks do not add up (each part's numerator and "
            "denominator would be needed)",
        )
    level = session.get(Indicator, GROWTH_LEVELS.get(indicator.code, ""))
    needs = ""
    if level is not None:
        name = level.name(lang)
        needs = tr(
            lang,
            f" (cần {name} năm trước và tốc độ tăng hoặc {name} năm đó của từng địa bàn)",
            f" (each part's {name} of the year before, and its growth or {name} of the year)",
        )
    return (
        tr(
            lang,
            f"trước {merger} chưa năm nào có đủ số liệu của cả {names} để tính lại",
            f"no year before {merger} has figures for all of {names} to recompute from",
        )
        + needs
    )
