"""Use cases of attendance: check-in (the QR link, a code by SMS, the organiser's tick), check-out,
the hours and their confirmation, and corrections of hours. Each public function that changes
data is one unit of work; check-in codes change by `UPDATE … WHERE` on what was read.
"""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from coordinator.attendance.hours import correction_allowed, hours_figure, service_minutes
from coordinator.attendance.queries import confirmed_signup
from coordinator.auth import password_links
from coordinator.auth.models import User
from coordinator.events.changes import changed_meanwhile, changing, log, tell
from coordinator.events.models import (
    ACCEPTED,
    CONFIRMED,
    OPEN,
    PENDING,
    REJECTED,
    CheckinCode,
    Event,
    HoursCorrection,
    Signup,
)
from coordinator.events.queries import can_manage
from coordinator.extensions import db
from coordinator.forms import normalise_phone
from coordinator.i18n import end_of_local_day, utcnow
from coordinator.i18n import lazy_gettext as _l
from coordinator.rules import Refused
from coordinator.signups.queries import my_signups
from coordinator.signups.services import take_seat_now
from coordinator.volunteers.services import add_volunteer, volunteer_user
from coordinator.work import Conflict, unit_of_work, update_where

CODE_TTL = timedelta(minutes=10)


CODE_ATTEMPTS = 5


# Check-in opens a little before the start (people come early to set up).
CHECKIN_OPENS = timedelta(hours=2)


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
    if now >= end_of_local_day(event.ends_at):
        return _l("Check-in for this event has closed.")
    return None


def _own_place(user, event: Event) -> Signup:
    """The person's confirmed place, while check-in (and check-out) is open."""
    refusal = checkin_refusal(event)
    if refusal:
        raise Refused(refusal, status=409)
    signup = confirmed_signup(event, user.id)
    if signup is None:
        raise Refused(
            _l("You have no confirmed place at this event; ask the organiser."), status=409
        )
    return signup


def check_in_self(user, event: Event) -> Signup:
    """A volunteer checks themselves in by the event's QR link (once; again is harmless: a
    second tap, even at the same moment, finds the check-in made and adds nothing)."""
    signup = _own_place(user, event)
    if signup.check_in_at is None:
        try:
            with unit_of_work():
                signup.check_in_at = utcnow()
                log(event, "checked_in", user, signup, "qr")
        except Conflict:
            signup = confirmed_signup(event, user.id)
            if signup is None or signup.check_in_at is None:
                raise changed_meanwhile(event.id, None, Conflict()) from None
    return signup


def check_out_self(user, event: Event) -> Signup:
    """A checked-in volunteer checks out by the same QR link, and the hours are worked out.
    Once: two scans at once make one check-out (the second finds it made, and adds nothing)."""
    signup = _own_place(user, event)
    if signup.check_out_at is None:
        try:
            with unit_of_work():
                _check_out(user, signup, "qr")
        except Conflict:
            signup = confirmed_signup(event, user.id)
            if signup is None or signup.check_out_at is None:
                raise changed_meanwhile(
                    event.id, signup.id if signup else None, Conflict()
                ) from None
    return signup


