"""What events offer to the shared pages: the nav place and the office's number of events."""

from flask import url_for
from sqlalchemy import func, select

from coordinator import access, plugins
from coordinator.events import models, queries
from coordinator.events.models import Event
from coordinator.i18n import lazy_gettext as _l


def register(app) -> None:
    plugins.offer_nav(app, "events.index", _l("Events"), "◷", access.SIGNED_IN, order=40)
    plugins.offer_home_numbers(app, home_numbers, order=20)


def home_numbers(user, now) -> list[dict]:
    """The office: the events coming up in its area."""
    if user.role in access.OFFICE:
        events = queries.visible(
            select(func.count(Event.id)).where(Event.ends_at >= now, Event.status.in_(models.OPEN)),
            user,
        )
        return [
            plugins.stat(
                plugins.count(events), _l("Events coming up"), url_for("events.index"), "blue"
            )
        ]
    return []
