"""Sign-up services without HTTP: seats, the waitlist, reminders; assert on the database."""

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from coordinator.events.changes import word
from coordinator.events.models import (
    CANCELLED,
    CONFIRMED,
    DRAFT,
    PUBLISHED,
    SIGNUP_CANCELLED,
    WAITLISTED,
    EventRole,
    Signup,
)
from coordinator.extensions import db
from coordinator.rules import Refused
from coordinator.signups import queries as signups_queries
from coordinator.signups import services as signups_services
from tests.events.conftest import count_rows, make_event, outbox


def test_sign_up_confirms_until_full_then_waitlists(app, en, make):
    event = make_event(roles=(("搬运", 2),))
    role = event.roles[0]
    people = [make.user("volunteer") for _ in range(4)]
    make.commit()
    results = [signups_services.sign_up(p, role) for p in people]
    assert [s.status for s in results] == [CONFIRMED, CONFIRMED, WAITLISTED, WAITLISTED]
    assert [s.position for s in results[2:]] == [1, 2]
    db.session.refresh(role)
    assert role.confirmed_count == 2
    assert signups_queries.waitlist_place(results[3]) == 2
    # confirmed people get two reminders each (day before, two hours before); waitlisted none
    reminders = outbox(signups_services.REMINDER)
    assert len(reminders) == 4
    assert {m.user_id for m in reminders} == {people[0].id, people[1].id}
    starts = event.starts_at
    assert sorted({m.next_attempt_at for m in reminders}) == [
        starts - timedelta(days=1),
        starts - timedelta(hours=2),
    ]


def test_double_sign_up_is_refused_politely(app, en, make):
    event = make_event(roles=(("搬运", 5), ("清扫", 5)))
    user = make.user("volunteer")
    make.commit()
    signups_services.sign_up(user, event.roles[0])
    with pytest.raises(Refused) as refused:
        signups_services.sign_up(user, event.roles[1])
    assert refused.value.status == 409
    assert "already" in str(refused.value.message)
    assert count_rows(Signup) == 1
    assert db.session.get(EventRole, event.roles[1].id).confirmed_count == 0


def test_unique_index_refuses_a_second_active_sign_up(app, en, make):
    event = make_event()
    user = make.user("volunteer")
    db.session.add(
        Signup(event_id=event.id, role_id=event.roles[0].id, user_id=user.id, status=CONFIRMED)
    )
    db.session.flush()
    db.session.add(
        Signup(event_id=event.id, role_id=event.roles[0].id, user_id=user.id, status=WAITLISTED)
    )
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError from either driver
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "status,starts_in,word",
    [
        (CANCELLED, timedelta(days=1), "cancelled"),
        (DRAFT, timedelta(days=1), "not open"),
        (PUBLISHED, timedelta(days=-2), "over"),
    ],
)
def test_sign_up_refused_for_closed_events(app, en, make, status, starts_in, word):
    event = make_event(status=status, starts_in=starts_in)
    user = make.user("volunteer")
    make.commit()
    with pytest.raises(Refused) as refused:
        signups_services.sign_up(user, event.roles[0])
    assert word in str(refused.value.message)
    assert count_rows(Signup) == 0
    assert db.session.get(EventRole, event.roles[0].id).confirmed_count == 0


def test_cancel_promotes_the_first_on_the_waitlist_and_tells_them(app, en, make):
    event = make_event(roles=(("搬运", 1),))
    role = event.roles[0]
    a, b, c = (make.user("volunteer") for _ in range(3))
    make.commit()
    first = signups_services.sign_up(a, role)
    second = signups_services.sign_up(b, role)
    signups_services.sign_up(c, role)
    promoted = signups_services.cancel_signup(a, db.session.get(Signup, first.id))
    assert promoted.id == second.id
    assert db.session.get(Signup, second.id).status == CONFIRMED
    assert db.session.get(Signup, first.id).status == SIGNUP_CANCELLED
    assert db.session.get(EventRole, role.id).confirmed_count == 1
    assert len(outbox("event_promoted", b)) == 1
    assert outbox(signups_services.REMINDER, a) == []  # the leaver's reminders are gone
    assert len(outbox(signups_services.REMINDER, b)) == 2
    # leaving the waitlist frees no seat and promotes nobody
    signups_services.cancel_signup(c, db.session.scalar(select(Signup).filter_by(user_id=c.id)))
    assert db.session.get(EventRole, role.id).confirmed_count == 1


def test_cancel_without_waitlist_frees_the_seat(app, en, make):
    event = make_event(roles=(("搬运", 1),))
    a = make.user("volunteer")
    make.commit()
    signup = signups_services.sign_up(a, event.roles[0])
    assert signups_services.cancel_signup(a, signup) is None
    assert db.session.get(EventRole, event.roles[0].id).confirmed_count == 0
    with pytest.raises(Refused):
        signups_services.cancel_signup(a, db.session.get(Signup, signup.id))


