"""Attendance services without HTTP: check-in, hours, corrections; assert on the database."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from coordinator.attendance import services as attendance_services
from coordinator.events.models import (
    CONFIRMED,
    EventLog,
    HoursCorrection,
    Signup,
)
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.rules import Refused
from coordinator.signups import services as signups_services
from tests.events.conftest import count_rows, make_event, outbox


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
    assert outbox("checkin_code", v)[0].body.count(code) == 1
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
    assert count_rows(HoursCorrection) == 0
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
    assert count_rows(EventLog, EventLog.action.like("correction_%")) == 4
