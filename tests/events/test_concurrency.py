"""Capacity under load, through the real HTTP stack: a threaded werkzeug server, 200 people
with their own session cookie tapping "Sign up" at the same moment for a role of 50."""

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from coordinator.auth.models import User
from coordinator.events.models import CONFIRMED, SIGNUP_CANCELLED, WAITLISTED, EventRole, Signup
from coordinator.extensions import db
from tests.events.conftest import make_event

PEOPLE = 200
CAPACITY = 50
CANCELLING = 10
PASSWORD = "load-test-1"


@pytest.fixture
def server(app):
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.server_port
    srv.shutdown()
    thread.join(timeout=5)


def _request(port, method, path, body=None, cookie=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        all_headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if cookie:
            all_headers["Cookie"] = cookie
        all_headers.update(headers or {})
        conn.request(method, path, body=urlencode(body or {}), headers=all_headers)
        response = conn.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read()
    finally:
        conn.close()


def _login(port, phone):
    status, set_cookie, _ = _request(port, "POST", "/login",
                                     {"phone": phone, "password": PASSWORD})
    assert status == 302, status
    return set_cookie.split(";", 1)[0]


def _people(make, n):
    # One hash for all: hashing 200 passwords one by one would dominate the test's time.
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    users = [User(name=f"志愿者{i:03d}", phone=f"137{i:08d}", role="volunteer",
                  password_hash=password_hash) for i in range(n)]
    db.session.add_all(users)
    db.session.flush()
    return users


def _count(*where):
    return db.session.scalar(select(func.count()).select_from(Signup).where(*where))


def test_200_parallel_sign_ups_for_50_places_then_10_cancellations(app, make, server):
    event = make_event(roles=(("搬运", CAPACITY),))
    role_id, event_id = event.roles[0].id, event.id
    people = _people(make, PEOPLE)
    phones = [p.phone for p in people]
    db.session.commit()

    with ThreadPoolExecutor(max_workers=50) as pool:
        cookies = list(pool.map(lambda phone: _login(server, phone), phones))

    start = threading.Barrier(PEOPLE)
    path = f"/events/{event_id}/roles/{role_id}/sign-up"
    htmx = {"HX-Request": "true", "HX-Target": "roles"}

    def tap(cookie):
        start.wait()
        status, _, body = _request(server, "POST", path, cookie=cookie, headers=htmx)
        return status, body

    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        results = list(pool.map(tap, cookies))

    assert [s for s, _ in results if s != 200] == []
    db.session.expire_all()
    assert _count(Signup.status == CONFIRMED) == CAPACITY
    assert _count(Signup.status == WAITLISTED) == PEOPLE - CAPACITY
    assert _count() == PEOPLE  # nobody twice, nobody lost
    assert db.session.get(EventRole, role_id).confirmed_count == CAPACITY
    positions = list(db.session.scalars(
        select(Signup.position).where(Signup.status == WAITLISTED).order_by(Signup.position)))
    assert positions == list(range(1, PEOPLE - CAPACITY + 1))  # a clean queue, no gaps

    # Ten confirmed people give up their place at the same moment.
    by_user = {r.user_id: r.id for r in db.session.execute(select(Signup.user_id, Signup.id))}
    confirmed_users = list(db.session.scalars(
        select(Signup.user_id).where(Signup.status == CONFIRMED).order_by(Signup.id)))
    leaving = confirmed_users[:CANCELLING]
    cookie_of = {p.id: c for p, c in zip(people, cookies, strict=True)}
    first_ten = set(db.session.scalars(
        select(Signup.id).where(Signup.status == WAITLISTED).order_by(Signup.position)
        .limit(CANCELLING)))
    leave_barrier = threading.Barrier(CANCELLING)

    def leave(user_id):
        leave_barrier.wait()
        status, _, _ = _request(server, "POST",
                                f"/events/{event_id}/signups/{by_user[user_id]}/cancel",
                                cookie=cookie_of[user_id], headers=htmx)
        return status

    with ThreadPoolExecutor(max_workers=CANCELLING) as pool:
        statuses = list(pool.map(leave, leaving))

    assert statuses == [200] * CANCELLING
    db.session.expire_all()
    assert _count(Signup.status == SIGNUP_CANCELLED) == CANCELLING
    assert _count(Signup.status == CONFIRMED) == CAPACITY
    assert _count(Signup.status == WAITLISTED) == PEOPLE - CAPACITY - CANCELLING
    promoted = set(db.session.scalars(select(Signup.id).where(Signup.promoted_at.is_not(None))))
    assert promoted == first_ten
    assert db.session.get(EventRole, role_id).confirmed_count == CAPACITY


def test_one_person_tapping_twenty_times_at_once_gets_one_place(app, make, server):
    """The friendly check and the unique index together: one place, no error pages."""
    event = make_event(roles=(("搬运", 5), ("清扫", 5)))
    roles, event_id = [r.id for r in event.roles], event.id
    (person,) = _people(make, 1)
    db.session.commit()
    cookie = _login(server, person.phone)
    start = threading.Barrier(20)
    htmx = {"HX-Request": "true", "HX-Target": "roles"}

    def tap(i):
        start.wait()
        path = f"/events/{event_id}/roles/{roles[i % 2]}/sign-up"
        return _request(server, "POST", path, cookie=cookie, headers=htmx)[0]

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(tap, range(20)))

    assert sorted(set(statuses)) == [200, 409] and statuses.count(200) == 1
    db.session.expire_all()
    assert _count() == 1
    seats = [db.session.get(EventRole, r).confirmed_count for r in roles]
    assert sorted(seats) == [0, 1]  # the refused taps gave their seat back
