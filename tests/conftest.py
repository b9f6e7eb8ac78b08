"""Fixtures: one app and schema per test session, a clean database for every test.

The database is TEST_DATABASE_URL when set (CI sets a fresh PostgreSQL one), otherwise a
SQLite file in a temporary folder: a file, not :memory:, so threads and a live server share it.
"""

import os
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from coordinator import create_app
from coordinator.config import TestConfig
from coordinator.extensions import db
from tests import factories

DEMO_PASSWORD = factories.PASSWORD


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(settings(database_url, str(tmp_path_factory.mktemp("uploads"))))
    with app.app_context():
        db.session.close()
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.close()
        db.drop_all()
        db.engine.dispose()


def settings(database_url: str, upload_folder: str, **overrides) -> dict:
    """TestConfig as a dict, pointed at this session's database."""
    values = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    values.update(SQLALCHEMY_DATABASE_URI=database_url, UPLOAD_FOLDER=upload_folder, **overrides)
    return values


def _wipe():
    # DELETE beats TRUNCATE on the few rows a test leaves, on PostgreSQL too.
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def _clean_database(request):
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        yield
        db.session.remove()
        _wipe()


@pytest.fixture(scope="session")
def web_app(app):
    """A second app on the same database that serves the test client's requests.

    Requests then run in their own app context, with their own database session and locale,
    as in production, instead of sharing the test's context (Flask reuses an active context
    of the same app).
    """
    web = create_app(dict(app.config))
    yield web
    with web.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _limiter_off_again():
    """The limiter is one object for every app in the process; a test that builds a
    rate-limited app switches it on for all. Switch it back off after every test."""
    yield
    from coordinator.extensions import limiter

    try:
        limiter.reset()
    except Exception:  # storage not initialised by any app yet: nothing to reset
        pass
    limiter.enabled = False


@pytest.fixture
def client(web_app):
    return web_app.test_client()


@pytest.fixture
def english(client):
    """Pages in English (the source language), for tests that read messages."""
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def make(app):
    """Factories for rows: make.user(role=...), make.team(...), make.compound(...)."""
    return factories


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user_or_phone, password=DEMO_PASSWORD):
        phone = getattr(user_or_phone, "phone", user_or_phone)
        response = self.client.post("/login", data={"phone": phone, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def count_queries(app, web_app):
    """with count_queries() as q: ... ; q.count is the number of SQL statements run."""

    @contextmanager
    def counter():
        class Box:
            count = 0
            statements: list = []

        box = Box()
        box.statements = []

        def before(conn, cursor, statement, params, context, executemany):
            box.count += 1
            box.statements.append(statement)

        engines = []
        for each in (app, web_app):  # the test's own statements and its requests'
            with each.app_context():
                engines.append(db.engine)
        for engine in engines:
            event.listen(engine, "before_cursor_execute", before)
        try:
            yield box
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", before)

    return counter


def field_errors(html: str) -> list[str]:
    """The messages shown under fields."""
    return re.findall(r'<p class="error"[^>]*>([^<]*)</p>', html)


@pytest.fixture
def live(app):
    """A real HTTP server on the test database (tests/live.py): for races between clients."""
    from tests.live import serve

    client, stop = serve(app)
    yield client
    stop()
