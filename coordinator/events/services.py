"""Use cases for events and volunteers. Each public function that changes data is one unit of
work (coordinator.work): it commits once, and a refusal anywhere in it undoes all of it.

Status changes are conditional writes on what the request read: events and sign-ups carry a
version (models), hours corrections and check-in codes change by `UPDATE … WHERE status` (or
attempts) `= :seen`. The loser of a race gets a 409 that says who changed the row and when
(_changed_meanwhile), and its messages are rolled back with it.

Capacity: a role's seats are counted in `event_roles.confirmed_count` and taken with ONE
conditional UPDATE (… WHERE confirmed_count < capacity). On PostgreSQL the UPDATE re-checks the
row after waiting for a concurrent writer; on SQLite the first write takes the database lock.
Either way no Python read-then-write decides who gets a seat.
"""

import base64
import hashlib
import hmac
import secrets
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from functools import cache
from types import SimpleNamespace

from flask import current_app, has_request_context
from flask_babel import force_locale, get_locale
from sqlalchemy import bindparam, delete, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from coordinator import access
from coordinator.auth.models import User
from coordinator.events.hours import (
    LONGEST_EVENT,
    NOTICE_WINDOW,
    correction_allowed,
    missing_check_out,
    service_minutes,
    to_local,
    to_utc,
)
from coordinator.events.models import (
    ACCEPTED,
    CANCELLED,
    CONFIRMED,
    DONE,
    DRAFT,
    OPEN,
    PENDING,
    PUBLISHED,
    REJECTED,
    SIGNUP_CANCELLED,
    UNDER_WAY,
    WAITLISTED,
    CheckinCode,
    Event,
    EventLog,
    EventRole,
    HoursCorrection,
    Signup,
    VolunteerProfile,
)
from coordinator.extensions import db
from coordinator.forms import FIRST_DAY, LAST_DAY, in_date_range, normalise_phone
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import utcnow
from coordinator.notifications.models import PENDING as OUTBOX_PENDING
from coordinator.notifications.models import OutboxMessage
from coordinator.notifications.services import message_row, queue, queue_rows
from coordinator.paging import Page, read_rows
from coordinator.places.models import Community, Compound
from coordinator.rules import Refused
from coordinator.work import Conflict, unit_of_work, update_where

REMINDER = "event_reminder"
REMINDER_OFFSETS = (timedelta(days=1), timedelta(hours=2))
CODE_TTL = timedelta(minutes=10)
CODE_ATTEMPTS = 5
# Check-in opens a little before the start (people come early to set up).
CHECKIN_OPENS = timedelta(hours=2)


# ---------------------------------------------------------------- scope and reading


def scoped(stmt, actor):
    """Admins see every event; staff their community's; everyone else what is not a draft
    (and drafts they organise themselves).

    The actor's community or id goes in as a named parameter, so that a statement built once
    for a role (the list's, a sign-up's) serves every actor of that role (_scope_params)."""
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
        "actor_id": actor.id,
        "actor_community": actor.community_id,
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


def _scope_params(stmt, role: str):
    """scoped() for a statement built once per role: actor_community and actor_id are given
    when it runs."""
    return scoped(stmt, SimpleNamespace(role=role, community_id=None, id=None))


