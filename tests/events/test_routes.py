"""Events over HTTP: whole pages and htmx fragments, bad input, scope."""

import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from coordinator.events import services as events_services
from coordinator.events.models import (
    CANCELLED,
    DRAFT,
    Event,
    EventRole,
    Signup,
)
from coordinator.extensions import db
from coordinator.notifications.models import OutboxMessage
from coordinator.signups import services as signups_services
from tests.conftest import field_errors
from tests.events.conftest import FRAGMENT, english, hx, make_event


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _event_form(community_id, organiser_id, **over):
    data = {
        "kind": "cleanup",
        "title": "楼道清理",
        "community_id": community_id,
        "compound_id": 0,
        "starts_at": "2030-05-01T09:00",
        "ends_at": "2030-05-01T11:30",
        "meeting_place": "3号楼下",
        "organiser_id": organiser_id,
        "description": "",
        "claim_days": 15,
        "roles-0-name": "清扫",
        "roles-0-capacity": "6",
        "roles-1-name": "",
        "roles-1-capacity": "",
    }
    data.update(over)
    return data


def test_list_full_page_and_fragment(app, client, auth, make, world):
    staff, volunteer, event = world
    make_event(organiser=staff, title="草稿活动", status=DRAFT)
    make.commit()
    auth.login(volunteer)
    page = client.get("/events")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert "车棚清理" in html and "草稿活动" not in html  # volunteers never see drafts
    fragment = client.get("/events?kind=cleanup", headers=hx("results"))
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'id="event-list"' in body and "车棚清理" in body
    empty = client.get("/events?kind=bike_drive", headers=hx("results")).get_data(as_text=True)
    assert "车棚清理" not in empty and 'class="empty"' in empty
    assert client.get("/events?kind=nonsense&date=notadate&community=x").status_code == 200


def test_staff_see_their_community_drafts(app, client, auth, make, world):
    staff, _volunteer, _event = world
    make_event(organiser=staff, title="草稿活动", status=DRAFT)
    make_event(title="别处活动")
    make.commit()
    auth.login(staff)
    html = client.get("/events").get_data(as_text=True)
    assert "草稿活动" in html and "别处活动" not in html


def test_list_runs_a_constant_number_of_queries(app, client, auth, make, count_queries, world):
    staff, volunteer, _ = world
    staff_id = staff.id
    auth.login(volunteer)
    client.get("/events")
    db.session.remove()  # requests share the test's session: start each one cold
    with count_queries() as few:
        client.get("/events", headers=hx("results"))
    staff = db.session.get(type(staff), staff_id)
    for i in range(15):
        make_event(organiser=staff, title=f"活动{i}", roles=(("a", 3), ("b", 4)))
    make.commit()
    db.session.remove()
    with count_queries() as many:
        client.get("/events", headers=hx("results"))
    assert many.count == few.count, many.statements


def test_list_cards_and_filters(app, client, auth, make, world):
    """What a card says (place, seats taken, status) and the filters' chosen values."""
    _staff, volunteer, event = world
    signups_services.sign_up(make.user("volunteer"), event.roles[0])
    english(client)
    auth.login(volunteer)
    html = client.get("/events?kind=cleanup&when=upcoming&date=").get_data(as_text=True)
    card = html[html.index('<li class="card event-card">') :]
    card = card[: card.index("</li>")]
    assert f'href="/events/{event.id}"' in card and "车棚清理" in card
    assert '<span class="badge badge-blue">Open for sign-up</span>' in card
    assert f"{event.community.name} · 车棚前" in card
    assert "1 of 3 places taken" in card and 'style="width: 33%"' in card
    assert "Cleanup · " in card
    assert '<option selected value="cleanup">Cleanup</option>' in html
    assert '<option selected value="upcoming">Coming up</option>' in html
    assert 'name="date" type="date" value=""' in html
    plain = client.get("/events").get_data(as_text=True)
    assert "<option selected" not in plain  # no filter in the address: none marked
    odd = client.get("/events?when=x&date=2026-13-40&community=999").get_data(as_text=True)
    assert "<option selected" not in odd and 'value="2026-13-40"' in odd
    assert "车棚清理" in odd  # bad filters are dropped: the default list


