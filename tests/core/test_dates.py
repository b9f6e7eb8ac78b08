"""ui.when / ui.day write dates without Babel's per-call pattern parsing: same text as Babel."""

import random
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale, format_date, format_datetime

from coordinator import i18n as ui

PATTERNS = {"zh": ("yyyy年M月d日 HH:mm", "yyyy年M月d日"), "en": ("d MMM yyyy HH:mm", "d MMM yyyy")}


def moments():
    rng = random.Random(3)
    start = datetime(1999, 12, 31, 15, 59)
    fixed = [
        start,
        datetime(2026, 11, 26, 16, 0),
        datetime(2026, 2, 28, 23, 30),
        datetime(2024, 2, 29, 0, 0),
        datetime(2026, 12, 31, 16, 1),
        datetime(2, 1, 1, 0, 0),
    ]
    return fixed + [
        start + timedelta(minutes=rng.randrange(0, 40 * 365 * 24 * 60)) for _ in range(500)
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_when_and_day_write_what_babel_writes(web_app, lang):
    when_pattern, day_pattern = PATTERNS[lang]
    with web_app.test_request_context("/"), force_locale(lang):
        for dt in moments():
            assert ui.when(dt) == format_datetime(dt, when_pattern), dt
            assert ui.day(dt) == format_datetime(dt, day_pattern), dt
        assert ui.when(None) == "" and ui.day(None) == ""


def test_dates_follow_the_reader_within_a_request(web_app):
    dt = datetime(2026, 11, 26, 6, 30)  # UTC: 14:30 in Beijing
    with web_app.test_request_context("/"):
        assert ui.when(dt) == "2026年11月26日 14:30"
        with force_locale("en"):
            assert ui.when(dt) == "26 Nov 2026 14:30"
        assert ui.day(dt) == "2026年11月26日"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_month_day_writes_what_babel_writes_without_the_year(web_app, lang):
    pattern = {"zh": "M月d日", "en": "d MMM"}[lang]
    with web_app.test_request_context("/"), force_locale(lang):
        for day in (date(2026, 12, 2), date(2024, 2, 29), date(2027, 1, 1)):
            assert ui.month_day(day) == format_date(day, pattern)
        # A stored moment is its Beijing day: 23:00 UTC on 1 Dec is 2 Dec in Beijing.
        assert ui.month_day(datetime(2026, 12, 1, 23, 0)) == format_date(date(2026, 12, 2), pattern)
        assert ui.month_day(None) == ""


def test_user_facing_templates_write_no_dates_by_hand():
    """Issue 12: one date style. Templates use the |when, |day, |calendar_day and |month_day
    writers; strftime and isoformat stay in URLs and input values only."""
    root = Path(__file__).resolve().parents[2] / "templates"
    found = []
    for path in root.rglob("*.html"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            for call in re.finditer(r"\.(strftime|isoformat)\(", line):
                before = line[: call.start()]
                if "url_for(" in before or "value=" in before:
                    continue
                found.append(f"{path.relative_to(root)}:{n}")
    assert found == []
