"""The sweep's world: the demo story, loaded once for the whole sweep.

The story has one of nearly everything (cases in every state, events with sign-ups, waitlists
and a correction, bike drives with claims, messages in the outbox), and _stage_states adds a
row in each state the story only passes through (a draft, a roster to settle, a call-back due,
bikes to hand over), so a crawl from each role's pages finds every form with real rows behind
it, and sends the corpus to its fields, not only to its path. The rows are shared by the sweep's
tests on purpose: what one role saved with hostile values must not break another's pages.
"""

import pytest
from sqlalchemy import select, update

from coordinator.extensions import db
from tests.conftest import _wipe


@pytest.fixture(scope="package")
def world(app, web_app):
    from importlib import import_module

    from coordinator.auth.models import User
    from coordinator.demo import CHAPTERS
    from tests.sweep.sweeper import LOGINS

    with app.app_context():
        for name in CHAPTERS:
            import_module(name).load()
            db.session.commit()
        _stage_states()
        accounts = {
            phone: db.session.scalar(select(User.id).filter_by(phone=phone))
            for phone in LOGINS.values()
            if phone
        }
        db.session.remove()
    _send_job_links(app, web_app)
    yield accounts
    with app.app_context():
        db.session.remove()
        _wipe()


def _copy(row, **changes):
    """A new row like `row` (its own id, uid and tokens), with `changes`."""
    skip = {"id", "uid", "tracking_token", "submission_key"}
    values = {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in skip}
    copy = type(row)(**(values | changes))
    db.session.add(copy)
    db.session.flush()
    return copy


def _stage_states():
    """One row in each state the story passes by but leaves no row in, so that a page shows
    the form that belongs to it and its fields are swept: a case waiting for its call-back,
    an event in draft, a finished event with a check-out to set, hours to confirm and a
    correction to decide, and a bike drive with bikes to hand over for recycling. The admin
    crawls first, so these are seen before any sweep changes them."""
    from datetime import timedelta

    from coordinator.auth.models import User
    from coordinator.bikes.models import REGISTERED, TO_RECYCLE, Bike
    from coordinator.cases import workflow
    from coordinator.cases.models import Case
    from coordinator.events.models import Event, EventRole, HoursCorrection, Signup
    from coordinator.i18n import utcnow

    now = utcnow().replace(microsecond=0)
    case = db.session.scalars(
        select(Case).where(Case.team_id.is_not(None)).order_by(Case.id)
    ).first()
    _copy(
        case,
        status=workflow.VERIFIED,
        tracking_token="sweep-callback-1",
        description="等待回访的工单",
    )

    event = db.session.scalars(
        select(Event)
        .where(Event.kind.not_in(("bike_drive", "recycle_exchange")))
        .order_by(Event.id)
    ).first()
    _copy(event, status="draft", title="草稿活动", sequence=0)
    past = _copy(
        event,
        status="done",
        title="已结束的活动",
        sequence=0,
        starts_at=now - timedelta(days=2, hours=3),
        ends_at=now - timedelta(days=2),
    )
    role = _copy(
        db.session.scalars(select(EventRole).filter_by(event_id=event.id)).first(), event_id=past.id
    )
    volunteers = db.session.scalars(
        select(User).filter_by(role="volunteer", active=True).order_by(User.id).limit(3)
    ).all()
    start = past.starts_at
    rows = [
        dict(check_in_at=start),  # no check-out: the organiser sets it
        dict(check_in_at=start, check_out_at=past.ends_at, hours_minutes=180),
        dict(
            check_in_at=start,
            check_out_at=past.ends_at,
            hours_minutes=180,
            hours_confirmed_at=past.ends_at,
            hours_confirmed_by_id=past.organiser_id,
        ),
    ]
    signups = []
    for user, row in zip(volunteers, rows, strict=True):
        signup = Signup(
            event_id=past.id, role_id=role.id, user_id=user.id, status="confirmed", **row
        )
        db.session.add(signup)
        signups.append(signup)
    db.session.flush()
    db.session.add(
        HoursCorrection(
            signup_id=signups[2].id,
            requested_minutes=150,
            previous_minutes=180,
            reason="提前离开了",
        )
    )

    bike = db.session.scalars(select(Bike).filter_by(status=REGISTERED).order_by(Bike.id)).first()
    bike.status = TO_RECYCLE
    db.session.commit()


