"""Use cases of seats and waitlists: take a place (a seat, or a place on the waitlist), give it
up, move the first on the waitlist up; and the reminders of a confirmed place, worded in the
recipient's language with dates in it.

Capacity: a role's seats are counted in `event_roles.confirmed_count` and taken with ONE
conditional UPDATE (… WHERE confirmed_count < capacity). On PostgreSQL the UPDATE re-checks the
row after waiting for a concurrent writer; on SQLite the first write takes the database lock.
Either way no Python read-then-write decides who gets a seat.
"""

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from coordinator import access
from coordinator.events.changes import log, tell, word
from coordinator.events.models import (
    CANCELLED,
    CONFIRMED,
    DONE,
    DRAFT,
    OPEN,
    SIGNUP_CANCELLED,
    WAITLISTED,
    Event,
    EventRole,
    Signup,
)
from coordinator.events.queries import can_manage
from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import short_when, utcnow
from coordinator.notifications.models import PENDING as OUTBOX_PENDING
from coordinator.notifications.models import OutboxMessage
from coordinator.notifications.services import message_row, queue_rows
from coordinator.rules import Refused
from coordinator.signups.queries import SignupTarget, signup_target
from coordinator.work import unit_of_work

REMINDER = "event_reminder"


REMINDER_OFFSETS = (timedelta(days=1), timedelta(hours=2))


def reminder(event) -> str:
    """A reminder's words in the language in force (word() puts the recipient's there): its
    start as i18n.short_when writes it in that language ("11月26日 14:30", "26 Nov 14:30"),
    in the local time zone."""
    return _l(
        "Reminder: %(title)s starts %(time)s at %(place)s.",
        title=event.title,
        time=short_when(event.starts_at),
        place=event.place,
    )


def plan_reminders(event: Event, users) -> list[tuple]:
    """(user, send_at, text) for the day before and two hours before; past times skipped.
    Worded up front so a sign-up's write transaction only has rows to add."""
    if event.status not in OPEN:
        return []
    now = utcnow()
    plan = []
    for user in users:
        text = None
        for offset in REMINDER_OFFSETS:
            send_at = event.starts_at - offset
            if send_at > now:
                text = text or word(user, lambda: reminder(event))
                plan.append((user, send_at, text))
    return plan


def _queue_reminders(event: Event, plan: list[tuple]) -> None:
    for user, send_at, text in plan:
        tell(user, REMINDER, event, text, send_at)


def _reminder_rows(event_id: int, plan: list[tuple]) -> list[dict]:
    """The plan as outbox rows for one INSERT (notifications.queue_rows)."""
    return [
        message_row(
            REMINDER, user.phone, text, user_id=user.id, about=("event", event_id), send_at=send_at
        )
        for user, send_at, text in plan
    ]


def schedule_reminders(event: Event, users) -> None:
    """The day before and two hours before, for each confirmed person."""
    _queue_reminders(event, plan_reminders(event, users))


def drop_reminders(event: Event, user_id: int | None = None) -> None:
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


class Place:
    """What a sign-up got: a seat (CONFIRMED) or a waitlist position and place (1 = next)."""

    __slots__ = ("id", "status", "position", "place")

    def __init__(self, signup_id: int, status: str, position: int, place: int):
        self.id, self.status, self.position, self.place = signup_id, status, position, place


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


def take_seat_now(event_id: int, role_id: int) -> bool:
    """One seat of the role by the sign-up's conditional UPDATE (the role not full, the event
    open), for a place given at the event itself (a walk-in); False when none is left."""
    params = {"role": role_id, "event": event_id, "now": utcnow()}
    return db.session.connection().execute(_TAKE_SEAT, params).rowcount == 1


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
    reminders = None if target.full else plan_reminders(target, [user])
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
            reminders = plan_reminders(target, [user])
        queue_rows(_reminder_rows(target.event_id, reminders))
    return Place(signup_id, status, position, place or 0)


def sign_up(user, role: EventRole) -> Signup:
    """take_place for a role object (scripts, the demo, tests): the Signup row it made."""
    target = signup_target(access.role_actor(access.ADMIN), role.event_id, role.id)
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


def fill_from_waitlist(event: Event, role: EventRole) -> None:
    """More seats: move people up from the waitlist while there is room."""
    while True:
        promoted = _promote_next(event, role.id, take_seat=True)
        if promoted is None:
            break
    db.session.refresh(role)


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
    tell(
        promoted.user,
        "event_promoted",
        event,
        lambda: _l(
            "Good news: a place opened up. You are now confirmed for %(role)s at %(title)s, "
            "%(time)s.",
            role=role.name,
            title=event.title,
            time=short_when(event.starts_at),
        ),
    )
    schedule_reminders(event, [promoted.user])
    log(event, "promoted", None, promoted)
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
    drop_reminders(event, signup.user_id)
    log(event, "signup_cancelled", actor, signup)
    return promoted
