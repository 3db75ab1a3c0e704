"""Which recorded figures the report shows for each area, and which figure stands for a period.

For each period the figure that stands is the one the assessment uses
(``assessment.series``): the planner's choice when there is one, else an actual
before a preliminary figure before an estimate, the newest first. The report
shows, for each indicator, the standing figures of its last two years within
the report's window and the latest part of a year after them (a first half,
nine months), so that a figure the province published after the last full
year is not lost.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from chitieu._periods import Period, PeriodKind, parse_period
from chitieu.assessment.series import planner_choices
from chitieu.extraction.models import ConflictChoice
from chitieu.indicator.models import Indicator
from chitieu.observation.models import Observation
from chitieu.observation.service import agree, list_observations, preferred
from chitieu.region.models import Region

# The results by area, modelled on the province's report: (key, Vietnamese, English, codes).
# Indicators not named here fall in their catalogue group's area (economy → sectors).
AREAS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "growth",
        "Tăng trưởng kinh tế (GRDP)",
        "Economic growth (GRDP)",
        (
            "GRDP_GROWTH",
            "GRDP_GROWTH_AGRICULTURE",
            "GRDP_GROWTH_INDUSTRY_CONSTRUCTION",
            "GRDP_GROWTH_INDUSTRY",
            "GRDP_GROWTH_CONSTRUCTION",
            "GRDP_GROWTH_SERVICES",
            "GRDP_GROWTH_PRODUCT_TAX",
            "GRDP_CONTRIBUTION_AGRICULTURE",
            "GRDP_CONTRIBUTION_INDUSTRY_CONSTRUCTION",
            "GRDP_CONTRIBUTION_INDUSTRY",
            "GRDP_CONTRIBUTION_SERVICES",
            "GRDP_CONTRIBUTION_PRODUCT_TAX",
            "GRDP_CURRENT",
            "GRDP_CURRENT_USD",
            "GRDP_CONSTANT",
            "VALUE_ADDED_CONSTANT",
            "GRDP_RANK",
            "GRDP_GROWTH_RANK",
        ),
    ),
    (
        "structure",
        "Cơ cấu kinh tế",
        "Economic structure",
        (
            "GRDP_SHARE_AGRICULTURE",
            "GRDP_SHARE_INDUSTRY_CONSTRUCTION",
            "GRDP_SHARE_INDUSTRY",
            "GRDP_SHARE_CONSTRUCTION",
            "GRDP_SHARE_SERVICES",
        ),
    ),
    (
        "per_capita",
        "GRDP bình quân đầu người, năng suất và hiệu quả đầu tư",
        "GRDP per capita, productivity and investment efficiency",
        (
            "GRDP_PER_CAPITA_USD",
            "LABOUR_PRODUCTIVITY",
            "LABOUR_PRODUCTIVITY_GROWTH",
            "TFP_CONTRIBUTION",
            "ICOR",
        ),
    ),
    (
        "investment",
        "Đầu tư phát triển và doanh nghiệp",
        "Investment and enterprises",
        (
            "SOCIAL_INVESTMENT",
            "INVESTMENT_ATTRACTED_USD",
            "NEW_ENTERPRISES",
            "NEW_ENTERPRISES_CAPITAL",
            "PCI_RANK",
        ),
    ),
    (
        "fdi",
        "Thu hút đầu tư trực tiếp nước ngoài (FDI)",
        "Foreign direct investment (FDI)",
        (
            "FDI_PROJECTS_NEW",
            "FDI_CAPITAL_NEW",
            "FDI_PROJECTS_ADJUSTED",
            "FDI_CAPITAL_ADDITIONAL",
            "FDI_RANK",
        ),
    ),
    (
        "budget",
        "Thu, chi ngân sách nhà nước",
        "State budget",
        ("STATE_BUDGET_REVENUE", "STATE_BUDGET_DOMESTIC_REVENUE", "STATE_BUDGET_EXPENDITURE"),
    ),
    (
        "trade",
        "Thương mại, xuất nhập khẩu và du lịch",
        "Trade, exports and tourism",
        ("EXPORT_VALUE", "IMPORT_VALUE", "TRADE_VALUE", "RETAIL_SALES", "TOURISTS", "CPI"),
    ),
    ("sectors", "Các ngành sản xuất", "Industry and agriculture", ()),
    ("society", "Văn hóa - xã hội", "Society", ()),
    ("environment", "Tài nguyên và môi trường", "Environment", ()),
)
_GROUP_AREA = {"economy": "sectors", "society": "society", "environment": "environment"}
_PARTS = (PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH, PeriodKind.MONTHS_TO_DATE)


def area_of(indicator: Indicator) -> str:
    for key, _vi, _en, codes in AREAS:
        if indicator.code in codes:
            return key
    return _GROUP_AREA.get(indicator.group, "sectors")


def area_order(indicator: Indicator) -> tuple[int, int]:
    """Areas in the report's order, and indicators in the order the area names them."""
    for index, (_key, _vi, _en, codes) in enumerate(AREAS):
        if indicator.code in codes:
            return index, codes.index(indicator.code)
    key = area_of(indicator)
    return next(i for i, area in enumerate(AREAS) if area[0] == key), 999


@dataclass(frozen=True, slots=True)
class Standing:
    """The figure standing for one period, and the sources that disagree with it."""

    observation: Observation
    period: Period
    others: tuple[Observation, ...]
    choice: ConflictChoice | None


def choices(session: Session, *, indicator: Indicator, region: Region) -> dict[str, ConflictChoice]:
    """Period → the latest planner's choice, as the assessment reads them (and read once)."""
    found = planner_choices(session, indicator=indicator, region=region)
    return {period: rows[-1] for period, rows in found.items()}


def standing_figures(
    session: Session,
    *,
    indicator: Indicator,
    region: Region,
    as_of: date,
    first_year: int,
    last_year: int,
    every: bool = False,
) -> list[Standing]:
    """The figures the report shows for an indicator, oldest first (``every``: of each period)."""
    groups: dict[str, list[Observation]] = defaultdict(list)
    for obs in list_observations(session, indicator=indicator, region=region):
        if obs.period_end <= as_of:
            groups[obs.period].append(obs)
    chosen = choices(session, indicator=indicator, region=region)
    standing = []
    for code, rows in groups.items():
        period = parse_period(code)
        if period.start.year < first_year or period.end.year > last_year:
            continue
        choice = chosen.get(code)
        pick = next((r for r in rows if choice and r.id == choice.observation_id), None)
        pick = pick or preferred(rows)
        assert pick is not None
        others = tuple(r for r in rows if r.id != pick.id and not agree(r.value, pick.value))
        standing.append(Standing(pick, period, others, choice))
    if every:
        return sorted(standing, key=lambda s: (s.period.end, -s.period.months))
    years = sorted(
        (s for s in standing if s.period.kind is PeriodKind.YEAR), key=lambda s: s.period.year
    )[-2:]
    after = years[-1].period.end if years else date.min
    parts = [
        s
        for s in standing
        if s.period.end > after and (s.period.kind in _PARTS or s.period.kind is PeriodKind.POINT)
    ]
    latest_part = max(parts, key=lambda s: (s.period.end, s.period.months), default=None)
    shown = years + ([latest_part] if latest_part is not None else [])
    return sorted(shown, key=lambda s: (s.period.end, -s.period.months))
