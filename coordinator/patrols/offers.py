"""What patrols offer to the shared pages: a place in the office's navigation (in the staff's
bottom bar: grid workers open it every day) and, on a grid worker's home page, today's round."""

from flask import url_for

from coordinator import access, plugins
from coordinator.i18n import lazy_gettext as _l
from coordinator.patrols import queries


def register(app) -> None:
    # In the office's bottom bar after events (teams moves to the home page's list).
    plugins.offer_nav(app, "patrols.today", _l("Patrol"), "⚑", access.OFFICE, order=42)
    plugins.offer_home_numbers(app, home_numbers, order=12)


def home_numbers(user, now) -> list[dict]:
    """A grid worker: the compounds of today's patrol."""
    if user.role != access.STAFF:
        return []
    compounds = plugins.count(queries.compounds_today_statement(user))
    if not compounds:
        return []
    return [
        plugins.stat(compounds, _l("Today's patrol: compounds"), url_for("patrols.today"), "blue")
    ]