def test_someone_else_cannot_cancel_my_sign_up(app, en, make):
    event = make_event()
    a, b = make.user("volunteer"), make.user("volunteer")
    make.commit()
    signup = signups_services.sign_up(a, event.roles[0])
    with pytest.raises(Refused) as refused:
        signups_services.cancel_signup(b, signup)
    assert refused.value.status == 403
    assert db.session.get(Signup, signup.id).status == CONFIRMED


def test_a_stale_read_never_decides_the_seat(app, en, make):
    """The role's fullness as read is only a hint: the conditional UPDATEs decide."""
    event = make_event(roles=(("搬运", 1),))
    role = event.roles[0]
    a, b, c = (make.user("volunteer") for _ in range(3))
    make.commit()
    looked_free = signups_queries.signup_target(a, event.id, role.id)
    signups_services.sign_up(b, role)  # takes the only seat after the read
    place = signups_services.take_place(a, looked_free)
    assert (place.status, place.position, place.place) == (WAITLISTED, 1, 1)
    looked_full = signups_queries.signup_target(c, event.id, role.id)
    assert looked_full.full
    signups_services.cancel_signup(b, db.session.scalar(select(Signup).filter_by(user_id=b.id)))
    # a was promoted into b's seat; make room once more and let c, who read "full", in
    signups_services.cancel_signup(a, db.session.scalar(select(Signup).filter_by(user_id=a.id)))
    place = signups_services.take_place(c, looked_full)
    assert place.status == CONFIRMED
    assert db.session.get(EventRole, role.id).confirmed_count == 1
    assert len(outbox(signups_services.REMINDER, c)) == 2  # reminders planned under the lock


def test_waitlist_place_counts_only_those_still_ahead(app, en, make):
    event = make_event(roles=(("搬运", 1),))
    role = event.roles[0]
    a, b, c, d = (make.user("volunteer") for _ in range(4))
    make.commit()
    signups_services.sign_up(a, role)
    signups_services.sign_up(b, role)
    signups_services.sign_up(c, role)
    signups_services.cancel_signup(b, db.session.scalar(select(Signup).filter_by(user_id=b.id)))
    target = signups_queries.signup_target(d, event.id, role.id)
    place = signups_services.take_place(d, target)
    assert (place.position, place.place) == (3, 2)  # c is still ahead, b left
    with pytest.raises(Refused) as refused:
        signups_services.take_place(d, target)
    assert "already on the waitlist for 搬运" in str(refused.value.message)
    assert db.session.get(EventRole, role.id).waitlist_seq == 3  # the refused try took none
    # a leaves: c is promoted (left the waitlist too); e queues behind d only
    signups_services.cancel_signup(a, db.session.scalar(select(Signup).filter_by(user_id=a.id)))
    e = make.user("volunteer")
    make.commit()
    place = signups_services.take_place(e, signups_queries.signup_target(e, event.id, role.id))
    assert (place.position, place.place) == (4, 2)
    mine = db.session.get(Signup, place.id)
    assert signups_queries.waitlist_place(mine) == 2  # the count agrees
    assert db.session.get(EventRole, role.id).waitlist_left == 2


def test_reminder_times_read_as_babel_writes_them(app, en):
    """The date in a reminder is written in the recipient's language, as Babel writes it."""
    from flask_babel import force_locale, format_datetime

    start = datetime(2020, 1, 1, 0, 7)
    for locale, pattern in (("zh", "M月d日 HH:mm"), ("en", "d MMM HH:mm")):
        reader = SimpleNamespace(locale=locale)
        for hours in range(0, 24 * 400, 37):
            dt = start + timedelta(hours=hours)
            event = SimpleNamespace(title="清理", starts_at=dt, place="车棚")
            with force_locale(locale):
                written = format_datetime(dt, pattern)
            assert written in word(reader, lambda e=event: signups_services.reminder(e))


def test_an_english_speaking_volunteers_reminder_has_an_english_date(app, make):
    """Signed up in a Chinese request, an English-speaking volunteer's reminders read in English,
    date included (they used to carry a Chinese date: "11月26日")."""
    from flask_babel import force_locale, format_datetime

    event = make_event(roles=(("搬运", 3),), starts_in=timedelta(days=3))
    volunteer = make.user("volunteer")
    volunteer.locale = "en"
    make.commit()
    with app.test_request_context("/", headers={"Cookie": "lang=zh"}):
        signups_services.sign_up(volunteer, event.roles[0])
        with force_locale("en"):
            written = format_datetime(event.starts_at, "d MMM HH:mm")
    bodies = [m.body for m in outbox(signups_services.REMINDER, volunteer)]
    assert len(bodies) == 2
    assert all(b.startswith("Reminder: ") and written in b and "月" not in b for b in bodies)
