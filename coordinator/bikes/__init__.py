"""Abandoned-bike drives: the bike register, claims, recycling; and campaigns across compounds."""

from flask import Blueprint

bp = Blueprint("bikes", __name__)


def calendar_day(value) -> str:
    """A calendar date (no time, no time zone) in the reader's language."""
    if value is None:
        return ""
    from flask_babel import format_date, get_locale

    pattern = "yyyy年M月d日" if str(get_locale()).startswith("zh") else "d MMM yyyy"
    return format_date(value, pattern)


def init_app(app):
    from coordinator.bikes.queries import may_view_bike
    from coordinator.uploads import register_viewer

    register_viewer("bike", may_view_bike)
    app.jinja_env.filters["calendar_day"] = calendar_day


from coordinator.bikes import models, routes  # noqa: E402,F401
