"""Two "hosts" behind one load balancer: two gunicorn servers (two workers each, with their own
outbox delivery process) on two ports, sharing the test database (PostgreSQL in CI's
`make test-pg`, else one SQLite file) and, in one round, Redis.

One sign-in limit holds across both, a session made on one is valid on the other (and ended
on both by signing out on either), and each queued message is delivered exactly once though
both hosts' delivery processes poll the same outbox, with nobody making a request.
"""

import secrets
import time
from collections import Counter
from datetime import timedelta

import pytest
from redis import Redis
from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.notifications import services
from coordinator.notifications.models import SENT, OutboxMessage
from tests.hosts.gateway import sent_bodies
from tests.hosts.servers import Browser, gunicorn

REDIS = "redis://127.0.0.1:6379/4"  # this suite's own Redis database
LIMIT = 5


def _clear_limits():
    redis = Redis.from_url(REDIS)
    for key in redis.scan_iter("*LIMITER*"):
        redis.delete(key)


@pytest.fixture(scope="module", params=["redis", "database"])
def hosts(request, app, database_url, tmp_path_factory):
    """Hosts A and B; their counters in Redis, or (no REDIS_URL) in the shared database."""
    folder = tmp_path_factory.mktemp(f"hosts-{request.param}")
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_hex(32),
        "LOGIN_RATE_LIMIT": f"{LIMIT} per minute",
        "UPLOAD_FOLDER": str(folder),
        "SMS_SENDER": "tests.hosts.gateway:FileSms",
        "SMS_LOG_FILE": str(folder / "sms.log"),
        "NOTIFY_POLL_SECONDS": "0.5",
        "REDIS_URL": REDIS if request.param == "redis" else "",
    }
    with (
        open(folder / "hosts.log", "ab") as log,
        gunicorn(env, log=log) as a,
        gunicorn(env, log=log) as b,
    ):
        yield a, b, folder / "sms.log"


@pytest.fixture(autouse=True)
def _fresh_counters():
    _clear_limits()
    yield
    _clear_limits()


def test_one_sign_in_limit_across_both_hosts(hosts):
    a, b, _ = hosts
    statuses = []
    for i in range(12):  # each attempt a new connection, to either host, to any worker
        host = (a, b)[i % 2]
        answer = Browser().sign_in(host, "13800000009", "wrong", remember=False)
        statuses.append(answer.status)
    assert statuses.count(422) == LIMIT and statuses.count(429) == 12 - LIMIT, statuses
    assert statuses[:LIMIT] == [422] * LIMIT


def test_a_session_made_on_one_host_works_on_the_other_and_ends_on_both(hosts, make):
    a, b, _ = hosts
    user = make.user("volunteer")
    make.commit()
    phone = Browser()
    assert phone.sign_in(a, user.phone, make.PASSWORD).status == 302
    assert {"session", "remember_token"} <= set(phone.cookies)
    assert phone.get(b, "/home").status == 200
    stolen = dict(phone.cookies)

    assert phone.post(b, "/logout", {}, form_from="/home").status == 302  # signed out on B
    for host in (a, b):
        replay = Browser()
        replay.cookies = dict(stolen)
        assert replay.get(host, "/home").status == 302  # back to sign-in
        replay.cookies = {"remember_token": stolen["remember_token"]}
        assert replay.get(host, "/home").status == 302


def test_each_message_is_delivered_once_with_both_hosts_delivering(hosts):
    _, _, sms_log = hosts
    before = Counter(sent_bodies(sms_log))
    run = secrets.token_hex(4)
    now = utcnow()
    bodies = [f"{run} due {i}" for i in range(60)]
    for body in bodies:
        services.queue("test", "13800138000", body)
    later = [f"{run} reminder {i}" for i in range(5)]  # scheduled: due in two seconds
    for body in later:
        services.queue("event_reminder", "13800138000", body, send_at=now + timedelta(seconds=2))
    retry = f"{run} retry"  # failed once before: its retry falls due in one second
    message = services.queue("test", "13800138000", retry)
    message.attempts, message.next_attempt_at = 1, now + timedelta(seconds=1)
    db.session.commit()

    expected = bodies + later + [retry]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        db.session.expire_all()
        sent = db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status == SENT)
        )
        if sent == len(expected):
            break
        time.sleep(0.3)
    assert sent == len(expected)
    time.sleep(1)  # a double send, if there were one, would land by now
    counts = Counter(sent_bodies(sms_log)) - before
    assert {body: counts[body] for body in expected} == {body: 1 for body in expected}
    assert sum(counts.values()) == len(expected)
