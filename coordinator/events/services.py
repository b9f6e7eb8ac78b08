"""Use cases of the event itself: create and edit it with its roles, and its lifecycle (publish,
start, finish, cancel). Each public function that changes data is one unit of work
(coordinator.work, events.changes): it commits once, and a refusal anywhere in it undoes all of
it. Status changes are conditional writes on what the request read (events carry a version);
the loser of a race gets a 409 that says who changed the row and when.
"""

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from coordinator import access
from coordinator.events import signals
from coordinator.events.changes import changing, log, tell
from coordinator.events.models import (
    BIKE_KINDS,
    CANCELLED,
    DONE,
    DRAFT,
    OPEN,
    PUBLISHED,
    SIGNUP_CANCELLED,
    UNDER_WAY,
    Event,
    EventRole,
    Signup,
    claim_deadline,
)
from coordinator.events.queries import active_users, can_manage, confirmed_users
from coordinator.extensions import db
from coordinator.forms import FIRST_DAY, LAST_DAY, in_date_range
from coordinator.i18n import calendar_day, short_when, to_local, utcnow
from coordinator.i18n import lazy_gettext as _l
from coordinator.places.models import Community, Compound
from coordinator.rules import Refused
from coordinator.signups.services import drop_reminders, fill_from_waitlist, schedule_reminders

_ROLES = EventRole.__table__

LONGEST_EVENT = timedelta(days=31)
# A drive's notice goes up some days before it; a year either side is generous.
NOTICE_WINDOW = timedelta(days=366)


def save_event(actor, data: dict, event: Event | None = None) -> Event:
    """Create or edit an event with its roles.

    Rules: staff plan events in their own community; the end is after the start; each role
    has a capacity of at least one and never below the people already confirmed; a role with
    people on it cannot be removed. A change to a published event bumps its SEQUENCE, and a
    change of time replaces everyone's reminders. One unit of work: a role refused after
    another was widened undoes the promotions that widening made, and their messages.
    """
    with changing(event.id if event is not None else None):
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
    event.bring = (data.get("bring") or "").strip()
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
        drop_reminders(event)
        schedule_reminders(event, confirmed_users(event))
        for user in active_users(event):
            tell(
                user,
                "event_changed",
                event,
                lambda: _l(
                    "Changed: %(title)s now starts %(time)s.",
                    title=event.title,
                    time=short_when(event.starts_at),
                ),
            )
    log(event, "created" if creating else "edited", actor)
    return event


def event_times_refusal(starts_at: datetime, ends_at: datetime) -> Refused | None:
    """The end after the start, the event within sensible dates and at most a month long."""
    for field, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not in_date_range(moment):
            return Refused(
                _l(
                    "Enter a date between %(first)s and %(last)s.",
                    first=calendar_day(FIRST_DAY),
                    last=calendar_day(LAST_DAY),
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


def claim_day_warning(kind, starts_local: datetime | None, notice: date | None, claim_days):
    """A drive held on or before its claim deadline clears bikes that owners may still claim:
    said next to the start, as the organiser types (a warning, not a refusal: they may mean
    it, e.g. a clean-up of the shed with the claiming still open). None when all is well."""
    if kind not in BIKE_KINDS or starts_local is None or notice is None:
        return None
    if not isinstance(claim_days, int) or not 1 <= claim_days <= 90:
        return None
    deadline = claim_deadline(notice, claim_days)
    if starts_local.date() > deadline:
        return None
    return _l(
        "The drive is on %(day)s, but owners may claim their bikes until %(deadline)s: "
        "move the drive after that day, or post the notice earlier.",
        day=calendar_day(starts_local.date()),
        deadline=calendar_day(deadline),
    )


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
                registers_bikes=bool(row.get("registers_bikes")),
            )
            new_roles.append(role)
            continue
        kept.add(role.id)
        role.name, role.position = row["name"].strip(), position
        role.registers_bikes = bool(row.get("registers_bikes"))
        if capacity < role.capacity:
            _lower_capacity(role, capacity, _capacity_field(row))
        elif capacity > role.capacity:
            role.capacity = capacity
            db.session.flush()
            fill_from_waitlist(event, role)
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
    before = event.status
    event.status = to
    event.sequence += 1
    event.updated_at = now
    if to == PUBLISHED:
        event.published_at = now
    db.session.flush()
    log(event, action, actor)
    signals.event_moved.send(event, before=before, after=to, at=now, actor=actor)
    return event


def publish(actor, event: Event) -> Event:
    """Draft → published (needs at least one role); reminders for anyone already confirmed."""
    if not event.roles:
        raise Refused(_l("Add at least one role before publishing."), status=409)
    with changing(event.id):
        _change_status(actor, event, (DRAFT,), PUBLISHED, "published")
        drop_reminders(event)
        schedule_reminders(event, confirmed_users(event))
    return event


def start(actor, event: Event) -> Event:
    """Published → under way: it has begun."""
    with changing(event.id):
        _change_status(actor, event, (PUBLISHED,), UNDER_WAY, "started")
    return event


def finish(actor, event: Event) -> Event:
    """Under way (or published) → done; reminders not yet sent are dropped."""
    with changing(event.id):
        _change_status(actor, event, (PUBLISHED, UNDER_WAY), DONE, "finished")
        drop_reminders(event)
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
    with changing(event.id):
        event.cancel_reason = reason
        event.cancelled_at = utcnow()
        _change_status(actor, event, (DRAFT, PUBLISHED, UNDER_WAY), CANCELLED, "cancelled")
        drop_reminders(event)

        def body():
            return _l(
                "Cancelled: %(title)s (%(time)s). Reason: %(reason)s",
                title=event.title,
                time=short_when(event.starts_at),
                reason=reason,
            )

        for user in active_users(event):
            tell(user, "event_cancelled", event, body)
    return event