# ---------------------------------------------------------------- sign-up


@pytest.mark.parametrize(
    "path",
    [
        "/events/{id}/edit",
        "/events/{id}/roster",
        "/events/{id}/qr",
        "/events/{id}/cancel",
        "/events/new",
        "/events/records",
        "/events/records.csv",
    ],
)
def test_volunteers_cannot_manage(app, client, auth, world, path):
    _staff, volunteer, event = world
    auth.login(volunteer)
    assert client.get(path.format(id=event.id)).status_code == 403


@pytest.mark.parametrize("path", ["/events/{id}", "/events/{id}/edit", "/events/{id}/roster"])
def test_other_community_staff_get_404(app, client, auth, make, world, path):
    _staff, _volunteer, event = world
    stranger = make.user("staff")
    make.commit()
    auth.login(stranger)
    assert client.get(path.format(id=event.id)).status_code == 404


def test_signed_out_people_are_sent_to_sign_in(app, client, world):
    _staff, _volunteer, event = world
    assert client.get("/events").status_code == 302
    response = client.get(f"/events/{event.id}", headers=FRAGMENT)
    assert response.status_code == 401 and "HX-Redirect" in response.headers


# ---------------------------------------------------------------- create, edit, cancel


def test_create_event_in_beijing_time(app, client, auth, world):
    staff, _volunteer, _event = world
    auth.login(staff)
    assert client.get("/events/new").status_code == 200
    response = client.post("/events/new", data=_event_form(staff.community_id, staff.id))
    assert response.status_code == 302
    event = db.session.scalar(select(Event).filter_by(title="楼道清理"))
    assert event.status == DRAFT and event.starts_at.hour == 1  # 09:00 in Beijing is 01:00 UTC
    assert [(r.name, r.capacity) for r in event.roles] == [("清扫", 6)]
    edit = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="2030-05-01T09:00"' in edit


@pytest.mark.parametrize(
    "over,field_word",
    [
        ({"ends_at": "2030-05-01T08:00"}, "The end must be after the start."),
        ({"roles-0-capacity": "0"}, "Enter a number from 1 to 1000."),
        ({"roles-0-name": "", "roles-0-capacity": ""}, "Add at least one role"),
        ({"roles-0-capacity": ""}, "How many people for this role?"),
        ({"title": ""}, "Give the event a title."),
        ({"starts_at": "tomorrow"}, "Not a valid datetime value."),
    ],
)
def test_create_event_bad_input_keeps_values(app, client, auth, world, over, field_word):
    staff, _volunteer, _event = world
    english(client)
    auth.login(staff)
    before = _count(Event)
    response = client.post("/events/new", data=_event_form(staff.community_id, staff.id, **over))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert any(field_word in e for e in field_errors(html)), field_errors(html)
    assert "3号楼下" in html  # what was typed is kept
    assert _count(Event) == before


def test_another_role_row(app, client, auth, world):
    staff, _volunteer, _event = world
    auth.login(staff)
    data = _event_form(staff.community_id, staff.id, add_role="1")
    html = client.post("/events/new", data=data).get_data(as_text=True)
    assert 'name="roles-2-name"' in html and _count(Event) == 1


def test_edit_cannot_lower_capacity_below_confirmed(app, client, auth, make, world):
    staff, volunteer, event = world
    other = make.user("volunteer")
    make.commit()
    signups_services.sign_up(volunteer, event.roles[0])
    signups_services.sign_up(other, event.roles[0])
    english(client)
    auth.login(staff)
    data = _event_form(
        event.community_id,
        staff.id,
        **{
            "roles-0-id": str(event.roles[0].id),
            "roles-0-name": "搬运",
            "roles-0-capacity": "1",
            "roles-1-id": str(event.roles[1].id),
            "roles-1-name": "清扫",
            "roles-1-capacity": "1",
        },
    )
    response = client.post(f"/events/{event.id}/edit", data=data)
    assert response.status_code == 422
    assert "capacity cannot be lower" in response.get_data(as_text=True)
    assert db.session.get(EventRole, event.roles[0].id).capacity == 2


