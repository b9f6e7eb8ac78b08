"""The sweep's world: the demo story, loaded once for the whole sweep.

The story has one of nearly everything (cases in every state, events with sign-ups, waitlists
and a correction, bike drives with claims, messages in the outbox), so a crawl from each
role's pages finds every form with real rows behind it. The rows are shared by the sweep's
tests on purpose: what one role saved with hostile values must not break another's pages.
"""

import pytest

from coordinator.extensions import db
from tests.conftest import _wipe


@pytest.fixture(scope="package")
def world(app):
    from importlib import import_module

    from coordinator.demo import CHAPTERS

    with app.app_context():
        for name in CHAPTERS:
            import_module(name).load()
            db.session.commit()
        db.session.remove()
    yield
    with app.app_context():
        db.session.remove()
        _wipe()


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
    from sqlalchemy import select

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
