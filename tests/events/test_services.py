"""Events services without HTTP: assert on the database."""

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from coordinator.attendance import services as attendance_services
from coordinator.events import queries as events_queries
from coordinator.events import services as events_services
from coordinator.events.changes import word
from coordinator.events.models import (
    CANCELLED,
    CONFIRMED,
    DRAFT,
    PUBLISHED,
    SIGNUP_CANCELLED,
    WAITLISTED,
    EventLog,
    EventRole,
    HoursCorrection,
    Signup,
    VolunteerProfile,
)
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.notifications.models import OutboxMessage
from coordinator.rules import Refused
from coordinator.signups import queries as signups_queries
from coordinator.signups import services as signups_services
from coordinator.volunteers import services as volunteers_services
from tests.events.conftest import make_event


def _outbox(kind=None, user=None):
    stmt = select(OutboxMessage)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    if user:
        stmt = stmt.where(OutboxMessage.user_id == user.id)
    return list(db.session.scalars(stmt))


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


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
    reminders = _outbox(signups_services.REMINDER)
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
    assert _count(Signup) == 1
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
    assert _count(Signup) == 0
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
    assert len(_outbox("event_promoted", b)) == 1
    assert _outbox(signups_services.REMINDER, a) == []  # the leaver's reminders are gone
    assert len(_outbox(signups_services.REMINDER, b)) == 2
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


def test_cancel_event_needs_reason_and_tells_everyone(app, en, make):
    event = make_event(roles=(("搬运", 1),))
    organiser = event.organiser
    a, b = make.user("volunteer"), make.user("volunteer")
    make.commit()
    signups_services.sign_up(a, event.roles[0])
    signups_services.sign_up(b, event.roles[0])
    with pytest.raises(Refused) as refused:
        events_services.cancel(organiser, event, "  ")
    assert refused.value.field == "reason"
    assert db.session.get(type(event), event.id).status == PUBLISHED
    sequence = event.sequence
    events_services.cancel(organiser, event, "大风预警，改期")
    assert event.status == CANCELLED and event.sequence == sequence + 1
    messages = _outbox("event_cancelled")
    assert {m.user_id for m in messages} == {a.id, b.id}
    assert all("大风预警" in m.body for m in messages)
    assert _outbox(signups_services.REMINDER) == []


def test_publish_schedules_and_time_change_replaces_reminders(app, en, make):
    staff = make.user("staff")
    event = make_event(organiser=staff, roles=(("搬运", 3),))
    a = make.user("volunteer")
    make.commit()
    signups_services.sign_up(a, event.roles[0])
    old = {m.next_attempt_at for m in _outbox(signups_services.REMINDER)}
    data = _form_data(
        event,
        starts_at=event.starts_at + timedelta(days=2),
        ends_at=event.ends_at + timedelta(days=2),
    )
    sequence = event.sequence
    events_services.save_event(staff, data, event)
    new = {m.next_attempt_at for m in _outbox(signups_services.REMINDER)}
    assert len(_outbox(signups_services.REMINDER)) == 2
    assert not (old & new)
    assert min(new) == event.starts_at - timedelta(days=1)
    assert event.sequence == sequence + 1
    assert len(_outbox("event_changed", a)) == 1


def test_publish_draft_and_status_steps(app, en, make):
    staff = make.user("staff")
    event = make_event(organiser=staff, status=DRAFT)
    make.commit()
    events_services.publish(staff, event)
    assert event.status == PUBLISHED and event.sequence == 1
    with pytest.raises(Refused):
        events_services.publish(staff, event)
    events_services.start(staff, event)
    events_services.finish(staff, event)
    assert event.status == "done" and event.sequence == 3
    actions = list(db.session.scalars(select(EventLog.action).order_by(EventLog.id)))
    assert actions == ["published", "started", "finished"]


def test_staff_of_another_community_cannot_edit(app, en, make):
    event = make_event()
    other = make.user("staff")
    make.commit()
    with pytest.raises(Refused) as refused:
        events_services.save_event(other, _form_data(event), event)
    assert refused.value.status == 403
    with pytest.raises(Refused):
        events_services.publish(other, event)


