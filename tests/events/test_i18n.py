"""Chinese is what people see first (every string's translation: tests/core/test_i18n.py)."""

from tests.events.conftest import make_event


def test_event_page_reads_in_chinese(app, client, auth, make):
    volunteer = make.user("volunteer")
    event = make_event(roles=(("搬运", 3),))
    make.commit()
    auth.login(volunteer)
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "报名" in html and "0/3" in html and "Sign up" not in html


def test_an_event_of_one_day_says_its_date_once(app, client, auth, make):
    """ "2026年12月8日 09:00–12:00", not the date twice (issue 12: one date style); an event
    over midnight names both days."""
    from datetime import datetime

    from coordinator.i18n import to_utc

    volunteer = make.user("volunteer")
    one_day = make_event(title="一天")
    one_day.starts_at = to_utc(datetime(2026, 12, 8, 9, 0))
    one_day.ends_at = to_utc(datetime(2026, 12, 8, 12, 0))
    overnight = make_event(title="跨夜")
    overnight.starts_at = to_utc(datetime(2026, 12, 8, 22, 0))
    overnight.ends_at = to_utc(datetime(2026, 12, 9, 2, 0))
    make.commit()
    auth.login(volunteer)
    html = client.get(f"/events/{one_day.id}").get_data(as_text=True)
    assert "<dd>2026年12月8日 09:00–12:00</dd>" in html
    html = client.get(f"/events/{overnight.id}").get_data(as_text=True)
    assert "<dd>2026年12月8日 22:00 – 2026年12月9日 02:00</dd>" in html
