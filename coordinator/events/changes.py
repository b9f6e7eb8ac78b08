"""How a change to an event (or one of its sign-ups) is written, in every domain of the events
family (events, signups, attendance): one unit of work whose 409 says who changed the row first
and when (`changing`), its line in the event's trail (`log`), and the messages it sends, worded
in the recipient's language (`tell`, `word`).
"""

from contextlib import contextmanager
from datetime import datetime

from flask import current_app, has_request_context
from flask_babel import force_locale, get_locale
from sqlalchemy import select

from coordinator.auth.models import User
from coordinator.events.models import Event, EventLog, Signup
from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import to_local
from coordinator.notifications.services import queue
from coordinator.work import Conflict, unit_of_work


def log(
    event: Event, action: str, actor=None, signup: Signup | None = None, detail: str = ""
) -> None:
    db.session.add(
        EventLog(
            event_id=event.id,
            signup_id=signup.id if signup else None,
            actor_id=actor.id if actor is not None else None,
            action=action,
            detail=detail,
        )
    )


def word(user, body) -> str:
    """Word a message in the recipient's language; `body` is a callable giving the text, so
    that it is worded (and its times formatted) in that language, with or without a request.
    Already in that language (someone signing up in their own): no switch of locale."""
    locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    current = get_locale() if has_request_context() else None
    if current is not None and str(current) == locale:
        return str(body())
    with force_locale(locale):
        return str(body())


def tell(user, kind: str, event: Event, body, send_at: datetime | None = None):
    text = body if isinstance(body, str) else word(user, body)
    return queue(
        kind, user.phone, text, user_id=user.id, about=("event", event.id), send_at=send_at
    )


@contextmanager
def changing(event_id: int | None, signup_id: int | None = None):
    """A use case on one event (or one of its sign-ups) as one unit of work. If the row
    changed between this request's read and its write, the 409 says who changed it, and when:
    read after the rollback, so it is the winner's entry in the trail."""
    try:
        with unit_of_work():
            yield
    except Conflict as conflict:
        if event_id is None:
            raise
        raise changed_meanwhile(event_id, signup_id, conflict) from None


def changed_meanwhile(event_id: int, signup_id: int | None, conflict: Conflict) -> Conflict:
    stmt = (
        select(EventLog.at, User.name)
        .outerjoin(User, User.id == EventLog.actor_id)
        .where(EventLog.event_id == event_id)
        .order_by(EventLog.id.desc())
        .limit(1)
    )
    if signup_id is not None:
        stmt = stmt.where(EventLog.signup_id == signup_id)
    last = db.session.execute(stmt).first()
    if last is None:
        return conflict
    status = db.session.scalar(select(Event.status).where(Event.id == event_id))
    return Conflict(
        _l(
            "%(name)s changed this at %(time)s (the event is now: %(status)s). "
            "Reload to see the change, then try again.",
            name=last.name or _l("The system"),
            time=to_local(last.at).strftime("%H:%M"),
            status=Event.LABELS.get(status, (status, ""))[0],
        ),
        field=conflict.field,
    )
