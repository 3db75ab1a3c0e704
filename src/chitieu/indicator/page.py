"""What an indicator's page shows: its yearly series and chart, its figures with their
sources, revisions and conflicts, and the targets set for it.

Pure library functions over a session (the web views are thin over them; the
periodic report reuses ``chart_spec``). The forecast is cached on the series'
own values, so a new figure can never be answered with a stale forecast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from chitieu._errors import InputError
from chitieu._periods import parse_period
from chitieu._text import fold, without_markup
from chitieu.assessment.series import Point, yearly
from chitieu.assessment.service import Assessment, assess_target
from chitieu.chart.indicator import FanYear, SeriesPoint, TargetMark, drawable, indicator_chart
from chitieu.extraction.conflicts import Conflict, chosen_value, conflicts
from chitieu.indicator.models import Indicator
from chitieu.indicator.service import list_indicators
from chitieu.observation.models import Observation
from chitieu.observation.service import derived_values, disagreements, list_observations
from chitieu.plan.models import Target
from chitieu.plan.service import list_targets
from chitieu.region.models import Region
from chitieu.region.service import RegionName, search_regions, successions_read_ahead
from chitieu.scenario.forecast import MIN_YEARS, forecast
from chitieu.scenario.service import compounds

QUOTE_REACH = 160
FORECAST_YEARS = 5
# A sentence ends at a full stop, "!" or "?" followed by white space; a dot between digits
# is the Vietnamese thousands separator, not an end. Line breaks are no ends: text taken
# from PDFs breaks lines inside sentences. A table row (a short line with tabs) is its own quote.
_SENTENCE_END = re.compile(r"[.!?…](?=\s)")


@dataclass(frozen=True, slots=True)
class Quote:
    """The sentence around a figure in three parts, so each can be escaped on its own."""

    before: str
    figure: str
    after: str

    def plain(self) -> str:
        return f"{self.before}«{self.figure}»{self.after}"


def quote(text: str, start: int, end: int, *, reach: int = QUOTE_REACH) -> Quote:
    """The sentence (or table row) holding ``text[start:end]``, cut at ``reach`` either side."""
    left_edge, right_edge = max(0, start - reach), min(len(text), end + reach)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if "\t" in text[line_start:line_end] and line_end - line_start <= 2 * reach:
        left, right = line_start, line_end
        cut_left = cut_right = False
    else:
        ends = [m.end() for m in _SENTENCE_END.finditer(text, left_edge, start)]
        left = ends[-1] if ends else left_edge
        found = _SENTENCE_END.search(text, end, right_edge)
        right = found.end() if found else right_edge
        cut_left, cut_right = not ends and left > 0, not found and right < len(text)
    before = " ".join(without_markup(text[left:start]).split())
    after = " ".join(without_markup(text[end:right]).split())
    # A cut falls between words, not inside one.
    if cut_left and " " in before:
        before = before.split(" ", 1)[1]
    if cut_right and " " in after:
        after = after.rsplit(" ", 1)[0]
    # Keep the space between the figure and its neighbours that the collapsing removed.
    if before and text[start - 1].isspace():
        before += " "
    if after and text[end].isspace():
        after = " " + after
    return Quote(
        ("…" if cut_left else "") + before,
        " ".join(text[start:end].split()),
        after + ("…" if cut_right else ""),
    )


def observation_quote(observation: Observation) -> Quote | None:
    document = observation.source_document
    start, end = observation.span_start, observation.span_end
    if document is None or document.text is None or start is None or end is None:
        return None
    return quote(document.text, start, end)


@dataclass(frozen=True)
class ObservationRow:
    """A current figure, the revisions it replaced, and how it stands among the others."""

    observation: Observation
    period_label: str
    quote: Quote | None
    revisions: list[Observation]
    disputed: bool
    chosen: bool
    stands: bool


@dataclass(frozen=True)
class TargetRow:
    assessment: Assessment
    period_label: str
    drawn: bool

    @property
    def target(self) -> Target:
        return self.assessment.target


@dataclass(frozen=True)
class IndicatorPage:
    indicator: Indicator
    region: Region
    observations: list[ObservationRow]
    targets: list[TargetRow]
    conflicts: list[Conflict]
    derived: list[tuple[str, float, dict[str, float]]]
    spec: dict[str, Any]
    forecast_years: list[FanYear]


def series_regions(session: Session, *, indicator: Indicator) -> list[Region]:
    """Regions with a figure or a target for the indicator, the busiest first."""
    counts: dict[int, int] = dict(
        session.execute(
            select(Observation.region_id, func.count())
            .where(Observation.indicator_code == indicator.code)
            .group_by(Observation.region_id)
        ).all()
    )
    for region_id in session.scalars(
        select(Target.region_id).where(Target.indicator_code == indicator.code)
    ):
        counts.setdefault(region_id, 0)
    regions = session.scalars(select(Region).where(Region.id.in_(counts)))
    return sorted(regions, key=lambda region: (-counts[region.id], region.id))


def default_region(session: Session, *, indicator: Indicator) -> Region:
    """The region the indicator is mostly reported for; the first province otherwise.

    Asks the database for the busiest region alone (ties: the lowest id): listing
    every region with its count took seconds with 3,400 regions.
    """
    busiest = session.scalar(
        select(Observation.region_id)
        .where(Observation.indicator_code == indicator.code)
        .group_by(Observation.region_id)
        .order_by(func.count().desc(), Observation.region_id)
        .limit(1)
    )
    if busiest is None:
        busiest = session.scalar(
            select(func.min(Target.region_id)).where(Target.indicator_code == indicator.code)
        )
    if busiest is not None:
        found = session.get(Region, busiest)
        assert found is not None
        return found
    province = session.scalar(
        select(Region).where(Region.level == "province").order_by(Region.id).limit(1)
    )
    if province is None:
        raise InputError("chưa có địa bàn nào; hãy nạp dữ liệu trước (chitieu load)")
    return province


# A search shows this many regions; one naming half the country asks for more letters.
SHOWN_REGIONS = 20
# Name matches looked up at a time for whether they hold the indicator's figures.
_BATCH = 100


@dataclass(frozen=True)
class RegionChoices:
    """What a region search on an indicator's page offers."""

    text: str
    offered: list[RegionName]
    """Matches holding the indicator's figures or targets, at most ``SHOWN_REGIONS``."""
    matched: int
    """Every region whose name matched."""
    looked_at: int
    """How many matches were looked up before enough were found."""

    @property
    def more(self) -> bool:
        return self.looked_at < self.matched

    @property
    def without_figures(self) -> int:
        """Matches looked up that hold nothing of the indicator."""
        return self.looked_at - len(self.offered)


