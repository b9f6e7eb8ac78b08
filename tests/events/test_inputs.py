"""Edge values in the events domain's paths, filters and forms: a 4xx with a message at the
field (typed values kept), or ignored as a filter; and nothing stored can break a page later."""

from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from coordinator.events.models import CONFIRMED, Event, Signup
from coordinator.extensions import db
from coordinator.i18n import to_local
from tests.conftest import field_errors
from tests.events.conftest import make_event

HUGE = "99999999999999999999"


@pytest.fixture
def staff_event(make, english, auth):
    staff = make.user("staff")
    event = make_event(organiser=staff, title="车棚清理")
    make.commit()
    auth.login(staff)
    return staff, event


@pytest.mark.parametrize(
    "day", ["0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01", "10000-01-01", "2026-02-30"]
)
def test_edge_dates_in_the_list_filter_are_ignored(app, english, staff_event, day):
    response = english.get(f"/events?date={day}")
    assert response.status_code == 200
    assert "车棚清理" in response.get_data(as_text=True)  # the default list: not over yet


@pytest.mark.parametrize(
    "path",
    [
        f"/events/{HUGE}.ics",
        "/events/2147483648.ics",
        f"/events/{HUGE}",
        "/events/2147483648",
        f"/events/{HUGE}/roster",
        f"/events/calendar.ics?community={HUGE}",
        f"/events/1/signups/{HUGE}/check-in",
    ],
)
def test_numbers_beyond_any_row_are_not_found(app, english, staff_event, path):
    method = english.post if path.endswith("check-in") else english.get
    assert method(path).status_code == 404


def test_a_post_naming_a_huge_role_is_not_found(app, english, staff_event):
    _staff, event = staff_event
    assert english.post(f"/events/{event.id}/roles/{HUGE}/sign-up").status_code == 404


def _form(event, **over):
    local = to_local(event.starts_at)
    data = {
        "kind": "cleanup",
        "title": "车棚清理（改）",
        "community_id": event.community_id,
        "compound_id": 0,
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (local + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "organiser_id": event.organiser_id,
        "roles-0-id": event.roles[0].id,
        "roles-0-name": "搬运",
        "roles-0-capacity": 8,
    }
    data.update(over)
    return data


@pytest.mark.parametrize(
    "over,message",
    [
        ({"starts_at": "0001-01-01T00:00"}, "Enter a date between 1 Jan 2000 and 31 Dec 2099."),
        ({"ends_at": "9999-12-31T23:59"}, "Enter a date between 1 Jan 2000 and 31 Dec 2099."),
        ({"notice_date": "9999-12-31"}, "Enter a date between 1 Jan 2000 and 31 Dec 2099."),
        ({"notice_date": "2001-01-01"}, "The notice date must be within a year of the event."),
        ({"ends_at": "2099-12-31T12:00"}, "An event lasts at most 31 days"),
        ({"claim_days": "999999999999"}, "Enter a number from 1 to 90."),
    ],
)
def test_edge_dates_in_the_event_form_are_refused_at_the_field(
    app, english, staff_event, over, message
):
    _staff, event = staff_event
    response = english.post(f"/events/{event.id}/edit", data=_form(event, **over))
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:500]
    assert any(message in e for e in field_errors(html)), field_errors(html)
    assert "车棚清理（改）" in html  # what was typed stays
    db.session.expire_all()
    assert db.session.get(Event, event.id).title == "车棚清理"


def test_a_title_is_one_line(app, english, staff_event):
    _staff, event = staff_event
    response = english.post(
        f"/events/{event.id}/edit", data=_form(event, title="车棚\r\n清理\rEND:VEVENT")
    )
    assert response.status_code == 302
    assert db.session.get(Event, event.id).title == "车棚 清理 END:VEVENT"


