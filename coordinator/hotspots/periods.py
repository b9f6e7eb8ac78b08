"""The period a hot-spot page covers: this month, the last 3 / 6 / 12 months, or a range of
months (YYYY-MM to YYYY-MM), all local (Beijing) calendar months; and the period before it,
of the same length, for trends."""

import re
from dataclasses import dataclass
from datetime import date

from coordinator import months
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import local_date
from coordinator.rules import Refused

CHOICES = {
    "month": _l("This month"),
    "3": _l("Last 3 months"),
    "6": _l("Last 6 months"),
    "12": _l("Last 12 months"),
    "range": _l("From month to month"),
}
DEFAULT = "3"
MAX_MONTHS = 60
FIRST_YEAR, LAST_YEAR = 2000, 2100
MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")


@dataclass(frozen=True)
class Period:
    start: date  # first day of the first month
    end: date  # first day of the last month
    choice: str

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def previous_start(self) -> date:
        return months.shift(self.start, -self.months)

    @property
    def last_day(self) -> date:
        return months.last_day(self.end)

    def board_args(self) -> str:
        """The board's query-string tail for this period: all statuses, logged in it."""
        return f"since={self.start.isoformat()}&until={self.last_day.isoformat()}&status=all"


def _month(value: str, field: str) -> date:
    match = MONTH.match((value or "").strip())
    if not match:
        raise Refused(_l("Enter a month as YYYY-MM, e.g. 2026-03."), field=field, status=400)
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and FIRST_YEAR <= year <= LAST_YEAR):
        raise Refused(_l("Enter a month as YYYY-MM, e.g. 2026-03."), field=field, status=400)
    return date(year, month, 1)


def parse(args, today: date | None = None) -> Period:
    """The period the query string asks for; Refused (400, at the field) when it makes no
    sense: an unknown choice, a month that is not one, a range backwards or too long."""
    today = today or local_date()
    this_month = date(today.year, today.month, 1)
    choice = (args.get("period") or DEFAULT).strip()
    if choice not in CHOICES:
        raise Refused(_l("Choose one of the periods offered."), field="period", status=400)
    if choice == "month":
        return Period(this_month, this_month, choice)
    if choice != "range":
        return Period(months.shift(this_month, 1 - int(choice)), this_month, choice)
    start = _month(args.get("from", ""), "from")
    end = _month(args.get("to", ""), "to")
    if end < start:
        raise Refused(_l("The last month comes before the first."), field="to", status=400)
    period = Period(start, end, choice)
    if period.months > MAX_MONTHS:
        raise Refused(_l("Choose at most %(n)d months.", n=MAX_MONTHS), field="to", status=400)
    return period
