"""Abandoned-bike drives: the bike register, claims, recycling; and campaigns across compounds."""

from flask import Blueprint

from coordinator.i18n import calendar_day

bp = Blueprint("bikes", __name__)


def init_app(app):
    from coordinator.bikes.queries import may_view_bike
    from coordinator.uploads import register_viewer

    register_viewer("bike", may_view_bike)
    app.jinja_env.filters["calendar_day"] = calendar_day


from coordinator.bikes import models, routes  # noqa: E402,F401