@cache  # one statement per role, filters in use and kind of list: at most 6 × 4 × 4
def _event_page_statement(role: str, community: bool, kind: bool, when: str):
    """The event list's one statement, every value a named parameter.

    The page's ids are chosen first (an index walk), then only those rows get their community,
    compound and seat totals. Building and compiling it cost more than running it."""
    ids = _scope_params(select(Event.id, Event.starts_at), role)
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
    stmt = scoped(select(Event).where(Event.id == event_id), actor).options(
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


def roster(event: Event) -> list[Signup]:
    return list(
        db.session.scalars(
            select(Signup)
            .where(Signup.event_id == event.id, Signup.status != SIGNUP_CANCELLED)
            .options(
                selectinload(Signup.user),
                selectinload(Signup.role),
                selectinload(Signup.corrections),
            )
            .order_by(Signup.role_id, Signup.status, Signup.position, Signup.id)
        )
    )


def needs_confirmation(signups: list[Signup], now: datetime | None = None) -> list[Signup]:
    """Checked in without check-out after the day ended: the organiser sets the time."""
    now = now or utcnow()
    return [s for s in signups if missing_check_out(s.check_in_at, s.check_out_at, now)]


def pending_corrections(event: Event) -> list[HoursCorrection]:
    return list(
        db.session.scalars(
            select(HoursCorrection)
            .join(Signup)
            .where(Signup.event_id == event.id, HoursCorrection.status == PENDING)
            .options(selectinload(HoursCorrection.signup).selectinload(Signup.user))
            .order_by(HoursCorrection.id)
        )
    )


def get_community(community_id: int) -> Community | None:
    return db.session.get(Community, community_id)


def compound_choices(actor) -> list[tuple[int, str]]:
    """Compounds an actor may plan in, labelled with their community."""
    stmt = select(Compound.id, Compound.name, Community.name.label("community")).join(Community)
    if actor.role != access.ADMIN:
        stmt = stmt.where(Compound.community_id == actor.community_id)
    stmt = stmt.order_by(Community.name, Compound.name)
    return [(r.id, f"{r.community} · {r.name}") for r in db.session.execute(stmt)]


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


# ---------------------------------------------------------------- the outbox


def _log(
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


def _local_time(dt: datetime) -> str:
    """Babel's "M月d日 HH:mm" in Asia/Shanghai (the same in every language), without Babel."""
    local = to_local(dt)
    return f"{local.month}月{local.day}日 {local.hour:02d}:{local.minute:02d}"


def _word(user, body) -> str:
    """Word a message in the recipient's language; `body` is a callable giving the text, so
    that it is worded (and its times formatted) in that language, with or without a request.
    Already in that language (someone signing up in their own): no switch of locale."""
    locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    current = get_locale() if has_request_context() else None
    if current is not None and str(current) == locale:
        return str(body())
    with force_locale(locale):
        return str(body())


def _tell(user, kind: str, event: Event, body, send_at: datetime | None = None):
    text = body if isinstance(body, str) else _word(user, body)
    return queue(
        kind, user.phone, text, user_id=user.id, about=("event", event.id), send_at=send_at
    )


def _plan_reminders(event: Event, users) -> list[tuple]:
    """(user, send_at, text) for the day before and two hours before; past times skipped.
    Worded up front so a sign-up's write transaction only has rows to add."""
    if event.status not in OPEN:
        return []
    now = utcnow()

    def body():
        return _l(
            "Reminder: %(title)s starts %(time)s at %(place)s.",
            title=event.title,
            time=_local_time(event.starts_at),
            place=event.place,
        )

    plan = []
    for user in users:
        text = None
        for offset in REMINDER_OFFSETS:
            send_at = event.starts_at - offset
            if send_at > now:
                text = text or _word(user, body)
                plan.append((user, send_at, text))
    return plan


def _queue_reminders(event: Event, plan: list[tuple]) -> None:
    for user, send_at, text in plan:
        _tell(user, REMINDER, event, text, send_at)


def _reminder_rows(event_id: int, plan: list[tuple]) -> list[dict]:
    """The plan as outbox rows for one INSERT (notifications.queue_rows)."""
    return [
        message_row(
            REMINDER, user.phone, text, user_id=user.id, about=("event", event_id), send_at=send_at
        )
        for user, send_at, text in plan
    ]


def _schedule_reminders(event: Event, users) -> None:
    """The day before and two hours before, for each confirmed person."""
    _queue_reminders(event, _plan_reminders(event, users))


def _drop_reminders(event: Event, user_id: int | None = None) -> None:
    """Reminders not yet sent for this event (or one person) are stale: remove them."""
    stmt = delete(OutboxMessage).where(
        OutboxMessage.kind == REMINDER,
        OutboxMessage.subject_type == "event",
        OutboxMessage.subject_id == event.id,
        OutboxMessage.status == OUTBOX_PENDING,
    )
    if user_id is not None:
        stmt = stmt.where(OutboxMessage.user_id == user_id)
    db.session.execute(stmt.execution_options(synchronize_session=False))


def _confirmed_users(event: Event) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Signup, Signup.user_id == User.id)
            .where(Signup.event_id == event.id, Signup.status == CONFIRMED)
        )
    )


def _active_users(event: Event) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Signup, Signup.user_id == User.id)
            .where(Signup.event_id == event.id, Signup.status != SIGNUP_CANCELLED)
        )
    )


# ---------------------------------------------------------------- one unit of work


@contextmanager
def _changing(event_id: int | None, signup_id: int | None = None):
    """A use case on one event (or one of its sign-ups) as one unit of work. If the row
    changed between this request's read and its write, the 409 says who changed it, and when:
    read after the rollback, so it is the winner's entry in the trail."""
    try:
        with unit_of_work():
            yield
    except Conflict as conflict:
        if event_id is None:
            raise
        raise _changed_meanwhile(event_id, signup_id, conflict) from None


def _changed_meanwhile(event_id: int, signup_id: int | None, conflict: Conflict) -> Conflict:
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


# ---------------------------------------------------------------- creating and editing


def save_event(actor, data: dict, event: Event | None = None) -> Event:
    """Create or edit an event with its roles.

    Rules: staff plan events in their own community; the end is after the start; each role
    has a capacity of at least one and never below the people already confirmed; a role with
    people on it cannot be removed. A change to a published event bumps its SEQUENCE, and a
    change of time replaces everyone's reminders. One unit of work: a role refused after
    another was widened undoes the promotions that widening made, and their messages.
    """
    with _changing(event.id if event is not None else None):
        return _save_event(actor, data, event)


def _save_event(actor, data: dict, event: Event | None) -> Event:
    if not can_manage(actor, event):
        raise Refused(_l("You cannot edit this event."), status=403)
    if event is not None and event.status in (DONE, CANCELLED):
        raise Refused(_l("A finished or cancelled event cannot be changed."), status=409)
    community_id = data["community_id"]
    if actor.role == access.STAFF and community_id != actor.community_id:
        raise Refused(
            _l("You can only plan events in your own community."), field="community_id", status=422
        )
    if db.session.get(Community, community_id) is None:
        raise Refused(_l("Choose a community."), field="community_id", status=422)
    compound_id = data.get("compound_id") or None
    if compound_id:
        compound = db.session.get(Compound, compound_id)
        if compound is None or compound.community_id != community_id:
            raise Refused(
                _l("Choose a compound of this community."), field="compound_id", status=422
            )
    starts_at, ends_at = data["starts_at"], data["ends_at"]
    refusal = event_times_refusal(starts_at, ends_at) or (
        data.get("notice_date") and notice_date_refusal(data["notice_date"], starts_at)
    )
    if refusal:
        raise refusal
    # Each role keeps its row number in the form, so a refusal is shown at its own field.
    roles = [{**r, "row": i} for i, r in enumerate(data["roles"]) if (r.get("name") or "").strip()]
    if not roles:
        raise Refused(
            _l("Add at least one role, e.g. carrying, 8 people."), field="roles", status=422
        )

    creating = event is None
    if creating:
        event = Event(
            status=DRAFT, sequence=0, claim_days=current_app.config.get("BIKE_CLAIM_DAYS", 15)
        )
        db.session.add(event)
    time_changed = not creating and (event.starts_at != starts_at or event.ends_at != ends_at)
    event.kind = data["kind"]
    event.title = data["title"].strip()
    event.community_id = community_id
    event.compound_id = compound_id
    event.starts_at, event.ends_at = starts_at, ends_at
    event.meeting_place = (data.get("meeting_place") or "").strip()
    event.description = (data.get("description") or "").strip()
    event.organiser_id = data.get("organiser_id") or (event.organiser_id or actor.id)
    if data.get("notice_date") is not None or "notice_date" in data:
        event.notice_date = data.get("notice_date")
    if data.get("claim_days"):
        event.claim_days = data["claim_days"]
    if not creating and (db.session.is_modified(event) or time_changed):
        event.sequence += 1
    # Always written, so that the event's versioned UPDATE comes first in every edit: an edit
    # made on what the request read, holding the row (and SQLite's write lock) from here on.
    event.updated_at = utcnow()
    db.session.flush()
    _save_roles(event, roles)
    db.session.flush()
    if time_changed and event.status in OPEN:
        _drop_reminders(event)
        _schedule_reminders(event, _confirmed_users(event))
        for user in _active_users(event):
            _tell(
                user,
                "event_changed",
                event,
                lambda: _l(
                    "Changed: %(title)s now starts %(time)s.",
                    title=event.title,
                    time=_local_time(event.starts_at),
                ),
            )
    _log(event, "created" if creating else "edited", actor)
    return event


