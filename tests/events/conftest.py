"""Events for tests: a published event with roles, starting tomorrow unless told otherwise."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coordinator import create_app
from coordinator.events.models import PUBLISHED, Event, EventRole
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.notifications.models import OutboxMessage
from tests import factories
from tests.conftest import settings


def make_event(
    community=None,
    organiser=None,
    status=PUBLISHED,
    roles=(("搬运", 8),),
    starts_in=timedelta(days=2),
    hours=3,
    kind="cleanup",
    title="清理活动",
    **kw,
) -> Event:
    community = community or (organiser.community if organiser else None) or factories.community()
    organiser = organiser or factories.user("staff", community_=community)
    starts = utcnow().replace(microsecond=0) + starts_in
    event = Event(
        kind=kind,
        title=title,
        community=community,
        organiser=organiser,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        status=status,
        meeting_place="车棚前",
        description="清理车棚",
        **kw,
    )
    event.roles = [
        EventRole(name=n, capacity=c, position=i, confirmed_count=0, waitlist_seq=0)
        for i, (n, c) in enumerate(roles)
    ]
    db.session.add(event)
    db.session.flush()
    return event


@pytest.fixture
def event_factory():
    return make_event


@pytest.fixture
def en(app):
    """A request in English, so refusals can be read as words (outside HTTP tests)."""
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        yield


@pytest.fixture(autouse=True)
def _fresh_after_requests(request):
    """Requests run in their own app (web_app) and session: once one has answered, the test's
    session forgets what it had loaded, so what a test reads next is what the request wrote."""
    if "web_app" not in request.fixturenames and "client" not in request.fixturenames:
        yield
        return
    from flask import request_finished

    web_app = request.getfixturevalue("web_app")
    session = db.session()  # the test's own session object, not the request's

    def forget(sender, **extra):
        session.expire_all()

    request_finished.connect(forget, web_app)
    try:
        yield
    finally:
        request_finished.disconnect(forget, web_app)


@pytest.fixture
def other_app(database_url, tmp_path):
    """Another app on the same database with some settings changed (CSRF or rate limits on)."""
    made = []

    def build(**overrides):
        made.append(create_app(settings(database_url, str(tmp_path), **overrides)))
        return made[-1]

    yield build
    for extra in made:
        with extra.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def world(make):
    """A community with its staff member, a volunteer, and a published event with two roles."""
    staff = make.user("staff", name="陈楠")
    volunteer = make.user("volunteer", name="刘芳")
    event = make_event(organiser=staff, roles=(("搬运", 2), ("清扫", 1)), title="车棚清理")
    make.commit()
    return staff, volunteer, event


# ---------------------------------------------------------------- list


FRAGMENT = {"HX-Request": "true"}


def hx(target):
    return {**FRAGMENT, "HX-Target": target}


def english(client):
    client.set_cookie("lang", "en")


def outbox(kind=None, user=None):
    """The messages in the outbox (of one kind, to one person)."""
    stmt = select(OutboxMessage)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    if user:
        stmt = stmt.where(OutboxMessage.user_id == user.id)
    return list(db.session.scalars(stmt))


def count_rows(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))
