"""Rate limits: counted in one place every worker shares, standing when Redis falls over, and
keyed by the real client address (X-Forwarded-For only from the proxies we were told of).
Across two real servers: tests/hosts/test_two_hosts.py."""

import logging
import time

import pytest

from coordinator import create_app
from coordinator.extensions import db, limiter
from coordinator.ratelimits import DatabaseStorage, RateLimitCounter
from tests.conftest import settings

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def limited_app(app, monkeypatch):
    """An app with sign-in limited to 3 a minute; the limiter (one object) back as it was."""
    monkeypatch.setattr(limiter, "_storage_dead", False)
    made = []

    def factory(**overrides):
        made.append(
            create_app(
                settings(
                    app.config["SQLALCHEMY_DATABASE_URI"],
                    app.config["UPLOAD_FOLDER"],
                    RATELIMIT_ENABLED=True,
                    LOGIN_RATE_LIMIT="3 per minute",
                    **overrides,
                )
            )
        )
        return made[-1]

    yield factory
    for each in made:
        with each.app_context():
            db.engine.dispose()


def attempts(client, n, **headers) -> list[int]:
    return [
        client.post(
            "/login", data={"phone": "13800000009", "password": "x"}, headers=headers
        ).status_code
        for _ in range(n)
    ]


def test_without_redis_the_count_lives_in_the_database(app, limited_app):
    client = limited_app().test_client()
    assert attempts(client, 5) == [422, 422, 422, 429, 429]
    counters = db.session.query(RateLimitCounter).all()
    assert [c.count for c in counters] == [5]  # refused attempts count too (as in Redis)
    assert "127.0.0.1" in counters[0].key and "auth.login" in counters[0].key


def test_database_counters_are_one_count_for_every_storage_object(app):
    """Two workers are two storage objects on one database: they add up, windows end."""
    first, second = DatabaseStorage(), DatabaseStorage()
    assert first.incr("k", 60) == 1
    assert second.incr("k", 60) == 2
    assert first.get("k") == second.get("k") == 2
    assert time.time() < second.get_expiry("k") <= time.time() + 60
    assert first.incr("short", 1) == 1
    time.sleep(1.1)
    assert second.get("short") == 0 and second.incr("short", 1) == 1  # a new window
    second.clear("k")
    assert first.get("k") == 0
    assert first.incr("x" * 500, 60) == 1 and second.get("x" * 500) == 1  # long keys hashed
    assert first.check()


def test_redis_down_falls_back_and_logs_instead_of_failing_sign_in(limited_app, caplog):
    # Nothing listens on port 1: every Redis call fails at once.
    client = limited_app(REDIS_URL="redis://127.0.0.1:1/0").test_client()
    with caplog.at_level(logging.WARNING, logger="flask-limiter"):
        statuses = attempts(client, 5)
    assert statuses == [422, 422, 422, 429, 429]  # still limited, counted in this process
    assert any("falling back to in-memory" in r.getMessage() for r in caplog.records)


def test_forwarded_for_is_ignored_without_a_proxy(limited_app):
    """PROXY_COUNT 0 (the default): a client naming a new address each time is still one."""
    client = limited_app().test_client()
    statuses = [
        client.post(
            "/login",
            data={"phone": "13800000009", "password": "x"},
            headers={"X-Forwarded-For": f"198.51.100.{i}"},
        ).status_code
        for i in range(5)
    ]
    assert statuses == [422, 422, 422, 429, 429]


def test_behind_one_proxy_the_client_is_the_address_it_added(limited_app):
    client = limited_app(PROXY_COUNT=1).test_client()
    # The proxy appends the address it saw; anything before that the client wrote itself.
    assert attempts(client, 3, **{"X-Forwarded-For": "203.0.113.5"}) == [422] * 3
    assert attempts(client, 1, **{"X-Forwarded-For": "6.6.6.6, 203.0.113.5"}) == [429]
    assert attempts(client, 1, **{"X-Forwarded-For": "203.0.113.6"}) == [422]  # someone else
    https = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert https.headers["Strict-Transport-Security"].startswith("max-age=")
