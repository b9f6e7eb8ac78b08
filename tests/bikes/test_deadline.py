"""The claim period, as a property: it ends with the deadline day in Beijing, whatever the hour."""

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from coordinator.bikes import services

BEIJING = services.LOCAL


def drive(notice: date, days: int, status: str = "published"):
    return SimpleNamespace(notice_date=notice, claim_days=days, status=status)


def utc(local_day: date, seconds: int) -> datetime:
    """Naive UTC of a moment `seconds` into a Beijing calendar day."""
    local = datetime.combine(local_day, time(0), tzinfo=BEIJING) + timedelta(seconds=seconds)
    return local.astimezone(UTC).replace(tzinfo=None)


notices = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
periods = st.integers(min_value=1, max_value=120)
seconds_of_day = st.integers(min_value=0, max_value=86399)


@settings(deadline=None)  # pure date arithmetic; a busy machine must not fail it
@given(notices, periods)
def test_deadline_is_notice_plus_claim_days(notice, days):
    assert services.claim_deadline(drive(notice, days)) == notice + timedelta(days=days)


@settings(deadline=None)  # pure date arithmetic; a busy machine must not fail it
@given(notices, periods, seconds_of_day)
def test_deadline_day_is_open_to_its_last_second(notice, days, second):
    event = drive(notice, days)
    deadline = notice + timedelta(days=days)
    assert services.claims_open(event, utc(deadline, second))
    assert not services.may_move_to_recycle(event, utc(deadline, second))


@settings(deadline=None)  # pure date arithmetic; a busy machine must not fail it
@given(notices, periods, seconds_of_day, st.integers(min_value=1, max_value=400))
def test_after_the_deadline_day_claims_close_and_recycling_opens(notice, days, second, late):
    event = drive(notice, days)
    after = notice + timedelta(days=days + late)
    assert not services.claims_open(event, utc(after, second))
    assert services.may_move_to_recycle(event, utc(after, second))


@settings(deadline=None)  # pure date arithmetic; a busy machine must not fail it
@given(notices, periods, seconds_of_day, st.integers(min_value=0, max_value=400))
def test_before_the_deadline_recycling_is_refused(notice, days, second, early):
    event = drive(notice, days)
    before = notice + timedelta(days=days) - timedelta(days=early)
    assert services.claims_open(event, utc(before, second))
    assert not services.may_move_to_recycle(event, utc(before, second))


@settings(deadline=None)  # pure date arithmetic; a busy machine must not fail it
@given(notices, periods, seconds_of_day)
def test_end_of_deadline_day_is_the_boundary(notice, days, second):
    event = drive(notice, days)
    end = services.claim_deadline_end(event)
    moment = utc(notice + timedelta(days=days + 1), 0) - timedelta(seconds=1 + second % 60)
    assert services.claims_open(event, moment) and moment < end
    assert not services.claims_open(event, end)


@settings(deadline=None)  # pure date arithmetic; a busy machine must not fail it
@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)))
def test_no_notice_date_keeps_claims_open_and_recycling_shut(now):
    event = drive(None, 15)
    assert services.claims_open(event, now)
    assert not services.may_move_to_recycle(event, now)
    assert not services.claims_open(drive(None, 15, status="cancelled"), now)