def region_choices(session: Session, *, indicator: Indicator, text: str) -> RegionChoices:
    """The regions named like ``text`` that have the indicator's figures or targets.

    Each batch of name matches is looked up through the series index (indicator,
    region), never by counting every region's figures.
    """
    matches = search_regions(session, text=text)
    offered: list[RegionName] = []
    looked_at = 0
    while looked_at < len(matches) and len(offered) < SHOWN_REGIONS:
        batch = matches[looked_at : looked_at + _BATCH]
        ids = [r.id for r in batch]
        having = set(
            session.scalars(
                select(Observation.region_id)
                .where(Observation.indicator_code == indicator.code)
                .where(Observation.region_id.in_(ids))
                .distinct()
            )
        ) | set(
            session.scalars(
                select(Target.region_id)
                .where(Target.indicator_code == indicator.code)
                .where(Target.region_id.in_(ids))
                .distinct()
            )
        )
        for region in batch:
            looked_at += 1
            if region.id in having:
                offered.append(region)
                if len(offered) == SHOWN_REGIONS:
                    break
    return RegionChoices(text, offered, len(matches), looked_at)


def yearly_points(
    session: Session, *, indicator: Indicator, region: Region, as_of: date
) -> list[SeriesPoint]:
    """The figure standing for each year (a derived indicator's computed values)."""
    if indicator.is_derived:
        return [
            SeriesPoint(int(value.period), value.value)
            for value in derived_values(session, indicator=indicator, region=region)
            if value.period.isdigit() and parse_period(value.period).end <= as_of
        ]
    return _series_points(yearly(session, indicator=indicator, region=region, as_of=as_of))


def _series_points(series: dict[int, Point]) -> list[SeriesPoint]:
    return [SeriesPoint(year, p.value, p.status) for year, p in sorted(series.items())]


def forecast_fan(indicator: Indicator, points: list[SeriesPoint]) -> list[FanYear]:
    """The combined forecast of the yearly series, or nothing when it is too short."""
    values = tuple((p.year, p.value) for p in points)
    if len(values) < MIN_YEARS:
        return []
    log_scale = compounds(indicator, [value for _year, value in values])
    return list(_forecast(values, log_scale))


@lru_cache(maxsize=256)
def _forecast(values: tuple[tuple[int, float], ...], log_scale: bool) -> tuple[FanYear, ...]:
    # Keyed on the values themselves: a changed series is a different key, never stale.
    result = forecast(dict(values), horizon=FORECAST_YEARS, log_scale=log_scale)
    return tuple(FanYear(y.year, y.value, y.lower, y.upper) for y in result.years)


def target_mark(target: Target, lang: str = "vi") -> TargetMark:
    period = parse_period(target.period)
    plan = target.plan
    label = f"{plan.shown_name}: {period.label(lang)}"
    return TargetMark(
        label=label,
        first_year=period.start.year,
        last_year=period.end.year,
        minimum=target.minimum,
        maximum=target.maximum,
        measure=target.measure,
    )


