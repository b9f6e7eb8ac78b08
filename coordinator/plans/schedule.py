"""A plan's schedule: an RFC 5545 RRULE read by python-dateutil (`rrulestr`), never by our own
date arithmetic. The rule is interpreted in Beijing time (coordinator.i18n.LOCAL: "every 6
months on the 1st at 09:00" means 09:00 in Beijing), its DTSTART is the plan's `starts_at`,
and the occurrences it yields are turned into UTC naive datetimes like every time in the app.

The form offers simple choices (`build`: every N days/weeks/months/years, on weekdays, a day
of the month, a month) and an advanced field taking a raw RRULE line; both end as one RRULE
line, checked by `check` before it is stored."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from dateutil import rrule as du

from coordinator.i18n import gettext as _
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import to_local, to_utc

FREQS = {
    "DAILY": _l("days"),
    "WEEKLY": _l("weeks"),
    "MONTHLY": _l("months"),
    "YEARLY": _l("years"),
}
WEEKDAYS = {
    "MO": _l("Monday"),
    "TU": _l("Tuesday"),
    "WE": _l("Wednesday"),
    "TH": _l("Thursday"),
    "FR": _l("Friday"),
    "SA": _l("Saturday"),
    "SU": _l("Sunday"),
}
MAX_INTERVAL = 1000
# Parts a plan's rule may have. Hours, minutes and seconds are the start time's; a plan runs
# at most daily (HOURLY and finer would spawn work every few minutes).
_PARTS = {
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYSETPOS",
    "WKST",
}
_FREQ_CODES = {du.DAILY: "DAILY", du.WEEKLY: "WEEKLY", du.MONTHLY: "MONTHLY", du.YEARLY: "YEARLY"}
# A rule's first occurrence must come within this many years of its start.
_FIRST_WITHIN_YEARS = 20


class BadRule(ValueError):
    """The words for the person typing the rule (shown at the field)."""


def build(freq: str, interval: int, weekdays=(), month_day: int | None = None, month=None) -> str:
    """The RRULE line of the form's simple choices: FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY=1."""
    parts = [f"FREQ={freq}"]
    if interval and interval != 1:
        parts.append(f"INTERVAL={interval}")
    if weekdays:
        parts.append("BYDAY=" + ",".join(d for d in WEEKDAYS if d in weekdays))
    if month_day:
        parts.append(f"BYMONTHDAY={month_day}")
    if month:
        parts.append(f"BYMONTH={month}")
    return ";".join(parts)


def normalise(text: str) -> str:
    """A rule as typed ("rrule:freq=weekly; byday=mo") as stored ("FREQ=WEEKLY;BYDAY=MO")."""
    text = (text or "").strip()
    if text[:6].upper() == "RRULE:":
        text = text[6:]
    return ";".join(part.strip().upper() for part in text.split(";") if part.strip())


def check(text: str, starts_at: datetime) -> str:
    """The stored form of a rule, or BadRule saying what is wrong with it.

    starts_at: the first occurrence (UTC naive). Refused: more than one line, parts a plan does
    not take (hours, DTSTART, …), FREQ finer than daily, INTERVAL outside 1–1000, anything
    dateutil cannot read, and a rule with no occurrence in the 20 years after its start."""
    if not text or len(text) > 400:
        raise BadRule(_("Enter a rule of at most 400 characters, e.g. FREQ=MONTHLY;INTERVAL=6."))
    if re.search(r"[\x00-\x1f\x7f]", text):
        raise BadRule(_("A rule is one line."))
    line = normalise(text)
    names = []
    for part in line.split(";"):
        name, sep, value = part.partition("=")
        if not sep or not value or name not in _PARTS:
            raise BadRule(_("“%(part)s” is not a part a plan's rule takes.", part=part[:40]))
        names.append(name)
    if len(set(names)) != len(names):
        raise BadRule(_("Each part of the rule once, please."))
    if "FREQ" not in names:
        raise BadRule(_("Say how often: FREQ=DAILY, WEEKLY, MONTHLY or YEARLY."))
    interval = re.search(r"(?:^|;)INTERVAL=([^;]*)", line)
    if interval and not (
        re.fullmatch(r"[0-9]{1,4}", interval.group(1))
        and 1 <= int(interval.group(1)) <= MAX_INTERVAL
    ):
        raise BadRule(_("The interval is a whole number from 1 to %(max)d.", max=MAX_INTERVAL))
    try:
        rule = _parse(line, to_local(starts_at))
    except (ValueError, TypeError, OverflowError, IndexError, KeyError):
        raise BadRule(
            _("This rule cannot be read (RFC 5545), e.g. FREQ=WEEKLY;BYDAY=MO.")
        ) from None
    if rule._freq not in _FREQ_CODES:
        raise BadRule(_("Say how often: FREQ=DAILY, WEEKLY, MONTHLY or YEARLY."))
    if first_occurrence(line, starts_at) is None:
        raise BadRule(_("This rule has no date in the 20 years after its start."))
    return line


def _parse(line: str, dtstart_local: datetime) -> du.rrule:
    return du.rrulestr(line, dtstart=dtstart_local, ignoretz=True, cache=True)


@lru_cache(maxsize=2048)
def rule_for(line: str, starts_at: datetime) -> du.rrule:
    """The compiled rule, kept per process with dateutil's own cache of the dates it has
    worked out, so the runner's next look-ups (every minute) do not iterate from the start
    again: 5 times faster over 1,000 plans (bench/README.md). The memory is the dates up to
    now: a monthly plan a dozen a year, a daily one 365 (the start is 2000 at the earliest)."""
    return _parse(line, to_local(starts_at))


