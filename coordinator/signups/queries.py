"""Read models of sign-ups: a person's places at an event and on a waitlist, and the role a
sign-up is for (one row, one statement per role)."""

from functools import cache

from sqlalchemy import bindparam, func, select

from coordinator import access
from coordinator.events.models import SIGNUP_CANCELLED, WAITLISTED, Event, EventRole, Signup
from coordinator.events.queries import visible
from coordinator.extensions import db
from coordinator.paging import read_rows
from coordinator.places.models import Community, Compound


class SignupTarget:
    """A role and its event as a sign-up needs them (one row, no ORM objects): whether it is
    open (status, ends_at), what the reminders say (title, start, place), the role's name."""

    __slots__ = (
        "event_id",
        "role_id",
        "status",
        "starts_at",
        "ends_at",
        "title",
        "place",
        "role_name",
        "full",
    )

    def __init__(self, event_id: int, role_id: int, row):
        self.event_id, self.role_id = event_id, role_id
        self.status, self.starts_at, self.ends_at, self.title = row[:4]
        self.place = " · ".join(p for p in (row.community, row.compound, row.meeting_place) if p)
        self.role_name = row.role_name
        self.full = row.confirmed_count >= row.capacity  # as read: a hint, never the decision


@cache  # one per role (scoping), built once
def _signup_target_statement(role: str):
    stmt = (
        select(
            Event.status,
            Event.starts_at,
            Event.ends_at,
            Event.title,
            Event.meeting_place,
            Community.name.label("community"),
            Compound.name.label("compound"),
            EventRole.name.label("role_name"),
            EventRole.confirmed_count,
            EventRole.capacity,
        )
        .select_from(EventRole)
        .join(Event, Event.id == EventRole.event_id)
        .outerjoin(Community, Community.id == Event.community_id)
        .outerjoin(Compound, Compound.id == Event.compound_id)
        .where(EventRole.id == bindparam("role"), EventRole.event_id == bindparam("event"))
    )
    return visible(stmt, access.role_actor(role))


def signup_target(actor, event_id: int, role_id: int) -> SignupTarget | None:
    """The role of this event, if the actor may see the event; None otherwise (not found)."""
    row = read_rows(
        _signup_target_statement(actor.role),
        {**access.scope_params(actor), "role": role_id, "event": event_id},
    ).first()
    return None if row is None else SignupTarget(event_id, role_id, row)


def my_signups(user, event_id: int) -> dict[int, Signup]:
    """The user's active sign-up for an event, keyed by role."""
    rows = db.session.scalars(
        select(Signup).where(
            Signup.event_id == event_id,
            Signup.user_id == user.id,
            Signup.status != SIGNUP_CANCELLED,
        )
    )
    return {s.role_id: s for s in rows}


def waitlist_place(signup: Signup) -> int:
    """1 for the first person on the role's waitlist."""
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Signup)
        .where(
            Signup.role_id == signup.role_id,
            Signup.status == WAITLISTED,
            Signup.position < signup.position,
        )
    )
    return (ahead or 0) + 1


def get_signup(event: Event, signup_id: int) -> Signup | None:
    return db.session.scalar(
        select(Signup).where(Signup.id == signup_id, Signup.event_id == event.id)
    )
