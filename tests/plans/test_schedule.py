"""The schedule: RRULE text checked and read by dateutil in Beijing time, stored in UTC."""

from datetime import datetime

import pytest

from coordinator.plans import schedule


def test_the_rule_is_read_in_beijing_time():
    # 09:00 Beijing on 1 Jan is 01:00 UTC; every month on the 1st at 09:00 Beijing.
    start = datetime(2026, 1, 1, 1, 0)
    dates = schedule.upcoming("FREQ=MONTHLY;BYMONTHDAY=1", start, datetime(2026, 1, 15), 3)
    assert dates == [datetime(2026, 2, 1, 1), datetime(2026, 3, 1, 1), datetime(2026, 4, 1, 1)]


def test_a_local_midnight_is_the_day_before_in_utc():
    start = datetime(2026, 3, 31, 16, 0)  # 2026-04-01 00:00 Beijing
    dates = schedule.upcoming("FREQ=WEEKLY;BYDAY=WE", start, start, 2)
    assert dates == [datetime(2026, 3, 31, 16), datetime(2026, 4, 7, 16)]


@pytest.mark.parametrize(
    "text, stored",
    [
        ("FREQ=MONTHLY;INTERVAL=6", "FREQ=MONTHLY;INTERVAL=6"),
        ("rrule:freq=weekly; byday=mo,fr", "FREQ=WEEKLY;BYDAY=MO,FR"),
        ("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=-1", "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=-1"),
        ("FREQ=MONTHLY;BYDAY=-1FR;COUNT=3", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3"),
    ],
)
def test_good_rules(text, stored):
    assert schedule.check(text, datetime(2026, 1, 1, 1)) == stored


@pytest.mark.parametrize(
    "text",
    [
        "",
        "FREQ=HOURLY",
        "FREQ=SECONDLY;INTERVAL=1",
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;INTERVAL=" + "9" * 30,
        "FREQ=DAILY;BYHOUR=3",
        "DTSTART:20260101T000000\nRRULE:FREQ=DAILY",
        "FREQ=DAILY\x00",
        "FREQ=FORTNIGHTLY",
        "INTERVAL=2",
        "FREQ=DAILY;FREQ=WEEKLY",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31",
        "FREQ=MONTHLY;UNTIL=20200101T000000",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=MONTHLY;BYMONTHDAY=99",
        "x" * 500,
        "FREQ",
    ],
)
def test_bad_rules_are_refused_with_words(text):
    with pytest.raises(schedule.BadRule) as refused:
        schedule.check(text, datetime(2026, 1, 1, 1))
    assert str(refused.value)


def test_simple_choices_round_trip():
    line = schedule.build("WEEKLY", 2, ["FR", "MO"])
    assert line == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR"
    assert schedule.simple_choices(line)["weekdays"] == ["MO", "FR"]
    assert schedule.simple_choices("FREQ=MONTHLY;BYDAY=-1FR") is None


def test_due_gives_work_to_the_latest_and_misses_the_older():
    start = datetime(2026, 1, 1, 1)
    found = schedule.due("FREQ=MONTHLY", start, 7, None, datetime(2026, 3, 28))
    # 1 April is within the 7 days' lead: its work is made now; the past dates are missed.
    assert found.missed == [
        datetime(2026, 1, 1, 1),
        datetime(2026, 2, 1, 1),
        datetime(2026, 3, 1, 1),
    ]
    assert found.work == [datetime(2026, 4, 1, 1)]
    again = schedule.due("FREQ=MONTHLY", start, 7, datetime(2026, 4, 1, 1), datetime(2026, 3, 29))
    assert again.work == again.missed == []
