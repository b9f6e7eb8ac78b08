"""Events and volunteers: roles with capacity, sign-up and waitlist, check-in and hours."""

import os

from flask import Blueprint, abort

bp = Blueprint("events", __name__)

# The largest id a row can have (PostgreSQL INTEGER). Larger numbers in a path name no row,
# and would fail in the database driver (SQLite: 64 bits at most) instead of saying so.
LARGEST_ID = 2**31 - 1


def ids_in_range(_endpoint, values) -> None:
    """Every <int:…> of this blueprint's paths names a possible row, or the page is not found."""
    if values and any(isinstance(v, int) and not 0 <= v <= LARGEST_ID for v in values.values()):
        abort(404)


bp.url_value_preprocessor(ids_in_range)


def init_app(app):
    from flask_babel import format_datetime

    from coordinator.events.hours import to_local

    # The claim period of abandoned-bike drives: no city rule fixes it (DOMAIN.md).
    app.config.setdefault("BIKE_CLAIM_DAYS", int(os.environ.get("BIKE_CLAIM_DAYS", "15")))

    def clock(dt):
        return format_datetime(dt, "HH:mm") if dt else ""

    def local_input(dt):
        """A stored UTC time as the value of an <input type=datetime-local>."""
        return to_local(dt).strftime("%Y-%m-%dT%H:%M") if dt else ""

    def hours_text(minutes):
        """150 → 2.5 (hours, without trailing zeros)."""
        return "" if minutes is None else f"{minutes / 60:g}"

    app.jinja_env.filters.update(clock=clock, local_input=local_input)
    app.jinja_env.globals.update(hours_text=hours_text)


from coordinator.events import models  # noqa: E402,F401  (tables known to migrations)