def event_times_refusal(starts_at: datetime, ends_at: datetime) -> Refused | None:
    """The end after the start, the event within sensible dates and at most a month long."""
    for field, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not in_date_range(moment):
            return Refused(
                _l(
                    "Enter a date between %(first)s and %(last)s.",
                    first=FIRST_DAY.isoformat(),
                    last=LAST_DAY.isoformat(),
                ),
                field=field,
                status=422,
            )
    if ends_at <= starts_at:
        return Refused(_l("The end must be after the start."), field="ends_at", status=422)
    if ends_at - starts_at > LONGEST_EVENT:
        return Refused(
            _l(
                "An event lasts at most %(n)d days; plan a longer one as several.",
                n=LONGEST_EVENT.days,
            ),
            field="ends_at",
            status=422,
        )
    return None


def notice_date_refusal(notice: date, starts_at: datetime) -> Refused | None:
    """A drive's notice goes up around the drive: within a year of its start."""
    if not in_date_range(notice) or abs(notice - to_local(starts_at).date()) > NOTICE_WINDOW:
        return Refused(
            _l("The notice date must be within a year of the event."),
            field="notice_date",
            status=422,
        )
    return None


def _capacity_field(row: dict) -> str:
    return f"roles-{row['row']}-capacity" if "row" in row else "roles"


def _save_roles(event: Event, rows: list[dict]) -> None:
    existing = {r.id: r for r in event.roles}
    kept = set()
    new_roles = []
    for position, row in enumerate(rows):
        capacity = int(row["capacity"])
        if capacity < 1:
            raise Refused(
                _l("Each role needs room for at least one person."),
                field=_capacity_field(row),
                status=422,
            )
        role = existing.get(row.get("id") or 0)
        if role is None:
            role = EventRole(
                name=row["name"].strip(),
                capacity=capacity,
                position=position,
                confirmed_count=0,
                waitlist_seq=0,
            )
            new_roles.append(role)
            continue
        kept.add(role.id)
        role.name, role.position = row["name"].strip(), position
        if capacity < role.capacity:
            _lower_capacity(role, capacity, _capacity_field(row))
        elif capacity > role.capacity:
            role.capacity = capacity
            db.session.flush()
            _fill_from_waitlist(event, role)
    for role_id, role in existing.items():
        if role_id in kept:
            continue
        # Counted under the role's lock (PostgreSQL; on SQLite the edit holds the write lock
        # since its first flush), so a sign-up landing now is counted or waits, and is never
        # deleted with the role by the cascade.
        db.session.execute(select(_ROLES.c.id).where(_ROLES.c.id == role_id).with_for_update())
        busy = db.session.scalar(
            select(func.count())
            .select_from(Signup)
            .where(Signup.role_id == role_id, Signup.status != SIGNUP_CANCELLED)
        )
        if busy:
            raise Refused(
                _l("%(role)s has people signed up; it cannot be removed.", role=role.name),
                field="roles",
                status=422,
            )
        event.roles.remove(role)
    event.roles.extend(new_roles)


def _lower_capacity(role: EventRole, capacity: int, field: str) -> None:
    """Fewer seats, written on the seat counter as it is now, not as it was read: sign-ups may
    be landing while the organiser types. The UPDATE waits for a seat being taken (PostgreSQL
    re-checks the row after the wait), so the CHECK on the count is never what says no."""
    lowered = db.session.execute(
        update(_ROLES)
        .where(_ROLES.c.id == role.id, _ROLES.c.confirmed_count <= capacity)
        .values(capacity=capacity)
    )
    if lowered.rowcount != 1:
        confirmed = db.session.scalar(
            select(_ROLES.c.confirmed_count).where(_ROLES.c.id == role.id)
        )
        raise Refused(
            _l(
                "%(role)s already has %(n)d people confirmed; the capacity cannot be lower.",
                role=role.name,
                n=confirmed,
            ),
            field=field,
            status=422,
        )
    set_committed_value(role, "capacity", capacity)  # written already: not again by the ORM


def _fill_from_waitlist(event: Event, role: EventRole) -> None:
    """More seats: move people up from the waitlist while there is room."""
    while True:
        promoted = _promote_next(event, role.id, take_seat=True)
        if promoted is None:
            break
    db.session.refresh(role)


