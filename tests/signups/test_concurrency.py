"""Capacity under load, through the real HTTP stack (the `live` server, tests/live.py): 200
people with their own session cookie tapping "Sign up" at the same moment for a role of 50."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from coordinator.auth.models import User
from coordinator.events.models import CONFIRMED, SIGNUP_CANCELLED, WAITLISTED, EventRole, Signup
from coordinator.extensions import db
from tests.events.conftest import make_event

PEOPLE = 200
CAPACITY = 50
CANCELLING = 10
PASSWORD = "load-test-1"


def _people(make, n):
    # One hash for all: hashing 200 passwords one by one would dominate the test's time.
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    users = [
        User(
            name=f"志愿者{i:03d}",
            phone=f"137{i:08d}",
            role="volunteer",
            password_hash=password_hash,
        )
        for i in range(n)
    ]
    db.session.add_all(users)
    db.session.flush()
    return users


def _count(*where):
    return db.session.scalar(select(func.count()).select_from(Signup).where(*where))


def test_200_parallel_sign_ups_for_50_places_then_10_cancellations(app, make, live):
    event = make_event(roles=(("搬运", CAPACITY),))
    role_id, event_id = event.roles[0].id, event.id
    people = _people(make, PEOPLE)
    phones = [p.phone for p in people]
    db.session.commit()

    with ThreadPoolExecutor(max_workers=50) as pool:
        cookies = list(pool.map(lambda phone: live.login(phone, PASSWORD), phones))

    path = f"/events/{event_id}/roles/{role_id}/sign-up"
    htmx = {"HX-Request": "true", "HX-Target": "roles"}

    results = live.burst(PEOPLE, lambda i: live.post(path, cookie=cookies[i], headers=htmx))

    assert [r.status for r in results if r.status != 200] == []
    db.session.expire_all()
    assert _count(Signup.status == CONFIRMED) == CAPACITY
    assert _count(Signup.status == WAITLISTED) == PEOPLE - CAPACITY
    assert _count() == PEOPLE  # nobody twice, nobody lost
    assert db.session.get(EventRole, role_id).confirmed_count == CAPACITY
    positions = list(
        db.session.scalars(
            select(Signup.position).where(Signup.status == WAITLISTED).order_by(Signup.position)
        )
    )
    assert positions == list(range(1, PEOPLE - CAPACITY + 1))  # a clean queue, no gaps

    # Ten confirmed people give up their place at the same moment.
    by_user = {r.user_id: r.id for r in db.session.execute(select(Signup.user_id, Signup.id))}
    confirmed_users = list(
        db.session.scalars(
            select(Signup.user_id).where(Signup.status == CONFIRMED).order_by(Signup.id)
        )
    )
    leaving = confirmed_users[:CANCELLING]
    cookie_of = {p.id: c for p, c in zip(people, cookies, strict=True)}
    first_ten = set(
        db.session.scalars(
            select(Signup.id)
            .where(Signup.status == WAITLISTED)
            .order_by(Signup.position)
            .limit(CANCELLING)
        )
    )

    def leave(i):
        user_id = leaving[i]
        return live.post(
            f"/events/{event_id}/signups/{by_user[user_id]}/cancel",
            cookie=cookie_of[user_id],
            headers=htmx,
        ).status

    statuses = live.burst(CANCELLING, leave)

    assert statuses == [200] * CANCELLING
    db.session.expire_all()
    assert _count(Signup.status == SIGNUP_CANCELLED) == CANCELLING
    assert _count(Signup.status == CONFIRMED) == CAPACITY
    assert _count(Signup.status == WAITLISTED) == PEOPLE - CAPACITY - CANCELLING
    promoted = set(db.session.scalars(select(Signup.id).where(Signup.promoted_at.is_not(None))))
    assert promoted == first_ten
    assert db.session.get(EventRole, role_id).confirmed_count == CAPACITY


def test_one_person_tapping_twenty_times_at_once_gets_one_place(app, make, live):
    """The friendly check and the unique index together: one place, no error pages."""
    event = make_event(roles=(("搬运", 5), ("清扫", 5)))
    roles, event_id = [r.id for r in event.roles], event.id
    (person,) = _people(make, 1)
    db.session.commit()
    cookie = live.login(person.phone, PASSWORD)
    htmx = {"HX-Request": "true", "HX-Target": "roles"}

    statuses = [
        r.status
        for r in live.burst(
            20,
            lambda i: live.post(
                f"/events/{event_id}/roles/{roles[i % 2]}/sign-up", cookie=cookie, headers=htmx
            ),
        )
    ]

    assert sorted(set(statuses)) == [200, 409] and statuses.count(200) == 1
    db.session.expire_all()
    assert _count() == 1
    seats = [db.session.get(EventRole, r).confirmed_count for r in roles]
    assert sorted(seats) == [0, 1]  # the refused taps gave their seat back