def first_occurrence(line: str, starts_at: datetime) -> datetime | None:
    """The first occurrence within 20 years, in UTC, bounded: an impossible rule (30 February)
    is first tried as a yearly one, which dateutil runs through year 9999 quickly."""
    start = to_local(starts_at)
    yearly = re.sub(r"(?:^|;)(FREQ|INTERVAL|COUNT|UNTIL)=[^;]*", "", line).strip(";")
    probe = _parse(";".join(["FREQ=YEARLY", yearly] if yearly else ["FREQ=YEARLY"]), start)
    if probe.after(start, inc=True) is None:
        return None
    first = _parse(line, start).after(start, inc=True)
    if first is None or first > start.replace(year=min(start.year + _FIRST_WITHIN_YEARS, 9999)):
        return None
    return to_utc(first)


def between(line: str, starts_at: datetime, after: datetime | None, until: datetime) -> list:
    """Occurrences (UTC) later than `after` (None: from the start, inclusive) up to `until`."""
    rule = rule_for(line, starts_at)
    if after is None:
        found = rule.between(to_local(starts_at), to_local(until), inc=True)
    else:
        found = rule.between(to_local(after), to_local(until), inc=True)
        found = [d for d in found if d > to_local(after)]
    return [to_utc(d) for d in found]


def upcoming(line: str, starts_at: datetime, now: datetime, n: int = 5) -> list[datetime]:
    """The next n occurrences from now on (UTC)."""
    rule = rule_for(line, starts_at)
    out = []
    for occurrence in rule.xafter(to_local(max(now, starts_at)), count=n, inc=True):
        out.append(to_utc(occurrence))
    return out


@dataclass(frozen=True)
class Due:
    """What a run at `now` does with a plan's occurrences not yet run."""

    work: list  # occurrences that get their work now
    missed: list  # occurrences recorded as missed (no work)


def due(line: str, starts_at: datetime, lead_days: int, latest_run, now: datetime) -> Due:
    """The occurrences later than the latest one run whose work is due (now >= occurrence -
    lead days). Work goes to the latest of them and to any still ahead of now (within the
    lead time); the older ones, already past and never run (the plan started in the past,
    or the scheduler was down), are missed: no backlog of stale work."""
    horizon = now + timedelta(days=lead_days)
    found = between(line, starts_at, latest_run, horizon)
    if not found:
        return Due([], [])
    latest = found[-1]
    work = [o for o in found if o >= now or o == latest]
    missed = [o for o in found if o < now and o != latest]
    return Due(work, missed)


def describe(line: str) -> str:
    """The rule in words ("every 6 months, on day 1"); a rule with parts beyond the simple
    choices also shows its RRULE text."""
    parts = dict(part.partition("=")[::2] for part in line.split(";") if "=" in part)
    freq = parts.get("FREQ", "")
    interval = int(parts["INTERVAL"]) if parts.get("INTERVAL", "").isdigit() else 1
    unit = str(FREQS.get(freq, freq.lower()))
    if interval == 1:
        words = [
            {
                "DAILY": _("every day"),
                "WEEKLY": _("every week"),
                "MONTHLY": _("every month"),
                "YEARLY": _("every year"),
            }.get(freq, unit)
        ]
    else:
        words = [_("every %(n)d %(unit)s", n=interval, unit=unit)]
    simple = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "COUNT"}
    days = [_weekday_words(d) for d in parts.get("BYDAY", "").split(",") if d]
    if days and all(days):
        words.append(_("on %(days)s", days=_(", ").join(days)))
    elif days:
        simple.discard("BYDAY")
    if parts.get("BYMONTH", "").isdigit():
        words.append(_("in month %(m)s", m=parts["BYMONTH"]))
    elif "BYMONTH" in parts:
        simple.discard("BYMONTH")
    if re.fullmatch(r"-?[0-9]{1,2}", parts.get("BYMONTHDAY", "")):
        day = int(parts["BYMONTHDAY"])
        words.append(_("on the last day") if day == -1 else _("on day %(d)d", d=day))
    elif "BYMONTHDAY" in parts:
        simple.discard("BYMONTHDAY")
    if parts.get("COUNT", "").isdigit():
        words.append(_("%(n)s times in all", n=parts["COUNT"]))
    else:
        simple.discard("COUNT")
    text = _(", ").join(words)
    if set(parts) - simple:
        text = f"{text} ({line})"
    return text


def _weekday_words(code: str) -> str:
    """MO → Monday; 1MO → the 1st Monday; -1FR → the last Friday ("" when not a weekday)."""
    found = re.fullmatch(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)", code)
    if not found:
        return ""
    day = str(WEEKDAYS[found.group(2)])
    n = int(found.group(1) or 0)
    if n == 0:
        return day
    if n == -1:
        return _("the last %(day)s", day=day)
    if n > 0:
        return _("the %(n)d. %(day)s", n=n, day=day)
    return _("the %(n)d. last %(day)s", n=-n, day=day)


def simple_choices(line: str) -> dict | None:
    """The form's simple choices that make this rule, or None (then it shows as advanced)."""
    parts = dict(part.partition("=")[::2] for part in line.split(";") if "=" in part)
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH"}:
        return None
    days = [d for d in parts.get("BYDAY", "").split(",") if d]
    if any(d not in WEEKDAYS for d in days):
        return None
    month_day, month = parts.get("BYMONTHDAY", ""), parts.get("BYMONTH", "")
    if (month_day and not re.fullmatch(r"-?[0-9]{1,2}", month_day)) or (
        month and not month.isdigit()
    ):
        return None
    choices = {
        "freq": parts.get("FREQ"),
        "interval": int(parts.get("INTERVAL") or 1),
        "weekdays": days,
        "month_day": int(month_day) if month_day else None,
        "month": int(month) if month else None,
    }
    return choices if build(**choices) == line else None