def chart_spec(
    session: Session, *, indicator: Indicator, region: Region, as_of: date, lang: str = "vi"
) -> dict[str, Any]:
    """The indicator's chart (series, targets, forecast) as a Vega-Lite dict."""
    points = yearly_points(session, indicator=indicator, region=region, as_of=as_of)
    targets = list_targets(session, indicator=indicator, region=region)
    return _chart(indicator, region, points, targets, lang)


def _chart(
    indicator: Indicator,
    region: Region,
    points: list[SeriesPoint],
    targets: list[Target],
    lang: str,
) -> dict[str, Any]:
    return indicator_chart(
        title=indicator.name(lang),
        subtitle=region.name if lang == "vi" else (region.name_en or region.name),
        unit=indicator.unit,
        points=points,
        targets=[target_mark(target, lang) for target in targets],
        fan=forecast_fan(indicator, points),
        lang=lang,
    )


def observation_rows(
    session: Session,
    *,
    indicator: Indicator,
    region: Region,
    standing: dict[int, Point],
    lang: str = "vi",
) -> list[ObservationRow]:
    """Current figures in series order, each with the revisions it superseded."""
    every = list_observations(session, indicator=indicator, region=region, history=True)
    by_id = {obs.id: obs for obs in every}
    replaced = {obs.supersedes_id for obs in every if obs.supersedes_id is not None}
    current = [obs for obs in every if obs.id not in replaced]
    disputed = disagreements(current)
    standing_ids = {p.observation.id for p in standing.values() if p.observation is not None}
    rows = []
    for obs in current:
        earlier = []
        step = obs.supersedes_id
        while step is not None and step in by_id:
            earlier.append(by_id[step])
            step = by_id[step].supersedes_id
        chosen = obs.id in disputed and _is_chosen(session, obs)
        rows.append(
            ObservationRow(
                observation=obs,
                period_label=parse_period(obs.period).label(lang),
                quote=observation_quote(obs),
                revisions=earlier,
                disputed=obs.id in disputed,
                chosen=chosen,
                stands=obs.id in standing_ids,
            )
        )
    return rows


def _is_chosen(session: Session, obs: Observation) -> bool:
    picked = chosen_value(
        session, indicator=obs.indicator, region=obs.region, period=obs.period, status=obs.status
    )
    return picked is not None and picked.id == obs.id


def indicator_page(
    session: Session, *, indicator: Indicator, region: Region, as_of: date, lang: str = "vi"
) -> IndicatorPage:
    """Everything the indicator's page shows for one region, as known by ``as_of``."""
    # Judging a target follows the region's lineage through every merger: read them once
    # (166 queries otherwise for the new Bắc Ninh's page).
    with successions_read_ahead(session):
        return _indicator_page(session, indicator=indicator, region=region, as_of=as_of, lang=lang)


def _indicator_page(
    session: Session, *, indicator: Indicator, region: Region, as_of: date, lang: str
) -> IndicatorPage:
    targets = list_targets(session, indicator=indicator, region=region)
    standing: dict[int, Point] = {}
    derived = []
    if indicator.is_derived:
        derived = [
            (value.period, value.value, value.inputs)
            for value in derived_values(session, indicator=indicator, region=region)
        ]
        points = yearly_points(session, indicator=indicator, region=region, as_of=as_of)
    else:
        standing = yearly(session, indicator=indicator, region=region, as_of=as_of)
        points = _series_points(standing)
    return IndicatorPage(
        indicator=indicator,
        region=region,
        observations=observation_rows(
            session, indicator=indicator, region=region, standing=standing, lang=lang
        ),
        targets=[
            TargetRow(
                assess_target(session, target=target, as_of=as_of, lang=lang),
                parse_period(target.period).label(lang),
                drawable(target_mark(target, lang)),
            )
            for target in targets
        ],
        conflicts=conflicts(session, indicator=indicator, region=region),
        derived=derived,
        spec=_chart(indicator, region, points, targets, lang),
        forecast_years=forecast_fan(indicator, points),
    )


@dataclass(frozen=True)
class CatalogueRow:
    indicator: Indicator
    observations: int
    targets: int


def catalogue(session: Session, *, search: str = "") -> dict[str, list[CatalogueRow]]:
    """Indicators by area (economy, society, environment), those whose code or name
    contains ``search`` (diacritics optional), with how many figures and targets each has."""
    wanted = fold(search)
    figures = _counts(session, Observation.indicator_code)
    targets = _counts(session, Target.indicator_code)
    groups: dict[str, list[CatalogueRow]] = {}
    for indicator in list_indicators(session):
        names = (indicator.code.lower(), fold(indicator.name_vi), fold(indicator.name_en))
        if wanted and not any(wanted in name for name in names):
            continue
        row = CatalogueRow(
            indicator, figures.get(indicator.code, 0), targets.get(indicator.code, 0)
        )
        groups.setdefault(indicator.group, []).append(row)
    return groups


def _counts(session: Session, column: InstrumentedAttribute[str]) -> dict[str, int]:
    rows = session.execute(select(column, func.count()).group_by(column))
    return {code: count for code, count in rows}
