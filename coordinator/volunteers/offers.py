"""What volunteers offer to the shared pages: their nav places and their home numbers."""

from flask import url_for
from sqlalchemy import func, select

from coordinator import access, plugins
from coordinator.attendance.hours import hours_figure
from coordinator.events import models
from coordinator.events.models import Event, Signup
from coordinator.i18n import lazy_gettext as _l
from coordinator.volunteers.queries import confirmed_minutes


def register(app) -> None:
    plugins.offer_nav(app, "volunteers.my_hours", _l("My hours"), "◔", {access.VOLUNTEER}, order=50)
    plugins.offer_nav(
        app,
        "volunteers.records",
        _l("Volunteer service records"),
        "▤",
        access.OFFICE,
        in_bar=False,
        order=100,
    )
    plugins.offer_home_numbers(app, home_numbers, order=30)


def home_numbers(user, now) -> list[dict]:
    """A volunteer: their events coming up, and their confirmed hours."""
    if user.role != access.VOLUNTEER:
        return []
    coming = plugins.count(
        select(func.count(Signup.id))
        .join(Event, Event.id == Signup.event_id)
        .where(
            Signup.user_id == user.id,
            Signup.status != models.SIGNUP_CANCELLED,
            Event.ends_at >= now,
            Event.status.in_(models.OPEN),
        )
    )
    minutes = confirmed_minutes(user.id)
    return [
        plugins.stat(coming, _l("My events coming up"), url_for("events.index"), "blue"),
        plugins.stat(
            hours_figure(minutes) if minutes else 0,
            _l("Confirmed hours"),
            url_for("volunteers.my_hours"),
            "green",
        ),
    ]