def _change_status(actor, event: Event, allowed_from: tuple, to: str, action: str) -> Event:
    """The step from the status this request read: the event's versioned UPDATE is flushed
    here, first, so a second press that read the same status fails before it queues a thing."""
    if not can_manage(actor, event):
        raise Refused(_l("You cannot change this event."), status=403)
    if event.status not in allowed_from:
        raise Refused(
            _l(
                "This event is %(status)s; that step is not possible now.",
                status=event.status_label,
            ),
            status=409,
        )
    now = utcnow()
    event.status = to
    event.sequence += 1
    event.updated_at = now
    if to == PUBLISHED:
        event.published_at = now
    db.session.flush()
    _log(event, action, actor)
    return event


def publish(actor, event: Event) -> Event:
    """Draft → published (needs at least one role); reminders for anyone already confirmed."""
    if not event.roles:
        raise Refused(_l("Add at least one role before publishing."), status=409)
    with _changing(event.id):
        _change_status(actor, event, (DRAFT,), PUBLISHED, "published")
        _drop_reminders(event)
        _schedule_reminders(event, _confirmed_users(event))
    return event


def start(actor, event: Event) -> Event:
    """Published → under way: it has begun."""
    with _changing(event.id):
        _change_status(actor, event, (PUBLISHED,), UNDER_WAY, "started")
    return event


def finish(actor, event: Event) -> Event:
    """Under way (or published) → done; reminders not yet sent are dropped."""
    with _changing(event.id):
        _change_status(actor, event, (PUBLISHED, UNDER_WAY), DONE, "finished")
        _drop_reminders(event)
    return event


def cancel(actor, event: Event, reason: str) -> Event:
    """Call the event off with a reason; everyone signed up is told, reminders are dropped."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused(
            _l("Say why the event is cancelled; everyone signed up will read it."),
            field="reason",
            status=422,
        )
    with _changing(event.id):
        event.cancel_reason = reason
        event.cancelled_at = utcnow()
        _change_status(actor, event, (DRAFT, PUBLISHED, UNDER_WAY), CANCELLED, "cancelled")
        _drop_reminders(event)

        def body():
            return _l(
                "Cancelled: %(title)s (%(time)s). Reason: %(reason)s",
                title=event.title,
                time=_local_time(event.starts_at),
                reason=reason,
            )

        for user in _active_users(event):
            _tell(user, "event_cancelled", event, body)
    return event


# ---------------------------------------------------------------- sign-up and waitlist


def signup_refusal(event: Event, now: datetime | None = None):
    """Why nobody can sign up for this event now, or None."""
    now = now or utcnow()
    if event.status == CANCELLED:
        return _l("This event was cancelled; sign-up is closed.")
    if event.status == DRAFT:
        return _l("This event is not open for sign-up yet.")
    if event.status == DONE or event.ends_at <= now:
        return _l("This event is over; sign-up is closed.")
    return None


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


class Place:
    """What a sign-up got: a seat (CONFIRMED) or a waitlist position and place (1 = next)."""

    __slots__ = ("id", "status", "position", "place")

    def __init__(self, signup_id: int, status: str, position: int, place: int):
        self.id, self.status, self.position, self.place = signup_id, status, position, place


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
    return _scope_params(stmt, role)


def signup_target(actor, event_id: int, role_id: int) -> SignupTarget | None:
    """The role of this event, if the actor may see the event; None otherwise (not found)."""
    row = read_rows(
        _signup_target_statement(actor.role),
        {
            "role": role_id,
            "event": event_id,
            "actor_id": actor.id,
            "actor_community": actor.community_id,
        },
    ).first()
    return None if row is None else SignupTarget(event_id, role_id, row)


def _open_now():
    """SQL condition on a statement's :event and :now: the event takes sign-ups.

    The event row is read FOR SHARE (PostgreSQL; SQLite has one writer at a time anyway). A
    plain sub-select would read the status as of the statement's start: a seat taken while the
    organiser's cancellation is being written, and committed after it, would be a place at a
    cancelled event that nobody told (seen: 9 of 11). With the share lock, the seat waits for
    the cancellation and then reads "cancelled"; and a cancellation waits for the seats being
    taken, then tells their people. Share locks do not wait for each other."""
    return (
        select(literal(1))
        .where(
            Event.id == bindparam("event"),
            Event.status.in_(OPEN),
            Event.ends_at > bindparam("now", type_=Event.ends_at.type),
        )
        .with_for_update(read=True)
        .exists()
    )


_ROLES = EventRole.__table__
_SIGNUPS = Signup.__table__
# A seat: one conditional UPDATE, never a read-then-write in Python.
_TAKE_SEAT = (
    update(_ROLES)
    .where(
        _ROLES.c.id == bindparam("role"), _ROLES.c.confirmed_count < _ROLES.c.capacity, _open_now()
    )
    .values(confirmed_count=_ROLES.c.confirmed_count + 1)
)
# Full: the next waitlist position, handed out by the same kind of UPDATE, and only while the
# role is still full (a seat freed in between is taken instead).
_JOIN_WAITLIST = (
    update(_ROLES)
    .where(
        _ROLES.c.id == bindparam("role"), _ROLES.c.confirmed_count >= _ROLES.c.capacity, _open_now()
    )
    .values(waitlist_seq=_ROLES.c.waitlist_seq + 1)
    .returning(_ROLES.c.waitlist_seq, _ROLES.c.waitlist_seq - _ROLES.c.waitlist_left)
)
_OPEN = select(_open_now())
_ADD_SIGNUP = (
    insert(_SIGNUPS)
    .values(
        event_id=bindparam("event"),
        role_id=bindparam("role"),
        user_id=bindparam("user"),
        status=bindparam("status"),
        position=bindparam("position"),
        created_at=bindparam("now"),
    )
    .returning(_SIGNUPS.c.id)
)
_ACTIVE = (
    select(Signup.status, EventRole.name)
    .join(EventRole, EventRole.id == Signup.role_id)
    .where(
        Signup.event_id == bindparam("event"),
        Signup.user_id == bindparam("user"),
        Signup.status != SIGNUP_CANCELLED,
    )
)


def take_place(user, target: SignupTarget) -> Place:
    """Take a seat in a role, or a place on its waitlist when the role is full.

    The seat is taken by one conditional UPDATE; if it matches no row the role is full (or the
    event closed in the meantime). One active sign-up per person per event: the unique index
    refuses a second one (the transaction, seat included, is rolled back) and the person is
    told politely which place they already have. Then the reminders (worded before any lock
    is taken) in one INSERT, and one commit: four statements and the commit for a seat, three
    and the commit for the waitlist.
    """
    refusal = signup_refusal(target)
    if refusal:
        raise Refused(refusal, status=409)
    # Reminders are worded before any lock is taken, for a role that looked free when read.
    reminders = None if target.full else _plan_reminders(target, [user])
    try:
        with unit_of_work():
            return _take_place(user, target, reminders)
    except Refused as refused:
        if isinstance(refused.__cause__, IntegrityError):
            # The unique index: this person has a place already (the seat taken above went
            # back with the rollback); say which, as it stands after the rollback.
            raise Refused(_already(target.event_id, user.id), status=409) from None
        raise


def _take_place(user, target: SignupTarget, reminders) -> Place:
    now = utcnow()
    params = {"role": target.role_id, "event": target.event_id, "now": now}
    conn = db.session.connection()
    # One UPDATE as a rule: the seat if the role looked free when read, else the waitlist. Each
    # is conditional, so if the other was right after all, the other one is tried.
    status = position = place = None
    full = target.full
    for _attempt in range(5):
        if not full and conn.execute(_TAKE_SEAT, params).rowcount == 1:
            status, position = CONFIRMED, 0
            break
        # The place in the queue, with no count: everyone who ever left this waitlist had a
        # lower position than the one handed out now, so place = position - those who left.
        joined = conn.execute(_JOIN_WAITLIST, params).first()
        if joined is not None:
            status, (position, place) = WAITLISTED, joined
            break
        full = False
        if not conn.execute(_OPEN, params).scalar():
            break
    if status is None:
        raise Refused(_l("Sign-up for this event has just closed."), status=409)
    signup_id = conn.execute(
        _ADD_SIGNUP, {**params, "user": user.id, "status": status, "position": position}
    ).scalar_one()
    if status == CONFIRMED:
        if reminders is None:  # a seat freed since the read: rare, worded under the lock
            reminders = _plan_reminders(target, [user])
        queue_rows(_reminder_rows(target.event_id, reminders))
    return Place(signup_id, status, position, place or 0)


def sign_up(user, role: EventRole) -> Signup:
    """take_place for a role object (scripts, the demo, tests): the Signup row it made."""
    target = signup_target(
        SimpleNamespace(role=access.ADMIN, id=None, community_id=None), role.event_id, role.id
    )
    place = take_place(user, target)
    db.session.expire(role)
    return db.session.get(Signup, place.id)


def _already(event_id: int, user_id: int) -> str:
    row = db.session.execute(_ACTIVE, {"event": event_id, "user": user_id}).first()
    if row is None:  # cancelled in between: say it plainly
        return str(_l("You are already signed up for this event."))
    if row.status == WAITLISTED:
        return str(_l("You are already on the waitlist for %(role)s.", role=row.name))
    return str(_l("You are already signed up for %(role)s.", role=row.name))


def _left_waitlist(role_id: int) -> None:
    """Someone left the role's waitlist (promoted or cancelled): counted, so that a new
    sign-up's place is its position minus those who left (take_place)."""
    db.session.execute(
        update(EventRole.__table__)
        .where(EventRole.__table__.c.id == role_id)
        .values(waitlist_left=EventRole.__table__.c.waitlist_left + 1)
    )


