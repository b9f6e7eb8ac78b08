"""The arithmetic of service hours, kept free of the database so it can be tested on its own.

DOMAIN.md: hours are actual service time, rounded here to the nearest quarter hour.
"""

from datetime import datetime

from coordinator.i18n import end_of_local_day

QUARTER = 15


def round_quarter(seconds: float) -> int:
    """Seconds of service → minutes, to the nearest 15 (7 min 30 s and more rounds up)."""
    if seconds <= 0:
        return 0
    return int((seconds + 450) // 900) * QUARTER


def hours_figure(minutes: int | None) -> str:
    """Minutes as the hours every page writes: 150 → "2.5", 330 → "5.5", 60 → "1" (no trailing
    zeros, never floored: the home page once showed 5 where /me/hours showed 5.5)."""
    if minutes is None:
        return ""
    return f"{minutes / 60:g}"


def service_minutes(check_in: datetime | None, check_out: datetime | None) -> int | None:
    """Minutes between check-in and check-out, rounded; None while either is missing."""
    if check_in is None or check_out is None:
        return None
    return round_quarter((check_out - check_in).total_seconds())


def missing_check_out(check_in: datetime | None, check_out: datetime | None, now: datetime) -> bool:
    """Checked in, never checked out, and the day is over: the organiser must confirm."""
    return check_in is not None and check_out is None and now >= end_of_local_day(check_in)


def correction_allowed(requested_minutes: int, event_minutes: int) -> bool:
    """A correction may not claim more than the event lasted, nor nothing at all."""
    return 0 < requested_minutes <= event_minutes
