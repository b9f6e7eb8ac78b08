"""Use cases of volunteers: a resident registers as a volunteer (an account and a profile);
a person makes (or resets) the secret address of their own calendar feed."""

import secrets

from sqlalchemy import select

from coordinator import access
from coordinator.auth.models import User
from coordinator.auth.services import ask_for_password_link
from coordinator.events.models import CalendarFeed, VolunteerProfile
from coordinator.extensions import db
from coordinator.forms import normalise_phone
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import utcnow
from coordinator.rules import Refused
from coordinator.work import insert_for, unit_of_work


def register_volunteer(data: dict) -> User:
    """A resident becomes a volunteer with an account; ID and volunteer numbers stay private."""
    phone = normalise_phone(data["phone"])
    taken = _l("This number already has an account: sign in instead.")
    known = db.session.scalar(select(User).where(User.phone == phone))
    if known is not None and not known.password_hash and known.active:
        # Registered at an event by its organiser, without a password: text them the link.
        ask_for_password_link(phone)
        raise Refused(
            _l(
                "This number was registered at an event and has no password yet: we have "
                "texted it a link to set one."
            ),
            field="phone",
            status=422,
        )
    if known is not None:
        raise Refused(taken, field="phone", status=422)
    if data.get("id_number") and not data.get("id_type"):
        raise Refused(_l("Choose the type of ID."), field="id_type", status=422)
    user = volunteer_user(data["name"], phone, data.get("community_id") or None)
    user.set_password(data["password"])  # before the write: the hash takes a while
    # The same number sent many times at once: one account, the others meet the unique key.
    with unit_of_work(conflict=taken, field="phone"):
        add_volunteer(
            user,
            id_type=data.get("id_type") or "",
            id_number=(data.get("id_number") or "").strip().upper(),
            volunteer_number=(data.get("volunteer_number") or "").strip(),
            skills=(data.get("skills") or "").strip(),
            availability=(data.get("availability") or "").strip(),
        )
    return user


def volunteer_user(name: str, phone: str, community_id: int | None) -> User:
    """A new volunteer's account (a normalised phone), not yet added: see add_volunteer."""
    return User(
        name=name.strip(), phone=phone, role=access.VOLUNTEER, community_id=community_id, locale=""
    )


def add_volunteer(user: User, **profile) -> None:
    """A new volunteer's account and its profile, in the caller's unit of work (joining, or a
    walk-in the organiser adds at the event)."""
    db.session.add(user)
    db.session.flush()
    db.session.add(VolunteerProfile(user_id=user.id, **profile))


def new_feed_token() -> str:
    """256 random bits, URL-safe: the whole of a calendar feed's protection."""
    return secrets.token_urlsafe(32)


def issue_calendar_feed(user) -> str:
    """The person's calendar address secret: made on the first ask, replaced on every later one
    (a reset: whoever had the old address, a lost phone or a forwarded link, gets 404 from
    now on). One row per person; two asks at once leave one secret (the later one)."""
    token = new_feed_token()
    now = utcnow()
    feeds = CalendarFeed.__table__
    with unit_of_work():
        conn = db.session.connection()
        stmt = insert_for(conn, feeds).values(user_id=user.id, token=token, created_at=now)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[feeds.c.user_id], set_={"token": token, "created_at": now}
            )
        )
    return token