def test_publish_and_cancel_with_reason(app, client, auth, make, world):
    staff, volunteer, event = world
    draft = make_event(organiser=staff, status=DRAFT)
    make.commit()
    signups_services.sign_up(volunteer, event.roles[0])
    english(client)
    auth.login(staff)
    assert client.post(f"/events/{draft.id}/publish").status_code == 302
    assert db.session.get(Event, draft.id).status == "published"
    response = client.post(f"/events/{event.id}/cancel", data={"reason": ""})
    assert response.status_code == 422 and "Say why" in response.get_data(as_text=True)
    assert db.session.get(Event, event.id).status == "published"
    assert client.post(f"/events/{event.id}/cancel", data={"reason": "大风"}).status_code == 302
    assert db.session.get(Event, event.id).status == CANCELLED
    assert _count(OutboxMessage, OutboxMessage.kind == "event_cancelled") == 1
    response = client.post(f"/events/{event.id}/start")
    assert response.status_code == 409


def test_csrf_is_checked(app, other_app, make, world):
    _staff, volunteer, event = world
    strict = other_app(WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post(
        "/login", data={"phone": volunteer.phone, "password": "secret-pass-1", "csrf_token": token}
    )
    response = client.post(f"/events/{event.id}/roles/{event.roles[0].id}/sign-up")
    assert response.status_code == 400
    assert _count(Signup) == 0
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/events/{event.id}/roles/{event.roles[0].id}/sign-up", data={"csrf_token": token}
    )
    assert response.status_code == 302 and _count(Signup) == 1


# ---------------------------------------------------------------- roster, check-in, hours


def test_event_ics_parses_back(app, client, world):
    staff, _volunteer, event = world
    response = client.get(f"/events/{event.id}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    tz = cal.walk("VTIMEZONE")
    assert [str(t["TZID"]) for t in tz] == ["Asia/Shanghai"]
    (item,) = cal.walk("VEVENT")
    assert str(item["UID"]) == event.uid
    assert item["DTSTAMP"].dt.utcoffset() == timedelta(0)
    assert item["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert item["DTSTART"].dt.replace(tzinfo=None) == event.starts_at + timedelta(hours=8)
    assert int(item["SEQUENCE"]) == 0 and str(item["STATUS"]) == "CONFIRMED"
    assert b"DTSTART;TZID=Asia/Shanghai:" in response.data


def test_calendar_feed_follows_changes_and_cancellation(app, client, make, world):
    staff, _volunteer, event = world
    make_event(organiser=staff, status=DRAFT, title="草稿")
    elsewhere = make_event(title="别处")
    make.commit()
    url = f"/events/calendar.ics?community={event.community_id}"
    cal = Calendar.from_ical(client.get(url).data)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["车棚清理"]
    with app.test_request_context():
        events_services.cancel(staff, db.session.get(Event, event.id), "下雨")
    cal = Calendar.from_ical(client.get(url).data)
    (item,) = cal.walk("VEVENT")
    assert str(item["STATUS"]) == "CANCELLED" and int(item["SEQUENCE"]) == 1
    assert str(item["UID"]) == event.uid
    assert "别处" not in client.get(url).get_data(as_text=True)
    assert "别处" in client.get("/events/calendar.ics").get_data(as_text=True)
    assert client.get("/events/calendar.ics?community=99999").status_code == 404
    assert elsewhere.id
    assert (
        client.get(
            f"/events/{db.session.scalar(select(Event.id).filter_by(title='草稿'))}.ics"
        ).status_code
        == 404
    )


# ---------------------------------------------------------------- service records