def _send_job_links(app, web_app):
    """Job links exist only in text messages: have the admin send one for each dispatched
    case, the way the case page does, so the seeds can read them from the outbox."""
    from coordinator.cases.models import Case

    with app.app_context():
        cases = list(db.session.scalars(select(Case.id).where(Case.team_id.is_not(None))))
        db.session.remove()
    client = web_app.test_client()
    client.post("/login", data={"phone": "13800000001", "password": "demo1234"})
    for case_id in cases:
        client.post(f"/cases/{case_id}/send-link", data={"phone": "13900000099"})


@pytest.fixture(autouse=True)
def _clean_database(request, app):
    """Overrides the suite's wipe after every test: the world is wiped once, after the sweep;
    tests without it are wiped after each, as everywhere else."""
    with app.app_context():
        yield
        db.session.remove()
        if "world" not in request.fixturenames:
            _wipe()


@pytest.fixture
def seeds(app):
    """Addresses no page links to, read from the world as it is now: the claim page of each
    drive (printed on its notice), tracking pages (in the resident's SMS), job links and
    check-in links (sent by SMS or shown as a QR code)."""
    import re

    from flask import url_for

    from coordinator.attendance import services as attendance_services
    from coordinator.bikes.models import TO_RECYCLE, Bike
    from coordinator.cases.models import Case
    from coordinator.events.models import Event
    from coordinator.notifications.models import OutboxMessage

    found = []
    with app.test_request_context():
        for event in db.session.scalars(select(Event).order_by(Event.id)):
            if event.kind in ("bike_drive", "recycle_exchange"):
                found.append(url_for("bikes.claim", code=str(event.id)))
            found.append(
                url_for(
                    "attendance.checkin",
                    event_id=event.id,
                    k=attendance_services.checkin_key(event),
                )
            )
        # The pages of the rows staged for their forms (see _stage_states), while a sweep has
        # left them findable (the event form may have retitled one: the admin saw it before).
        for title in ("草稿活动", "已结束的活动"):
            for staged in db.session.scalars(select(Event.id).filter_by(title=title)):
                found += [
                    url_for("events.detail", event_id=staged),
                    url_for("attendance.roster", event_id=staged),
                ]
        for staged in db.session.scalars(
            select(Case.id).filter_by(tracking_token="sweep-callback-1")
        ):
            found.append(url_for("cases.detail", case_id=staged))
        for staged in db.session.scalars(
            select(Bike.event_id).filter_by(status=TO_RECYCLE).distinct()
        ):
            found.append(url_for("bikes.register", event_id=staged))
        for token in db.session.scalars(select(Case.tracking_token).limit(3)):
            found.append(url_for("cases.track", token=token))
        for body in db.session.scalars(select(OutboxMessage.body)):
            found += re.findall(r"https?://[^/\s]+(/(?:j|track|claim)/[^\s，。]+)", body)
        db.session.remove()
    return found


@pytest.fixture
def logins(app, world):
    """The demo sign-ins as the story made them: a role's sweep may well have changed another
    account's phone or password, or switched it off, through the people form."""
    from coordinator.auth.models import User
    from coordinator.demo.story import DEMO_PASSWORD

    with app.app_context():
        probe = User()
        probe.set_password(DEMO_PASSWORD)
        for phone, user_id in world.items():
            db.session.execute(
                update(User)
                .where(User.phone == phone, User.id != user_id)
                .values(phone=f"x{user_id}-{phone}"[:20])
            )
            db.session.execute(
                update(User)
                .where(User.id == user_id)
                .values(phone=phone, password_hash=probe.password_hash, active=True)
            )
        db.session.commit()
        db.session.remove()