def _promote_next(event: Event, role_id: int, take_seat: bool) -> Signup | None:
    """Move the first person on the waitlist up and tell them.

    take_seat=False hands over a seat just freed (the count does not move); True takes a new
    seat with the same conditional UPDATE as sign_up. Each step is a conditional UPDATE, so
    two cancellations at once never promote the same person twice.
    """
    roles = EventRole.__table__
    signups = Signup.__table__
    while True:
        candidate = db.session.scalar(
            select(signups.c.id)
            .where(signups.c.role_id == role_id, signups.c.status == WAITLISTED)
            .order_by(signups.c.position, signups.c.id)
            .limit(1)
        )
        if candidate is None:
            return None
        if take_seat:
            seat = db.session.execute(
                update(roles)
                .where(roles.c.id == role_id, roles.c.confirmed_count < roles.c.capacity)
                .values(confirmed_count=roles.c.confirmed_count + 1)
            )
            if seat.rowcount != 1:
                return None
        moved = db.session.execute(
            update(signups)
            .where(signups.c.id == candidate, signups.c.status == WAITLISTED)
            .values(status=CONFIRMED, promoted_at=utcnow(), version=signups.c.version + 1)
        )
        if moved.rowcount == 1:
            _left_waitlist(role_id)
            break
        if take_seat:  # someone else moved them first: give the seat back and try the next
            db.session.execute(
                update(roles)
                .where(roles.c.id == role_id)
                .values(confirmed_count=roles.c.confirmed_count - 1)
            )
    promoted = db.session.get(Signup, candidate, populate_existing=True)
    role = db.session.get(EventRole, role_id)
    _tell(
        promoted.user,
        "event_promoted",
        event,
        lambda: _l(
            "Good news: a place opened up. You are now confirmed for %(role)s at %(title)s, "
            "%(time)s.",
            role=role.name,
            title=event.title,
            time=_local_time(event.starts_at),
        ),
    )
    _schedule_reminders(event, [promoted.user])
    _log(event, "promoted", None, promoted)
    return promoted


