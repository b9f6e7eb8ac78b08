"""Read models of bike drives: the scope rule (written once), a drive, the drive behind a claim
link, who may see a bike's photos, the list of drives and a campaign."""

from sqlalchemy import bindparam, false, select
from sqlalchemy.orm import selectinload

from coordinator import access
from coordinator.bikes.models import Bike
from coordinator.events.models import DRAFT, Event
from coordinator.extensions import db

BIKE_KINDS = ("bike_drive", "recycle_exchange")


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
