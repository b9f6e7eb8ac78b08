"""A printed notice says the day the case was reported in Beijing, not in UTC: before 08:00
Beijing time the UTC date is still yesterday's."""

from datetime import date, datetime

from coordinator.cases import services
from coordinator.extensions import db
from coordinator.i18n import local_date, to_utc


def test_a_notice_prints_the_beijing_date_at_seven_in_the_morning(world):
    case = world.case("in_progress")
    case.created_at = to_utc(datetime(2026, 12, 1, 7, 0))  # 07:00 Beijing = 23:00 UTC, 30 Nov
    db.session.commit()
    assert case.created_at.date() == date(2026, 11, 30)
    assert local_date(case.created_at) == date(2026, 12, 1)

    notice = services.create_notice(world.staff, case, {"entrance_id": None, "floors": ""})
    assert "1 Dec 2026" in notice.text and "30 Nov 2026" not in notice.text


def test_today_in_beijing_is_ahead_of_utc_before_eight(monkeypatch):
    from coordinator import i18n

    monkeypatch.setattr(i18n, "utcnow", lambda: datetime(2026, 11, 30, 23, 0))
    assert i18n.local_date() == date(2026, 12, 1)
    assert i18n.local_date(datetime(2026, 12, 1, 0, 0)) == date(2026, 12, 1)
    assert i18n.local_date(datetime(2026, 12, 1, 16, 0)) == date(2026, 12, 2)