def _form_data(event, **over):
    data = {
        "kind": event.kind,
        "title": event.title,
        "community_id": event.community_id,
        "compound_id": event.compound_id,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "meeting_place": event.meeting_place,
        "description": event.description,
        "organiser_id": event.organiser_id,
        "roles": [{"id": r.id, "name": r.name, "capacity": r.capacity} for r in event.roles],
    }
    data.update(over)
    return data


def test_save_event_checks_times_roles_and_community(app, en, make):
    staff = make.user("staff")
    event = make_event(organiser=staff, roles=(("搬运", 2),))
    a, b, c = (make.user("volunteer") for _ in range(3))
    make.commit()
    for p in (a, b, c):
        signups_services.sign_up(p, event.roles[0])
    bad = [
        (_form_data(event, ends_at=event.starts_at), "ends_at"),
        (_form_data(event, roles=[]), "roles"),
        (
            _form_data(event, roles=[{"id": event.roles[0].id, "name": "搬运", "capacity": 1}]),
            "roles-0-capacity",
        ),  # at the capacity the organiser typed
        (_form_data(event, roles=[{"id": None, "name": "清扫", "capacity": 3}]), "roles"),
        (_form_data(event, community_id=make.community().id), "community_id"),
    ]
    for data, field in bad:
        with pytest.raises(Refused) as refused:
            events_services.save_event(staff, data, event)
        assert refused.value.field == field
        db.session.rollback()
    role = db.session.get(EventRole, event.roles[0].id)
    assert (role.capacity, role.confirmed_count) == (2, 2)
    # more room: the waitlisted person moves up at once
    events_services.save_event(
        staff,
        _form_data(
            event,
            roles=[
                {"id": role.id, "name": "搬运", "capacity": 4},
                {"id": None, "name": "清扫", "capacity": 2},
            ],
        ),
        event,
    )
    assert db.session.get(EventRole, role.id).confirmed_count == 3
    assert db.session.scalar(select(Signup.status).filter_by(user_id=c.id)) == CONFIRMED
    assert [r.name for r in event.roles] == ["搬运", "清扫"]


def test_check_in_out_and_hours(app, en, make):
    event = make_event(starts_in=timedelta(minutes=-30))
    organiser = event.organiser
    v = make.user("volunteer")
    make.commit()
    signup = signups_services.sign_up(v, event.roles[0])
    attendance_services.check_in_self(v, event)
    assert signup.check_in_at is not None
    first = signup.check_in_at
    attendance_services.check_in_self(v, event)  # twice is harmless
    assert signup.check_in_at == first
    signup.check_in_at = utcnow() - timedelta(hours=2, minutes=8)
    db.session.commit()
    attendance_services.tick_out(organiser, signup, True)
    assert signup.hours_minutes == 135  # 2 h 8 min → 2 h 15 min
    attendance_services.confirm_hours(organiser, signup)
    assert signup.hours_confirmed_by_id == organiser.id
    with pytest.raises(Refused):
        attendance_services.tick_out(organiser, signup, False)


def test_check_in_refused_without_a_place_or_outside_the_day(app, en, make):
    event = make_event(starts_in=timedelta(hours=5))
    later = make_event(starts_in=timedelta(minutes=-10))
    v = make.user("volunteer")
    make.commit()
    signups_services.sign_up(v, event.roles[0])
    with pytest.raises(Refused) as refused:
        attendance_services.check_in_self(v, event)
    assert "two hours" in str(refused.value.message)
    with pytest.raises(Refused) as refused:
        attendance_services.check_in_self(v, later)
    assert "no confirmed place" in str(refused.value.message)


def test_check_in_with_one_time_code(app, en, make):
    event = make_event(starts_in=timedelta(minutes=-10))
    v = make.user("volunteer")
    stranger = make.user("volunteer")
    make.commit()
    signups_services.sign_up(v, event.roles[0])
    assert attendance_services.send_checkin_code(event, stranger.phone) is None
    code = attendance_services.send_checkin_code(event, v.phone)
    assert _outbox("checkin_code", v)[0].body.count(code) == 1
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(Refused) as refused:
        attendance_services.check_in_with_code(event, v.phone, wrong)
    assert refused.value.field == "code"
    signup = attendance_services.check_in_with_code(event, v.phone, code)
    assert signup.check_in_at is not None
    with pytest.raises(Refused):  # one use only
        attendance_services.check_in_with_code(event, v.phone, code)


