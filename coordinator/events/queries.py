"""Read models of events: who may see and manage an event (the scope rule, written once), the
event list (one statement per role and filter set), one event's page, the organisers to choose
from, and who is signed up (the people an event's messages go to)."""

from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from coordinator import access
from coordinator.auth.models import User
from coordinator.events.models import CONFIRMED, DRAFT, SIGNUP_CANCELLED, Event, EventRole, Signup
from coordinator.extensions import db
from coordinator.i18n import to_utc, utcnow
from coordinator.paging import Page, read_rows
from coordinator.places.models import Community, Compound


def visible(stmt, actor):
    """Admins see every event; staff their community's; everyone else what is not a draft
    (and drafts they organise themselves).

    The actor's community or id goes in as a named parameter, so that a statement built once
    for a role (the list's, a sign-up's: access.role_actor) serves every actor of that role
    (run with access.scope_params)."""
    if actor.role == access.ADMIN:
        return stmt
    if actor.role == access.STAFF:
        return stmt.where(Event.community_id == bindparam("actor_community", actor.community_id))
    return stmt.where(
        (Event.status != DRAFT) | (Event.organiser_id == bindparam("actor_id", actor.id))
    )


def can_manage(actor, event: Event | None) -> bool:
    """Admins manage any event, staff those of their community (and create them), and the
    organiser their own."""
    if actor is None or not getattr(actor, "is_authenticated", True):
        return False
    if actor.role == access.ADMIN:
        return True
    if event is None:
        return actor.role == access.STAFF
    if actor.role == access.STAFF and event.community_id == actor.community_id:
        return True
    return event.organiser_id == actor.id


def search_events(
    actor,
    community_id: int = 0,
    kind: str = "",
    day: date | None = None,
    when: str = "upcoming",
    page: int = 1,
    per_page: int = 25,
) -> Page:
    """Upcoming events soonest first; past ones latest first; one day when asked.

    A page of ListedEvent rows (plain values: what the list shows), from one statement built
    once per role and filter set and read straight from the connection."""
    if day is not None:
        when = "day"
    elif when not in ("past", "all"):
        when = "upcoming"
    stmt = _event_page_statement(actor.role, bool(community_id), bool(kind), when)
    now = utcnow()
    start = to_utc(datetime(day.year, day.month, day.day)) if day is not None else now
    params = {
        **access.scope_params(actor),
        "community": community_id,
        "kind": kind,
        "now": now,
        "day_start": start,
        "day_end": start + timedelta(days=1),
        "limit": per_page + 1,
        "offset": (page - 1) * per_page,
    }
    rows = [ListedEvent(row) for row in read_rows(stmt, params)]
    return Page(rows[:per_page], page, per_page, len(rows) > per_page)


@cache  # one statement per role, filters in use and kind of list: at most 6 × 4 × 4
def _event_page_statement(role: str, community: bool, kind: bool, when: str):
    """The event list's one statement, every value a named parameter.

    The page's ids are chosen first (an index walk), then only those rows get their community,
    compound and seat totals. Building and compiling it cost more than running it."""
    ids = visible(select(Event.id, Event.starts_at), access.role_actor(role))
    if community:
        ids = ids.where(Event.community_id == bindparam("community"))
    if kind:
        ids = ids.where(Event.kind == bindparam("kind"))
    now = bindparam("now", type_=Event.ends_at.type)
    if when == "day":
        ids = ids.where(
            Event.starts_at >= bindparam("day_start", type_=Event.starts_at.type),
            Event.starts_at < bindparam("day_end", type_=Event.starts_at.type),
        )
        newest_first = False
    elif when == "past":
        ids = ids.where(Event.ends_at < now)
        newest_first = True
    elif when == "all":
        newest_first = True
    else:
        # Not over yet: the range of ix_events_open (end time >= now), read from the index
        # alone, sorted by start. The range sits in a subquery with OFFSET 0, which PostgreSQL
        # plans on its own, blind to the ORDER BY … LIMIT outside: otherwise, for the first
        # pages, it walks the start-time index from the oldest event, expecting the not-over
        # ones spread evenly, and reads 98,000 entries to find 26 (4.5 ms instead of 0.5).
        upcoming = ids.where(Event.ends_at >= now).offset(0).subquery()
        ids = select(upcoming.c.id, upcoming.c.starts_at).order_by(
            upcoming.c.starts_at, upcoming.c.id
        )
        newest_first = False
    if when != "upcoming":
        ids = ids.order_by(
            *(
                (Event.starts_at.desc(), Event.id.desc())
                if newest_first
                else (Event.starts_at, Event.id)
            )
        )
    chosen = ids.limit(bindparam("limit")).offset(bindparam("offset")).subquery()

    def of_event(column):
        return (
            select(func.coalesce(func.sum(column), 0))
            .where(EventRole.event_id == Event.id)
            .correlate(Event)
            .scalar_subquery()
        )

    order = (
        (chosen.c.starts_at.desc(), chosen.c.id.desc())
        if newest_first
        else (chosen.c.starts_at, chosen.c.id)
    )
    # The community's name comes from the filter's list of communities (routes._cards): a
    # join fewer to plan on every request.
    return (
        select(
            Event.id,
            Event.title,
            Event.kind,
            Event.status,
            Event.starts_at,
            Event.meeting_place,
            Event.community_id,
            Compound.name.label("compound"),
            of_event(EventRole.capacity).label("capacity"),
            of_event(EventRole.confirmed_count).label("confirmed"),
        )
        .join(chosen, chosen.c.id == Event.id)
        .outerjoin(Compound, Compound.id == Event.compound_id)
        .order_by(*order)
    )


