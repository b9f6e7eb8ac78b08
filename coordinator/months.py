"""Local (Beijing) calendar months, as the dashboard and the hot spots count them: a month is
the date of its first day; its bounds are naive UTC moments [start, end), as timestamps are
stored."""

import re
from datetime import date, datetime

from coordinator.i18n import LOCAL, local_date, to_utc, utcnow

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def month_of(moment: datetime | None = None) -> date:
    """The local month a naive-UTC moment falls in (now by default)."""
    day = local_date(moment or utcnow())
    return day.replace(day=1)


def shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of the local month in naive UTC."""
    start = datetime(month.year, month.month, 1)
    return to_utc(start), to_utc(datetime.combine(shift(month, 1), datetime.min.time()))


def last_day(month: date) -> date:
    return date.fromordinal(shift(month, 1).toordinal() - 1)


def window(current: date, count: int = 12) -> list[date]:
    """The `count` months up to and including `current`, oldest first."""
    return [shift(current, -back) for back in range(count - 1, -1, -1)]


def parse(text: str | None) -> date | None:
    """'2026-11' → date(2026, 11, 1); anything else → None."""
    found = MONTH_RE.match(text or "")
    if not found:
        return None
    year = int(found.group(1))
    if year < 2000:
        return None
    return date(year, int(found.group(2)), 1)


def label(month: date) -> str:
    return f"{month.year}-{month.month:02d}"


__all__ = ["LOCAL", "bounds", "label", "last_day", "month_of", "parse", "shift", "window"]
