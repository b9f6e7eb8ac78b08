"""Property tests for hours: rounding, a missing check-out, corrections."""

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from coordinator.attendance import services as attendance_services
from coordinator.attendance.hours import (
    correction_allowed,
    missing_check_out,
    round_quarter,
    service_minutes,
)
from coordinator.events.models import CONFIRMED, HoursCorrection, Signup
from coordinator.extensions import db
from coordinator.i18n import end_of_local_day, to_local, to_utc
from coordinator.rules import Refused
from tests.events.conftest import make_event

moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31))
spans = st.integers(min_value=0, max_value=24 * 3600)


@given(spans)
def test_rounding_is_to_the_nearest_quarter(seconds):
    minutes = round_quarter(seconds)
    assert minutes % 15 == 0
    assert abs(minutes * 60 - seconds) <= 450  # never more than 7 min 30 s off


@given(spans, spans)
def test_rounding_never_goes_backwards(a, b):
    low, high = sorted((a, b))
    assert round_quarter(low) <= round_quarter(high)


@pytest.mark.parametrize(
    "seconds,minutes",
    [
        (0, 0),
        (449, 0),
        (450, 15),
        (7 * 60 + 29, 0),
        (2 * 3600 + 7 * 60, 120),
        (2 * 3600 + 8 * 60, 135),
        (3 * 3600 - 1, 180),
        (-60, 0),
    ],
)
def test_rounding_examples(seconds, minutes):
    assert round_quarter(seconds) == minutes


@given(moments, spans)
def test_service_minutes_needs_both_ends(check_in, seconds):
    check_out = check_in + timedelta(seconds=seconds)
    assert service_minutes(check_in, check_out) == round_quarter(seconds)
    assert service_minutes(check_in, None) is None
    assert service_minutes(None, check_out) is None


@given(moments)
def test_local_time_round_trips(moment):
    assert to_utc(to_local(moment)) == moment


@given(moments, st.integers(min_value=0, max_value=3 * 24 * 3600))
def test_missing_check_out_only_after_the_local_day_ends(check_in, seconds):
    now = check_in + timedelta(seconds=seconds)
    end = end_of_local_day(check_in)
    assert timedelta(0) < end - check_in <= timedelta(days=1)
    assert to_local(end).hour == 0 and to_local(end).minute == 0
    assert missing_check_out(check_in, None, now) == (now >= end)
    assert not missing_check_out(check_in, now, now)  # checked out: nothing to ask
    assert not missing_check_out(None, None, now)


@given(st.integers(min_value=-600, max_value=2000), st.integers(min_value=15, max_value=1440))
def test_correction_within_the_event_only(requested, event_minutes):
    assert correction_allowed(requested, event_minutes) == (0 < requested <= event_minutes)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    hours=st.integers(min_value=1, max_value=10), extra=st.integers(min_value=-600, max_value=600)
)
def test_correction_longer_than_the_event_is_refused(app, en, make, hours, extra):
    event = make_event(starts_in=timedelta(hours=-(hours + 1)), hours=hours)
    volunteer = make.user("volunteer", password="x")
    signup = Signup(
        event_id=event.id,
        role_id=event.roles[0].id,
        user_id=volunteer.id,
        status=CONFIRMED,
        hours_minutes=60,
    )
    db.session.add(signup)
    db.session.commit()
    requested = hours * 60 + extra
    if 0 < requested <= hours * 60:
        attendance_services.request_correction(volunteer, signup, requested, "签退时间记错了")
        assert db.session.scalar(select(HoursCorrection.requested_minutes)) == requested
    else:
        with pytest.raises(Refused) as refused:
            attendance_services.request_correction(volunteer, signup, requested, "签退时间记错了")
        assert refused.value.field == "hours" and refused.value.status == 422
        assert db.session.scalar(select(func.count()).select_from(HoursCorrection)) == 0
    assert db.session.get(Signup, signup.id).hours_minutes == 60  # only the organiser changes it
    db.session.execute(delete(HoursCorrection))
    db.session.commit()