def test_code_stops_after_five_wrong_tries(app, en, make):
    event = make_event(starts_in=timedelta(minutes=-10))
    v = make.user("volunteer")
    make.commit()
    signups_services.sign_up(v, event.roles[0])
    code = attendance_services.send_checkin_code(event, v.phone)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(Refused):
            attendance_services.check_in_with_code(event, v.phone, wrong)
    with pytest.raises(Refused):
        attendance_services.check_in_with_code(event, v.phone, code)
    assert db.session.scalar(select(Signup.check_in_at).filter_by(user_id=v.id)) is None


def test_correction_flow_and_limits(app, en, make):
    event = make_event(starts_in=timedelta(hours=-4), hours=3)
    organiser = event.organiser
    v = make.user("volunteer")
    make.commit()
    signup = Signup(
        event_id=event.id,
        role_id=event.roles[0].id,
        user_id=v.id,
        status=CONFIRMED,
        check_in_at=event.starts_at,
        check_out_at=event.starts_at + timedelta(hours=1),
        hours_minutes=60,
    )
    db.session.add(signup)
    db.session.commit()
    with pytest.raises(Refused) as refused:
        attendance_services.request_correction(v, signup, 4 * 60, "我一直在")
    assert refused.value.field == "hours" and refused.value.status == 422
    assert _count(HoursCorrection) == 0
    correction = attendance_services.request_correction(v, signup, 180, "签退忘了")
    with pytest.raises(Refused):
        attendance_services.request_correction(v, signup, 120, "again")
    attendance_services.decide_correction(organiser, correction, True, "属实")
    assert signup.hours_minutes == 180 and signup.hours_confirmed_by_id == organiser.id
    assert correction.decided_by_id == organiser.id and correction.status == "accepted"
    with pytest.raises(Refused):
        attendance_services.decide_correction(organiser, correction, False)
    second = attendance_services.request_correction(v, signup, 150, "再改")
    attendance_services.decide_correction(organiser, second, False, "不属实")
    assert signup.hours_minutes == 180
    assert _count(EventLog, EventLog.action.like("correction_%")) == 4


def test_register_volunteer_keeps_numbers_private(app, en, make):
    community = make.community()
    make.commit()
    user = volunteers_services.register_volunteer(
        {
            "name": "李雷",
            "phone": "138 0013 9999",
            "password": "long-enough-1",
            "community_id": community.id,
            "id_type": "resident_id",
            "id_number": "11010819900101123x",
            "volunteer_number": "BJ-001",
        }
    )
    assert user.role == "volunteer" and user.phone == "13800139999"
    profile = db.session.scalar(select(VolunteerProfile).filter_by(user_id=user.id))
    assert profile.id_number == "11010819900101123X"
    with pytest.raises(Refused) as refused:
        volunteers_services.register_volunteer(
            {"name": "x", "phone": "13800139999", "password": "p" * 10}
        )
    assert refused.value.field == "phone"


def test_search_scopes_by_role(app, en, make):
    a_staff = make.user("staff")
    mine = make_event(organiser=a_staff)
    draft = make_event(organiser=a_staff, status=DRAFT)
    other = make_event()
    v = make.user("volunteer")
    make.commit()
    ids = {e.id for e in events_queries.search_events(a_staff).items}
    assert ids == {mine.id, draft.id}
    ids = {e.id for e in events_queries.search_events(v).items}
    assert ids == {mine.id, other.id}
    assert events_queries.get_event(v, draft.id) is None


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
    assert len(_outbox(signups_services.REMINDER, c)) == 2  # reminders planned under the lock


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
    for locale, pattern in (("zh", "yyyy年M月d日 HH:mm"), ("en", "d MMM yyyy HH:mm")):
        reader = SimpleNamespace(locale=locale)
        for hours in range(0, 24 * 400, 37):
            dt = start + timedelta(hours=hours)
            event = SimpleNamespace(title="清理", starts_at=dt, place="车棚")
            with force_locale(locale):
                written = format_datetime(dt, pattern)
            assert written in word(reader, lambda: signups_services.reminder(event))


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
            written = format_datetime(event.starts_at, "d MMM yyyy HH:mm")
    bodies = [m.body for m in _outbox(signups_services.REMINDER, volunteer)]
    assert len(bodies) == 2
    assert all(b.startswith("Reminder: ") and written in b and "月" not in b for b in bodies)