class ListedEvent:
    """A row of the event list: plain values, no ORM object behind it."""

    __slots__ = (
        "id",
        "title",
        "kind",
        "status",
        "starts_at",
        "meeting_place",
        "community_id",
        "compound",
        "capacity",
        "confirmed",
        "place",
        "href",
        "badge",
        "meta",
        "taken",
        "width",
    )

    def __init__(self, row):
        (
            self.id,
            self.title,
            self.kind,
            self.status,
            self.starts_at,
            self.meeting_place,
            self.community_id,
            self.compound,
        ) = row[:8]
        self.capacity, self.confirmed = int(row.capacity), int(row.confirmed)

    def placed(self, community: str) -> None:
        """Where, as Event.place says it: community · compound · meeting place."""
        self.place = " · ".join(p for p in (community, self.compound, self.meeting_place) if p)


def get_event(actor, event_id: int) -> Event | None:
    """The event with its roles; its community, compound and organiser joined into the same
    query (one row each: a join, not three more round trips)."""
    stmt = visible(select(Event).where(Event.id == event_id), actor).options(
        selectinload(Event.roles),
        joinedload(Event.community),
        joinedload(Event.compound),
        joinedload(Event.organiser),
    )
    return db.session.scalar(stmt)


def public_event(event_id: int) -> Event | None:
    """An event as anyone may see it (calendar feeds, the check-in link): never a draft."""
    return db.session.scalar(
        select(Event)
        .where(Event.id == event_id, Event.status != DRAFT)
        .options(
            selectinload(Event.roles), selectinload(Event.community), selectinload(Event.compound)
        )
    )


def get_community(community_id: int) -> Community | None:
    return db.session.get(Community, community_id)


def organiser_choices(actor, community_id: int | None) -> list[tuple[int, str]]:
    """Organisers: office people of the community, and its volunteers (they organise too)."""
    stmt = (
        select(User.id, User.name, User.role)
        .where(User.active.is_(True))
        .order_by(User.name, User.id)
    )
    if actor.role == access.STAFF:
        stmt = stmt.where(User.community_id == actor.community_id)
    elif community_id:
        stmt = stmt.where((User.community_id == community_id) | (User.role == access.ADMIN))
    stmt = stmt.where(User.role.in_([access.ADMIN, access.STAFF, access.VOLUNTEER, access.LEAD]))
    return [(r.id, f"{r.name} ({access.ROLES[r.role]})") for r in db.session.execute(stmt)]


def confirmed_users(event: Event) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Signup, Signup.user_id == User.id)
            .where(Signup.event_id == event.id, Signup.status == CONFIRMED)
        )
    )


def active_users(event: Event) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Signup, Signup.user_id == User.id)
            .where(Signup.event_id == event.id, Signup.status != SIGNUP_CANCELLED)
        )
    )