def _check_out(actor, signup: Signup, how: str) -> None:
    """Out now, the hours from the check-in (not yet confirmed: the organiser does that)."""
    if signup.check_in_at is None:
        raise Refused(_l("Check in first: scan the code when you arrive."), status=409)
    if signup.hours_confirmed_at is not None:
        raise Refused(_l("Hours are confirmed already."), status=409)
    now = utcnow()
    if now <= signup.check_in_at:
        raise Refused(_l("Check-out must be after check-in."), status=409)
    signup.check_out_at = now
    _recompute(signup)
    log(signup.event, "checked_out", actor, signup, how)


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
    if user is None or confirmed_signup(event, user.id) is None:
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
        tell(
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
    """Check in by mobile number and the code sent to it: one use, five tries, ten minutes.
    Someone checked in already who comes back with a new code checks out (the second scan)."""
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
    with changing(event.id):
        # One use: the code is spent by whoever marks it used first; the sign-up is read after
        # that write, so a second tap of the same code reads the first one's check-in.
        spent = db.session.execute(
            update(codes)
            .where(codes.c.id == row.id, codes.c.used_at.is_(None))
            .values(used_at=utcnow())
        ).rowcount
        user = db.session.scalar(select(User).where(User.phone == phone))
        signup = confirmed_signup(event, user.id) if user else None
        if signup is None or (spent != 1 and signup.check_in_at is None):
            raise wrong
        if signup.check_in_at is None:
            signup.check_in_at = utcnow()
            log(event, "checked_in", user, signup, "code")
        elif spent == 1 and signup.check_out_at is None:
            _check_out(user, signup, "code")
    return signup


def add_walk_in(actor, event: Event, role_id: int, name: str, phone: str) -> Signup:
    """The organiser adds someone who came without signing up: a seat in a role with room,
    checked in at once. A number we know is that person (their account, their record of
    hours); a new one becomes a volunteer account without a password, and is texted a link to
    set one (auth/password_links.py). While check-in is open only; once per person."""
    _require_organiser(actor, event)
    refusal = checkin_refusal(event)
    if refusal:
        raise Refused(refusal, status=409)
    role = next((r for r in event.roles if r.id == role_id), None)
    if role is None:
        raise Refused(_l("Choose a role."), field="role_id", status=422)
    phone = normalise_phone(phone)
    person = db.session.scalar(select(User).where(User.phone == phone))
    if person is not None and not person.active:
        raise Refused(_l("This number's account is switched off."), field="phone", status=422)
    if person is not None and my_signups(person, event.id):
        raise Refused(
            _l("%(name)s is signed up already: check them in on the list.", name=person.name),
            field="phone",
            status=409,
        )
    already = _l("This person was just added.")
    with unit_of_work(conflict=already, field="phone"):
        if person is None:
            person = volunteer_user(name, phone, event.community_id)
            add_volunteer(person)
            # Their hours are kept under this number: a text lets them set a password to see them.
            password_links.text_link(person, event_title=event.title)
        if not take_seat_now(event.id, role.id):
            raise Refused(
                _l("%(role)s is full: choose another role.", role=role.name),
                field="role_id",
                status=409,
            )
        now = utcnow()
        signup = Signup(
            event_id=event.id,
            role_id=role.id,
            user_id=person.id,
            status=CONFIRMED,
            created_at=now,
            check_in_at=now,
        )
        db.session.add(signup)
        db.session.flush()
        log(event, "walk_in", actor, signup, role.name)
        log(event, "checked_in", actor, signup, "walk_in")
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
    with changing(signup.event_id, signup.id):
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
        log(event, "checked_in", actor, signup, "roster")
    elif not on:
        signup.check_in_at = None
        signup.check_out_at = None
        _recompute(signup)
        log(event, "check_in_removed", actor, signup)
    return signup


def tick_out(actor, signup: Signup, on: bool, at: datetime | None = None) -> Signup:
    """The organiser ticks someone out (now, or at a given time for a forgotten check-out)."""
    with changing(signup.event_id, signup.id):
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
        log(event, "checked_out", actor, signup, out.isoformat())
    else:
        signup.check_out_at = None
        _recompute(signup)
        log(event, "check_out_removed", actor, signup)
    return signup


def confirm_hours(actor, signup: Signup) -> Signup:
    """The organiser confirms the hours: "whoever organises records, whoever records certifies".
    The hours confirmed are the ones the organiser saw: a change in between is a 409."""
    _require_organiser(actor, signup.event)
    if signup.hours_minutes is None:
        raise Refused(_l("Hours need a check-in and a check-out first."), status=409)
    if signup.hours_confirmed_at is not None:
        raise Refused(_l("Hours are confirmed already."), status=409)
    with changing(signup.event_id, signup.id):
        signup.hours_confirmed_by_id = actor.id
        signup.hours_confirmed_at = utcnow()
        log(signup.event, "hours_confirmed", actor, signup, str(signup.hours_minutes))
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
                h=hours_figure(event_minutes(event)),
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
    log(event, "correction_requested", user, signup, f"{signup.hours_minutes}->{minutes}")
    organiser = event.organiser
    if organiser is not None:
        tell(
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
    with changing(signup.event_id, signup.id):
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
    log(
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

    tell(signup.user, "hours_correction", signup.event, body)
    return correction