def cancel_signup(actor, signup: Signup) -> Signup | None:
    """Give up a place (the person, or an organiser for them). A freed seat goes straight to
    the first on the waitlist, who is told; returns who was promoted, if anyone."""
    if actor.id != signup.user_id and not can_manage(actor, signup.event):
        raise Refused(_l("You cannot cancel someone else's sign-up."), status=403)
    if signup.check_in_at is not None:
        raise Refused(_l("Already checked in; ask the organiser."), status=409)
    with unit_of_work():
        promoted = _cancel_signup(actor, signup)
    db.session.expire_all()
    return promoted


def _cancel_signup(actor, signup: Signup) -> Signup | None:
    event = signup.event
    roles = EventRole.__table__
    signups = Signup.__table__
    # Lock the role first (PostgreSQL), the same order sign_up takes, so the waitlist holds
    # still while a seat changes hands. SQLite serialises writers anyway.
    if db.engine.dialect.name == "postgresql":
        db.session.execute(select(roles.c.id).where(roles.c.id == signup.role_id).with_for_update())
    now = utcnow()
    was = None
    # On the status as it is now, and only while nobody has checked the person in.
    for status in (CONFIRMED, WAITLISTED):
        done = db.session.execute(
            update(signups)
            .where(
                signups.c.id == signup.id,
                signups.c.status == status,
                signups.c.check_in_at.is_(None),
            )
            .values(status=SIGNUP_CANCELLED, cancelled_at=now, version=signups.c.version + 1)
        )
        if done.rowcount == 1:
            was = status
            break
    if was is None:
        checked_in = db.session.scalar(
            select(signups.c.check_in_at).where(signups.c.id == signup.id)
        )
        if checked_in is not None:
            raise Refused(_l("Already checked in; ask the organiser."), status=409)
        raise Refused(_l("This sign-up was already cancelled."), status=409)
    promoted = None
    if was == WAITLISTED:
        _left_waitlist(signup.role_id)
    if was == CONFIRMED:
        promoted = _promote_next(event, signup.role_id, take_seat=False)
        if promoted is None:
            db.session.execute(
                update(roles)
                .where(roles.c.id == signup.role_id)
                .values(confirmed_count=roles.c.confirmed_count - 1)
            )
    _drop_reminders(event, signup.user_id)
    _log(event, "signup_cancelled", actor, signup)
    return promoted


# ---------------------------------------------------------------- check-in and hours


