"""Read models of bike drives: the scope rule (written once), a drive, the drive behind a claim
link, who may see a bike's photos, the list of drives and a campaign."""

from datetime import datetime, timedelta

from sqlalchemy import bindparam, false, select
from sqlalchemy.orm import selectinload

from coordinator import access
from coordinator.bikes.models import Bike
from coordinator.events.models import (
    BIKE_KINDS,
    CONFIRMED,
    DRAFT,
    OPEN,
    Event,
    EventRole,
    Signup,
)
from coordinator.extensions import db
from coordinator.i18n import utcnow

# Volunteers at the shed's table register bikes from a little before the start (setting up).
REGISTRAR_EARLY = timedelta(hours=2)


def visible(stmt, actor):
    """The scope rule of drives: admins see every drive, staff the drives of their own
    community, nobody else any (a statement over events)."""
    if actor.role == access.ADMIN:
        return stmt
    if actor.role == access.STAFF:
        return stmt.where(Event.community_id == bindparam("actor_community", actor.community_id))
    return stmt.where(false())


def drives(actor):
    """The drives the actor may run, newest first (a statement, for the list's pages)."""
    return visible(select(Event).where(Event.kind.in_(BIKE_KINDS)), actor).order_by(
        Event.starts_at.desc(), Event.id.desc()
    )


def get_drive(actor, event_id: int) -> Event | None:
    """A bike drive (or recycle-and-exchange event) the actor may run, or None."""
    stmt = (
        select(Event)
        .where(Event.id == event_id, Event.kind.in_(BIKE_KINDS))
        .options(selectinload(Event.community), selectinload(Event.compound))
    )
    return db.session.scalar(visible(stmt, actor))


def registrar_drive(
    actor, event_id: int, now: datetime | None = None, any_time: bool = False
) -> Event | None:
    """The drive a volunteer may register bikes for: they hold a confirmed seat in one of its
    roles that registers bikes, and it runs now (open, from two hours before its start until
    its end). Another drive, or this one before or after, is not theirs to register.
    any_time: the seat alone (to tell them when they may, rather than "not found")."""
    now = now or utcnow()
    stmt = (
        select(Event)
        .join(Signup, Signup.event_id == Event.id)
        .join(EventRole, EventRole.id == Signup.role_id)
        .where(
            Event.id == event_id,
            Event.kind.in_(BIKE_KINDS),
            Signup.user_id == actor.id,
            Signup.status == CONFIRMED,
            EventRole.registers_bikes.is_(True),
        )
        .options(selectinload(Event.community), selectinload(Event.compound))
    )
    if not any_time:
        stmt = stmt.where(
            Event.status.in_(OPEN),
            Event.starts_at <= now + REGISTRAR_EARLY,
            Event.ends_at > now,
        )
    return db.session.scalar(stmt)


def get_public_drive(event_id: int) -> Event | None:
    """The drive behind a claim link; drafts are not public yet."""
    stmt = (
        select(Event)
        .where(Event.id == event_id, Event.kind.in_(BIKE_KINDS), Event.status != DRAFT)
        .options(selectinload(Event.community), selectinload(Event.compound))
    )
    return db.session.scalar(stmt)


def may_view_bike(user, bike_id: int) -> bool:
    """Photos of a bike: whoever may run its drive."""
    stmt = select(Bike.id).join(Event, Event.id == Bike.event_id).where(Bike.id == bike_id)
    return db.session.scalar(visible(stmt, user)) is not None
