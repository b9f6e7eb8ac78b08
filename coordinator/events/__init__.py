"""Events and volunteers: roles with capacity, sign-up and waitlist, check-in and hours."""

from flask import Blueprint

bp = Blueprint("events", __name__)

from coordinator.events import models, routes  # noqa: E402,F401


def init_app(app):
    import os

    # The claim period of abandoned-bike drives: no city rule fixes it (DOMAIN.md).
    app.config.setdefault("BIKE_CLAIM_DAYS", int(os.environ.get("BIKE_CLAIM_DAYS", "15")))