def checkin_key(event: Event) -> str:
    """The key in the event's QR link: an HMAC of the event's UID, so the link cannot be guessed
    from the id; short, so the printed code stays coarse enough to scan from a distance."""
    mac = hmac.new(
        current_app.config["SECRET_KEY"].encode(), f"checkin:{event.uid}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(mac[:15]).decode()


def checkin_key_valid(event: Event, key: str | None) -> bool:
    return bool(key) and hmac.compare_digest(key.encode(), checkin_key(event).encode())


def checkin_refusal(event: Event, now: datetime | None = None):
    now = now or utcnow()
    if event.status not in OPEN:
        return _l("Check-in is only possible while the event is on.")
    if now < event.starts_at - CHECKIN_OPENS:
        return _l("Check-in opens two hours before the start.")
    from coordinator.events.hours import end_of_local_day

    if now >= end_of_local_day(event.ends_at):
        return _l("Check-in for this event has closed.")
    return None


def _confirmed_signup(event: Event, user_id: int) -> Signup | None:
    return db.session.scalar(
        select(Signup).where(
            Signup.event_id == event.id, Signup.user_id == user_id, Signup.status == CONFIRMED
        )
    )


def check_in_self(user, event: Event) -> Signup:
    """A volunteer checks themselves in by the event's QR link (once; again is harmless: a
    second tap, even at the same moment, finds the check-in made and adds nothing)."""
    refusal = checkin_refusal(event)
    if refusal:
        raise Refused(refusal, status=409)
    signup = _confirmed_signup(event, user.id)
    if signup is None:
        raise Refused(
            _l("You have no confirmed place at this event; ask the organiser."), status=409
        )
    if signup.check_in_at is None:
        try:
            with unit_of_work():
                signup.check_in_at = utcnow()
                _log(event, "checked_in", user, signup, "qr")
        except Conflict:
            signup = _confirmed_signup(event, user.id)
            if signup is None or signup.check_in_at is None:
                raise _changed_meanwhile(event.id, None, Conflict()) from None
    return signup


def _code_hash(event: Event, phone: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{event.id}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def send_checkin_code(event: Event, phone: str) -> str | None:
    """A six-digit code by SMS (through the outbox) for a number with a place at the event.
    Returns the code for tests; the page says the same thing whether a code went or not."""
    phone = normalise_phone(phone)
    refusal = checkin_refusal(event)
    if refusal:
        raise Refused(refusal, status=409)
    user = db.session.scalar(select(User).where(User.phone == phone))
    if user is None or _confirmed_signup(event, user.id) is None:
        return None
    code = f"{secrets.randbelow(1_000_000):06d}"
    with unit_of_work():
        db.session.add(
            CheckinCode(
                event_id=event.id,
                phone=phone,
                code_hash=_code_hash(event, phone, code),
                expires_at=utcnow() + CODE_TTL,
            )
        )
        _tell(
            user,
            "checkin_code",
            event,
            lambda: _l(
                "Your check-in code for %(title)s: %(code)s (valid 10 minutes).",
                title=event.title,
                code=code,
            ),
        )
    return code


def check_in_with_code(event: Event, phone: str, code: str) -> Signup:
    """Check in by mobile number and the code sent to it: one use, five tries, ten minutes."""
    phone = normalise_phone(phone)
    wrong = Refused(
        _l("That code is wrong or has expired. Ask for a new one."), field="code", status=422
    )
    row = db.session.scalar(
        select(CheckinCode)
        .where(
            CheckinCode.event_id == event.id,
            CheckinCode.phone == phone,
            CheckinCode.used_at.is_(None),
            CheckinCode.expires_at > utcnow(),
        )
        .order_by(CheckinCode.id.desc())
        .limit(1)
    )
    if row is None or row.attempts >= CODE_ATTEMPTS:
        raise wrong
    codes = CheckinCode.__table__
    with unit_of_work():
        # Each try is counted by a conditional UPDATE, so guesses sent in parallel still get
        # five tries in all, and the failed ones stay counted (the block commits, then refuses).
        counted = db.session.execute(
            update(codes)
            .where(
                codes.c.id == row.id, codes.c.used_at.is_(None), codes.c.attempts < CODE_ATTEMPTS
            )
            .values(attempts=codes.c.attempts + 1)
        ).rowcount
        right = counted == 1 and hmac.compare_digest(
            row.code_hash, _code_hash(event, phone, (code or "").strip())
        )
    if not right:
        raise wrong
    with _changing(event.id):
        # One use: the code is spent by whoever marks it used first; the sign-up is read after
        # that write, so a second tap of the same code reads the first one's check-in.
        spent = db.session.execute(
            update(codes)
            .where(codes.c.id == row.id, codes.c.used_at.is_(None))
            .values(used_at=utcnow())
        ).rowcount
        user = db.session.scalar(select(User).where(User.phone == phone))
        signup = _confirmed_signup(event, user.id) if user else None
        if signup is None or (spent != 1 and signup.check_in_at is None):
            raise wrong
        if signup.check_in_at is None:
            signup.check_in_at = utcnow()
            _log(event, "checked_in", user, signup, "code")
    return signup


def _require_organiser(actor, event: Event) -> None:
    if not can_manage(actor, event):
        raise Refused(_l("Only the organiser can do that."), status=403)


def _recompute(signup: Signup) -> None:
    signup.hours_minutes = service_minutes(signup.check_in_at, signup.check_out_at)
    signup.hours_confirmed_by_id = None
    signup.hours_confirmed_at = None


def tick_in(actor, signup: Signup, on: bool) -> Signup:
    """The organiser ticks someone in (now) or takes the tick away."""
    with _changing(signup.event_id, signup.id):
        return _tick_in(actor, signup, on)


def _tick_in(actor, signup: Signup, on: bool) -> Signup:
    event = signup.event
    _require_organiser(actor, event)
    if signup.status != CONFIRMED:
        raise Refused(_l("Only confirmed people can be checked in."), status=409)
    if signup.hours_confirmed_at is not None:
        raise Refused(_l("Hours are confirmed already."), status=409)
    if on and signup.check_in_at is None:
        refusal = checkin_refusal(event)
        if refusal:
            raise Refused(refusal, status=409)
        signup.check_in_at = utcnow()
        _log(event, "checked_in", actor, signup, "roster")
    elif not on:
        signup.check_in_at = None
        signup.check_out_at = None
        _recompute(signup)
        _log(event, "check_in_removed", actor, signup)
    return signup


def tick_out(actor, signup: Signup, on: bool, at: datetime | None = None) -> Signup:
    """The organiser ticks someone out (now, or at a given time for a forgotten check-out)."""
    with _changing(signup.event_id, signup.id):
        return _tick_out(actor, signup, on, at)


def _tick_out(actor, signup: Signup, on: bool, at: datetime | None) -> Signup:
    event = signup.event
    _require_organiser(actor, event)
    if signup.hours_confirmed_at is not None:
        raise Refused(_l("Hours are confirmed already."), status=409)
    if on:
        if signup.check_in_at is None:
            raise Refused(_l("Check this person in first."), status=409)
        out = at or utcnow()
        if out <= signup.check_in_at:
            raise Refused(_l("Check-out must be after check-in."), field="check_out", status=422)
        if at is not None and at > utcnow():
            raise Refused(_l("Check-out cannot be in the future."), field="check_out", status=422)
        signup.check_out_at = out
        _recompute(signup)
        _log(event, "checked_out", actor, signup, out.isoformat())
    else:
        signup.check_out_at = None
        _recompute(signup)
        _log(event, "check_out_removed", actor, signup)
    return signup


def confirm_hours(actor, signup: Signup) -> Signup:
    """The organiser confirms the hours: "whoever organises records, whoever records certifies".
    The hours confirmed are the ones the organiser saw: a change in between is a 409."""
    _require_organiser(actor, signup.event)
    if signup.hours_minutes is None:
        raise Refused(_l("Hours need a check-in and a check-out first."), status=409)
    if signup.hours_confirmed_at is not None:
        raise Refused(_l("Hours are confirmed already."), status=409)
    with _changing(signup.event_id, signup.id):
        signup.hours_confirmed_by_id = actor.id
        signup.hours_confirmed_at = utcnow()
        _log(signup.event, "hours_confirmed", actor, signup, str(signup.hours_minutes))
    return signup


def event_minutes(event: Event) -> int:
    return int((event.ends_at - event.starts_at).total_seconds() // 60)


def request_correction(user, signup: Signup, minutes: int, reason: str) -> HoursCorrection:
    """A volunteer asks for other hours, with a reason; never more than the event lasted."""
    if signup.user_id != user.id:
        raise Refused(_l("You can only correct your own hours."), status=403)
    event = signup.event
    if signup.status != CONFIRMED or event.starts_at > utcnow():
        raise Refused(_l("Hours can be corrected once the event has begun."), status=409)
    if not correction_allowed(minutes, event_minutes(event)):
        raise Refused(
            _l(
                "The event lasted %(h)s hours; ask for more than 0 and at most that.",
                h=_hours_text(event_minutes(event)),
            ),
            field="hours",
            status=422,
        )
    if not (reason or "").strip():
        raise Refused(_l("Say what should be corrected and why."), field="reason", status=422)
    if any(c.status == PENDING for c in signup.corrections):
        raise Refused(_l("You have asked already; the organiser will answer."), status=409)
    # Asked twice at once: the second meets the one-pending-request index.
    with unit_of_work(conflict=_l("You have asked already; the organiser will answer.")):
        return _request_correction(user, signup, event, minutes, reason)


def _request_correction(
    user, signup: Signup, event: Event, minutes: int, reason: str
) -> HoursCorrection:
    correction = HoursCorrection(
        signup=signup,
        requested_minutes=minutes,
        previous_minutes=signup.hours_minutes,
        reason=reason.strip(),
        status=PENDING,
    )
    db.session.add(correction)
    db.session.flush()
    _log(event, "correction_requested", user, signup, f"{signup.hours_minutes}->{minutes}")
    organiser = event.organiser
    if organiser is not None:
        _tell(
            organiser,
            "hours_correction",
            event,
            lambda: _l(
                "%(name)s asks to correct hours for %(title)s.", name=user.name, title=event.title
            ),
        )
    return correction


def decide_correction(
    actor, correction: HoursCorrection, accept: bool, note: str = ""
) -> HoursCorrection:
    """The organiser accepts (the hours change and count as confirmed) or rejects; both are
    recorded with who and when."""
    signup = correction.signup
    _require_organiser(actor, signup.event)
    if correction.status != PENDING:
        raise Refused(_l("This correction was decided already."), status=409)
    with _changing(signup.event_id, signup.id):
        return _decide_correction(actor, correction, signup, accept, note)


def _decide_correction(
    actor, correction: HoursCorrection, signup: Signup, accept: bool, note: str
) -> HoursCorrection:
    now = utcnow()
    # Decided once: on the status as read (a second organiser's press finds it decided).
    update_where(
        HoursCorrection,
        correction.id,
        {"status": PENDING},
        status=ACCEPTED if accept else REJECTED,
        decided_by_id=actor.id,
        decided_at=now,
        decision_note=(note or "").strip(),
    )
    if accept:
        signup.hours_minutes = correction.requested_minutes
        signup.hours_confirmed_by_id = actor.id
        signup.hours_confirmed_at = now
    _log(
        signup.event,
        "correction_" + correction.status,
        actor,
        signup,
        str(correction.requested_minutes),
    )
    if accept:

        def body():
            return _l("Your hours correction for %(title)s was accepted.", title=signup.event.title)
    else:

        def body():
            return _l(
                "Your hours correction for %(title)s was not accepted.", title=signup.event.title
            )

    _tell(signup.user, "hours_correction", signup.event, body)
    return correction


def _hours_text(minutes: int) -> str:
    return f"{minutes / 60:g}"


def get_signup(event: Event, signup_id: int) -> Signup | None:
    return db.session.scalar(
        select(Signup).where(Signup.id == signup_id, Signup.event_id == event.id)
    )


def get_correction(event: Event, correction_id: int) -> HoursCorrection | None:
    return db.session.scalar(
        select(HoursCorrection)
        .join(Signup)
        .where(HoursCorrection.id == correction_id, Signup.event_id == event.id)
    )


# ---------------------------------------------------------------- volunteers


def register_volunteer(data: dict) -> User:
    """A resident becomes a volunteer with an account; ID and volunteer numbers stay private."""
    phone = normalise_phone(data["phone"])
    taken = _l("This number already has an account: sign in instead.")
    if db.session.scalar(select(User.id).where(User.phone == phone)) is not None:
        raise Refused(taken, field="phone", status=422)
    if data.get("id_number") and not data.get("id_type"):
        raise Refused(_l("Choose the type of ID."), field="id_type", status=422)
    user = User(
        name=data["name"].strip(),
        phone=phone,
        role=access.VOLUNTEER,
        community_id=data.get("community_id") or None,
        locale="",
    )
    user.set_password(data["password"])  # before the write: the hash takes a while
    # The same number sent many times at once: one account, the others meet the unique key.
    with unit_of_work(conflict=taken, field="phone"):
        db.session.add(user)
        db.session.flush()
        db.session.add(
            VolunteerProfile(
                user_id=user.id,
                id_type=data.get("id_type") or "",
                id_number=(data.get("id_number") or "").strip().upper(),
                volunteer_number=(data.get("volunteer_number") or "").strip(),
                skills=(data.get("skills") or "").strip(),
                availability=(data.get("availability") or "").strip(),
            )
        )
    return user


def my_hours(user) -> tuple[list[Signup], int]:
    """A volunteer's sign-ups, newest event first, and their confirmed minutes in total."""
    rows = list(
        db.session.scalars(
            select(Signup)
            .join(Event, Event.id == Signup.event_id)
            .where(Signup.user_id == user.id)
            .options(
                selectinload(Signup.event).selectinload(Event.community),
                selectinload(Signup.role),
                selectinload(Signup.corrections),
            )
            .order_by(Event.starts_at.desc(), Signup.id.desc())
        )
    )
    total = sum(s.hours_minutes or 0 for s in rows if s.hours_confirmed_at is not None)
    return rows, total


def get_own_signup(user, signup_id: int) -> Signup | None:
    return db.session.scalar(
        select(Signup).where(Signup.id == signup_id, Signup.user_id == user.id)
    )
