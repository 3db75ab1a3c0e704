"""Times as people in Việt Nam read them: stored in UTC, shown at Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _zone() -> tzinfo:
    try:
        return ZoneInfo("Asia/Ho_Chi_Minh")
    except ZoneInfoNotFoundError:  # a system without tzdata: Việt Nam keeps UTC+7 all year
        return timezone(timedelta(hours=7), "ICT")


LOCAL_ZONE = _zone()


def local(moment: datetime) -> datetime:
    """``moment`` at Vietnamese time; a time without a zone is UTC, as the database keeps it."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(LOCAL_ZONE)


def local_minute(moment: datetime) -> str:
    """dd/mm/yyyy HH:MM at Vietnamese time."""
    return local(moment).strftime("%d/%m/%Y %H:%M")


def local_second(moment: datetime) -> str:
    """dd/mm/yyyy HH:MM:SS at Vietnamese time: precise enough to find a line in the server log."""
    return local(moment).strftime("%d/%m/%Y %H:%M:%S")
