"""The sweep's world: the demo story, loaded once for the whole sweep.

The story has one of nearly everything (cases in every state, events with sign-ups, waitlists
and a correction, bike drives with claims, messages in the outbox), so a crawl from each
role's pages finds every form with real rows behind it. The rows are shared by the sweep's
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
        accounts = {phone: db.session.scalar(select(User.id).filter_by(phone=phone))
                    for phone in LOGINS.values() if phone}
        db.session.remove()
    _send_job_links(app, web_app)
    yield accounts
    with app.app_context():
        db.session.remove()
        _wipe()


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

    from coordinator.cases.models import Case
    from coordinator.events import services as events
    from coordinator.events.models import Event
    from coordinator.notifications.models import OutboxMessage

    found = []
    with app.test_request_context():
        for event in db.session.scalars(select(Event).order_by(Event.id)):
            if event.kind in ("bike_drive", "recycle_exchange"):
                found.append(url_for("bikes.claim", code=str(event.id)))
            found.append(url_for("events.checkin", event_id=event.id,
                                 k=events.checkin_key(event)))
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
            db.session.execute(update(User).where(User.phone == phone, User.id != user_id)
                               .values(phone=f"x{user_id}-{phone}"[:20]))
            db.session.execute(update(User).where(User.id == user_id).values(
                phone=phone, password_hash=probe.password_hash, active=True))
        db.session.commit()
        db.session.remove()