def test_line_breaks_stored_anywhere_keep_the_calendar_whole(app, client, make):
    community = make.community(name="红联\r\n北村\rX-EVIL:1")
    event = make_event(community=community, title="车棚\r\n清理\rEND:VCALENDAR", status="cancelled")
    event.meeting_place = "门口\r\nX-EVIL:2"
    event.description = "一\r\n二\x0b三"
    event.cancel_reason = "大风\rX-EVIL:3"
    db.session.commit()
    for path in (f"/events/{event.id}.ics", f"/events/calendar.ics?community={community.id}"):
        response = client.get(path)
        assert response.status_code == 200
        assert b"\nX-EVIL" not in response.data and b"\r\r" not in response.data
        calendar = Calendar.from_ical(response.data)
        (item,) = calendar.walk("VEVENT")
        assert str(item["summary"]) == "车棚\n清理\nEND:VCALENDAR"
        assert "X-EVIL:2" in str(item["location"]) and str(item["description"]).endswith("二三")
    name = Calendar.from_ical(client.get(f"/events/calendar.ics?community={community.id}").data)[
        "x-wr-calname"
    ]
    assert str(name) == "红联 北村 X-EVIL:1"


def test_a_notice_date_stored_at_the_end_of_the_calendar_breaks_no_page(app, english, make):
    staff = make.user("staff")
    event = make_event(organiser=staff, kind="bike_drive", notice_date=date(9999, 12, 31))
    make.commit()
    pages = [
        f"/events/{event.id}",
        f"/events/{event.id}/bikes",
        f"/events/{event.id}/bikes/notice",
        f"/events/{event.id}/bikes/tags",
        f"/events/{event.id}/edit",
        f"/claim/{event.id}",
    ]
    english.set_cookie("lang", "zh")
    for path in pages[-1:]:
        assert english.get(path).status_code == 200, path  # the owner's page, signed out
    from tests.conftest import Auth

    Auth(english).login(staff)
    for path in pages:
        assert english.get(path).status_code == 200, path
    claim = english.post(f"/claim/{event.id}", data={"tag": "1", "phone": "13800138000"})
    assert claim.status_code == 404  # no such tag: said at the field, not a 500


@pytest.fixture
def served(make, english, auth):
    staff = make.user("staff")
    event = make_event(organiser=staff, starts_in=timedelta(hours=-5), hours=3)
    volunteer = make.user("volunteer")
    signup = Signup(
        event_id=event.id,
        role_id=event.roles[0].id,
        user_id=volunteer.id,
        status=CONFIRMED,
        check_in_at=event.starts_at,
        check_out_at=event.starts_at + timedelta(hours=2),
        hours_minutes=120,
    )
    db.session.add(signup)
    db.session.commit()
    return staff, volunteer, event, signup


@pytest.mark.parametrize(
    "hours",
    [
        "sNaN",
        "NaN",
        "-NaN",
        "Infinity",
        "-Infinity",
        "1e999",
        "-1",
        "0",
        "0.1",
        "24.01",
        "1e-999",
        "abc",
        "2,5",
    ],
)
def test_bad_hours_in_a_correction_are_refused_at_the_field(app, english, auth, served, hours):
    _staff, volunteer, _event, signup = served
    auth.login(volunteer)
    response = english.post(
        f"/me/hours/{signup.id}/correction", data={"hours": hours, "reason": "签退晚了"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:300]
    assert field_errors(html) and "签退晚了" in html


@pytest.mark.parametrize("left", ["0001-01-01T00:00", "9999-12-31T23:59", "2026-13-01T00:00"])
def test_a_check_out_time_at_the_edges_is_refused(app, english, auth, served, left):
    staff, _volunteer, event, signup = served
    signup.check_out_at = signup.hours_minutes = None
    db.session.commit()
    auth.login(staff)
    response = english.post(
        f"/events/{event.id}/signups/{signup.id}/check-out", data={"on": "1", "check_out": left}
    )
    assert response.status_code == 422
    assert db.session.scalar(select(Signup.check_out_at)) is None


@pytest.mark.parametrize(
    "query",
    ["date_from=0001-01-01", "date_to=9999-12-31", "date_from=0001-01-01&date_to=0001-01-02"],
)
def test_edge_dates_in_the_records_filter_are_ignored(app, english, auth, served, query):
    staff, *_ = served
    auth.login(staff)
    assert english.get(f"/events/records?{query}").status_code == 200
