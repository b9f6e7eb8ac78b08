"""iCalendar (RFC 5545) feeds: one event, a community's calendar, or a person's own calendar
(the events they signed up for, at a secret address) that phones subscribe to.

UID never changes, SEQUENCE grows with each change, DTSTAMP is UTC, times carry
TZID=Asia/Shanghai with its VTIMEZONE, and a called-off event stays in the feed as CANCELLED so
subscribed calendars remove it.

Every text goes in as a vText, which escapes line breaks, commas and semicolons: a property
icalendar does not know (X-WR-CALNAME) is otherwise written raw, and a line break typed into a
title would end the content line there (today a 500; in a feed, a forged property).
"""

import re
from datetime import UTC

from icalendar import Calendar, Timezone, vText
from icalendar import Event as VEvent
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from coordinator.events.models import (
    CANCELLED,
    DRAFT,
    SIGNUP_CANCELLED,
    WAITLISTED,
    Event,
    Signup,
)
from coordinator.extensions import db
from coordinator.i18n import LOCAL, utcnow

ICS_STATUS = {CANCELLED: "CANCELLED"}
# A person's own calendar: a place given up is a cancelled event for them (the calendar app
# greys or removes it instead of keeping a stale entry); a waitlist place is tentative.
PLACE_STATUS = {SIGNUP_CANCELLED: "CANCELLED", WAITLISTED: "TENTATIVE"}


# RFC 5545 TEXT allows no control characters but HTAB and the escaped line break.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _text(value: str | None) -> vText:
    """A TEXT value: CR LF and lone CR as one line break (escaped by vText), no controls."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return vText(_CONTROLS.sub("", value))


def _aware_local(naive_utc):
    return naive_utc.replace(tzinfo=UTC).astimezone(LOCAL)


def build_calendar(events, name: str, url_for_event, mine: dict | None = None) -> bytes:
    """The calendar of these events. `mine` (a person's own calendar): per event id, the
    status of their place and how many times they gave one up, which is added to SEQUENCE
    so that a calendar takes "cancelled" (or "signed up again") as a newer version."""
    cal = Calendar()
    cal.add("prodid", "-//Beitaipingzhuang//Community Coordinator//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _text(" ".join((name or "").split())))
    cal.add("x-wr-timezone", LOCAL.key)
    cal.add_component(Timezone.from_tzid(LOCAL.key))
    stamp = utcnow().replace(tzinfo=UTC)
    for event in events:
        item = VEvent()
        item.add("uid", event.uid)
        item.add("dtstamp", stamp)
        item.add("dtstart", _aware_local(event.starts_at))
        item.add("dtend", _aware_local(event.ends_at))
        status = ICS_STATUS.get(event.status, "CONFIRMED")
        sequence = event.sequence
        if mine is not None:
            place, given_up = mine.get(event.id, (None, 0))
            sequence += given_up
            if status != "CANCELLED" and place in PLACE_STATUS:
                status = PLACE_STATUS[place]
        item.add("sequence", sequence)
        item.add("summary", _text(event.title))
        item.add("location", _text(event.place))
        description = event.description
        if event.status == CANCELLED and event.cancel_reason:
            description = f"{event.cancel_reason}\n\n{description}".strip()
        item.add("description", _text(description))
        item.add("status", status)
        item.add("last-modified", event.updated_at.replace(tzinfo=UTC))
        item.add("created", event.created_at.replace(tzinfo=UTC))
        item.add("url", url_for_event(event))
        cal.add_component(item)
    return cal.to_ical()


def community_events(community_id: int | None, limit: int = 500) -> list[Event]:
    """What a calendar subscriber sees: not drafts; the most recent few hundred."""
    stmt = (
        select(Event)
        .where(Event.status != DRAFT)
        .options(selectinload(Event.community), selectinload(Event.compound))
        .order_by(Event.starts_at.desc())
        .limit(limit)
    )
    if community_id:
        stmt = stmt.where(Event.community_id == community_id)
    return list(db.session.scalars(stmt))


def personal_events(user_id: int, limit: int = 500) -> tuple[list[Event], dict]:
    """A person's own calendar: every event they ever took a place at, in any community, the
    most recent few hundred; and per event the status of their place (an active one if any,
    else cancelled) and how many places there they gave up. Nobody else's data is in it."""
    active = func.sum(case((Signup.status != SIGNUP_CANCELLED, 1), else_=0))
    rows = db.session.execute(
        select(
            Signup.event_id,
            func.max(case((Signup.status == WAITLISTED, 1), else_=0)).label("waiting"),
            active.label("active"),
            func.count().label("places"),
        )
        .join(Event, Event.id == Signup.event_id)
        .where(Signup.user_id == user_id, Event.status != DRAFT)
        .group_by(Signup.event_id)
        .order_by(func.max(Event.starts_at).desc())
        .limit(limit)
    ).all()
    mine = {}
    for row in rows:
        if row.active:
            place = WAITLISTED if row.waiting else "confirmed"
        else:
            place = SIGNUP_CANCELLED
        mine[row.event_id] = (place, row.places - row.active)
    events = list(
        db.session.scalars(
            select(Event)
            .where(Event.id.in_(list(mine)))
            .options(selectinload(Event.community), selectinload(Event.compound))
            .order_by(Event.starts_at, Event.id)
        )
    )
    return events, mine
