"""Events and volunteers: roles with capacity, sign-up and waitlist, check-in and hours."""

import os

from flask import Blueprint

bp = Blueprint("events", __name__)


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
