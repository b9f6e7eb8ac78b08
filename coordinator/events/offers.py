"""What events offer to the shared pages: nav places and the home page's numbers."""

from flask import url_for
from sqlalchemy import func, select

from coordinator import access, plugins
from coordinator.events import models, services
from coordinator.events.models import Event, Signup
from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l


def register(app) -> None:
    plugins.offer_nav(app, "events.index", _l("Events"), "◷", access.SIGNED_IN, order=40)
    plugins.offer_nav(app, "events.my_hours", _l("My hours"), "◔", {access.VOLUNTEER}, order=50)
    plugins.offer_nav(
        app,
        "events.records",
        _l("Volunteer service records"),
        "▤",
        access.OFFICE,
        in_bar=False,
        order=100,
    )
    plugins.offer_home_numbers(app, home_numbers, order=20)


def _count(stmt) -> int:
    return db.session.scalar(stmt) or 0


def home_numbers(user, now) -> list[dict]:
    """The office: events coming up in its area; a volunteer: theirs, and confirmed hours."""
    if user.role in access.OFFICE:
        events = services.scoped(
            select(func.count(Event.id)).where(Event.ends_at >= now, Event.status.in_(models.OPEN)),
            user,
        )
        return [
            plugins.stat(_count(events), _l("Events coming up"), url_for("events.index"), "blue")
        ]
    if user.role == access.VOLUNTEER:
        return _volunteer_numbers(user, now)
    return []


def _volunteer_numbers(user, now) -> list[dict]:
    coming = _count(
        select(func.count(Signup.id))
        .join(Event, Event.id == Signup.event_id)
        .where(
            Signup.user_id == user.id,
            Signup.status != models.SIGNUP_CANCELLED,
            Event.ends_at >= now,
            Event.status.in_(models.OPEN),
        )
    )
    minutes = _count(
        select(func.sum(Signup.hours_minutes)).where(
            Signup.user_id == user.id, Signup.hours_confirmed_at.is_not(None)
        )
    )
    return [
        plugins.stat(coming, _l("My events coming up"), url_for("events.index"), "blue"),
        plugins.stat(minutes // 60, _l("Confirmed hours"), url_for("events.my_hours"), "green"),
    ]
