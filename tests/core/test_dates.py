"""ui.when / ui.day: the cached formatters give exactly Babel's text."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale, format_datetime
from hypothesis import given, settings
from hypothesis import strategies as st

from coordinator import ui

PATTERNS = {"zh": ("yyyy年M月d日 HH:mm", "yyyy年M月d日"), "en": ("d MMM yyyy HH:mm", "d MMM yyyy")}
moments = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31))


@pytest.mark.parametrize("locale", ["zh", "en"])
@settings(max_examples=300, deadline=None)
@given(dt=moments)
def test_same_text_as_babel(app, locale, dt):
    with app.test_request_context(), force_locale(locale):
        when, day = PATTERNS[locale]
        assert ui.when(dt) == format_datetime(dt, when)
        assert ui.day(dt) == format_datetime(dt, day)
        aware = dt.replace(tzinfo=UTC) + timedelta(0)
        assert ui.when(aware) == format_datetime(aware, when)


def test_every_month_and_none(app):
    with app.test_request_context():
        for locale in ("zh", "en"):
            with force_locale(locale):
                for month in range(1, 13):
                    dt = datetime(2026, month, 3, 23, 59)  # the next day in Shanghai
                    assert ui.when(dt) == format_datetime(dt, PATTERNS[locale][0])
                assert ui.when(None) == "" and ui.day(None) == ""


def test_around_the_last_change_of_offset(app):
    """Asia/Shanghai's last summer time ended 1991-09-14 17:00 UTC: before it pytz is asked,
    after it the fixed offset is added; both agree with Babel."""
    last = datetime(1991, 9, 14, 17, 0)
    with app.test_request_context():
        for locale in ("zh", "en"):
            with force_locale(locale):
                for minutes in (-61, -60, -1, 0, 1, 60, 24 * 60):
                    dt = last + timedelta(minutes=minutes)
                    assert ui.when(dt) == format_datetime(dt, PATTERNS[locale][0])
                    assert ui.day(dt) == format_datetime(dt, PATTERNS[locale][1])
