"""``synthesize``: a deterministic national dataset written in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from chitieu._errors import InputError, StateError
from chitieu._version import raise_version
from chitieu.indicator.models import Indicator
from chitieu.region.models import Region
from chitieu.synth import _bulk
from chitieu.synth._layout import TABLES, build_layout
from chitieu.synth._series import frames

COUNTRY_CODE = "syn_vn"
_NUMBERED = (
    "region",
    "region_succession",
    "agency",
    "agency_succession",
    "plan",
    "target",
    "task",
    "task_update",
    "observation",
)


@dataclass
class SynthReport:
    """How many rows of each table were written."""

    counts: dict[str, int] = field(default_factory=dict)


def synthesize(
    session: Session,
    *,
    seed: int,
    provinces: int = 34,
    communes: int = 3321,
    indicators: int = 120,
    years: tuple[int, int] = (2010, 2030),
    progress: Callable[[int], None] | None = None,
) -> SynthReport:
    """Write the dataset for ``seed``; ``progress`` hears of each indicator's rows."""
    _check(provinces=provinces, communes=communes, indicators=indicators, years=years)
    if session.scalar(select(Region.id).where(Region.code == COUNTRY_CODE)) is not None:
        raise StateError(
            f"cơ sở dữ liệu đã có bộ dữ liệu tổng hợp ({COUNTRY_CODE}); "
            "hãy dùng một cơ sở dữ liệu khác, không ghi gì thêm"
        )
    connection = session.connection()
    for name in _NUMBERED:
        _bulk.lock_for_numbering(connection, name)
    offsets = _bulk.largest_ids(connection, _NUMBERED)
    layout = build_layout(
        seed=seed,
        provinces=provinces,
        communes=communes,
        indicators=indicators,
        years=years,
        offsets=offsets,
        existing_indicators=set(session.scalars(select(Indicator.code))),
    )
    report = SynthReport()
    for name in TABLES:
        _bulk.insert_rows(connection, name, layout.tables[name])
        report.counts[name] = len(layout.tables[name])
    report.counts["observation"] = 0
    first_id = offsets["observation"] + 1
    with _bulk.without_checks_until_done(connection, "observation"):
        for frame in frames(layout, seed=seed, years=years, first_id=first_id):
            _bulk.copy_frame(connection, "observation", frame)
            report.counts["observation"] += frame.height
            if progress is not None:
                progress(frame.height)
    _bulk.move_sequences_on(connection, _NUMBERED)
    raise_version(connection)
    return report


def settle(engine: Engine) -> None:
    """After the commit: PostgreSQL's VACUUM, so the first readers do not pay for the load.

    Rows written in bulk are marked visible by whoever reads them first, page by
    page; a vacuum does it once and lets the series be read from the index alone.
    """
    if engine.url.get_backend_name() != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE) observation"))


def _check(*, provinces: int, communes: int, indicators: int, years: tuple[int, int]) -> None:
    if not 2 <= provinces <= 200:
        raise InputError(f"--provinces {provinces}: cần từ 2 đến 200 tỉnh")
    if not 0 <= communes <= 50_000:
        raise InputError(f"--communes {communes}: cần từ 0 đến 50.000 xã")
    if not 1 <= indicators <= 999:
        raise InputError(f"--indicators {indicators}: cần từ 1 đến 999 chỉ tiêu")
    first, last = years
    if not (1990 <= first < last <= 2100) or first > 2025:
        raise InputError(
            f"--years {first}-{last}: cần hai năm tăng dần trong 1990-2100, năm đầu không sau 2025"
        )
