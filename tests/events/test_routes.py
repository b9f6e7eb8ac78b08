"""Events over HTTP: whole pages and htmx fragments, bad input, scope."""

import csv
import io
import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import func, select

from coordinator import create_app
from coordinator.attendance import services as attendance_services
from coordinator.events import services as events_services
from coordinator.events.models import (
    CANCELLED,
    CONFIRMED,
    DRAFT,
    WAITLISTED,
    Event,
    EventRole,
    HoursCorrection,
    Signup,
    VolunteerProfile,
)
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.notifications.models import OutboxMessage
from coordinator.signups import services as signups_services
from tests.conftest import field_errors, settings
from tests.events.conftest import make_event

FRAGMENT = {"HX-Request": "true"}


def hx(target):
    return {**FRAGMENT, "HX-Target": target}


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def english(client):
    client.set_cookie("lang", "en")


@pytest.fixture
def other_app(database_url, tmp_path):
    """Another app on the same database with some settings changed (CSRF or rate limits on)."""
    made = []

    def build(**overrides):
        made.append(create_app(settings(database_url, str(tmp_path), **overrides)))
        return made[-1]

    yield build
    for extra in made:
        with extra.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def world(make):
    """A community with its staff member, a volunteer, and a published event with two roles."""
    staff = make.user("staff", name="陈楠")
    volunteer = make.user("volunteer", name="刘芳")
    event = make_event(organiser=staff, roles=(("搬运", 2), ("清扫", 1)), title="车棚清理")
    make.commit()
    return staff, volunteer, event


# ---------------------------------------------------------------- list


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


def test_sign_up_runs_few_statements(app, client, auth, make, count_queries, world):
    """The POST: the user, the role with its event, the seat, the sign-up, the reminders."""
    _staff, volunteer, event = world
    other, third = make.user("volunteer"), make.user("volunteer")
    make.commit()
    event_id, first_role, one_place = event.id, event.roles[0].id, event.roles[1].id
    other_id, third_id = other.id, third.id
    auth.login(volunteer)
    db.session.remove()
    with count_queries() as seat:
        assert client.post(f"/events/{event_id}/roles/{first_role}/sign-up").status_code == 302
    assert seat.count <= 5, seat.statements
    signups_services.sign_up(
        db.session.get(type(other), other_id), db.session.get(EventRole, one_place)
    )
    auth.logout()
    auth.login(db.session.get(type(third), third_id))
    db.session.remove()
    with count_queries() as waitlist:
        assert client.post(f"/events/{event_id}/roles/{one_place}/sign-up").status_code == 302
    assert waitlist.count <= 4, waitlist.statements
    assert _count(Signup, Signup.status == WAITLISTED) == 1


def test_sign_up_two_taps_fragment(app, client, auth, world):
    _staff, volunteer, event = world
    english(client)
    auth.login(volunteer)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "0/2" in page and "Sign up" in page
    role = event.roles[0]
    response = client.post(f"/events/{event.id}/roles/{role.id}/sign-up", headers=hx("roles"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "You are signed up for 搬运" in body and "1/2" in body
    assert db.session.scalar(select(Signup.status)) == CONFIRMED


def test_sign_up_without_javascript_redirects(app, client, auth, world):
    _staff, volunteer, event = world
    auth.login(volunteer)
    response = client.post(f"/events/{event.id}/roles/{event.roles[0].id}/sign-up")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{event.id}")


def test_full_role_puts_people_on_the_waitlist(app, client, auth, make, world):
    _staff, volunteer, event = world
    other = make.user("volunteer")
    make.commit()
    role = event.roles[1]  # one place
    signups_services.sign_up(other, role)
    english(client)
    auth.login(volunteer)
    assert "Join the waitlist" in client.get(f"/events/{event.id}").get_data(as_text=True)
    body = client.post(f"/events/{event.id}/roles/{role.id}/sign-up", headers=hx("roles")).get_data(
        as_text=True
    )
    assert "清扫 is full. You are number 1 on the waitlist" in body
    assert db.session.get(EventRole, role.id).confirmed_count == 1
    assert _count(Signup, Signup.status == WAITLISTED) == 1


def test_double_sign_up_refused(app, client, auth, world):
    _staff, volunteer, event = world
    english(client)
    auth.login(volunteer)
    client.post(f"/events/{event.id}/roles/{event.roles[0].id}/sign-up", headers=hx("roles"))
    response = client.post(
        f"/events/{event.id}/roles/{event.roles[1].id}/sign-up", headers=hx("roles")
    )
    assert response.status_code == 409
    assert "already signed up for 搬运" in response.get_data(as_text=True)
    assert _count(Signup) == 1


@pytest.mark.parametrize(
    "status,starts_in,words",
    [
        (CANCELLED, timedelta(days=2), "was cancelled"),
        ("published", timedelta(days=-3), "is over"),
    ],
)
def test_sign_up_for_closed_event_is_refused(app, client, auth, make, status, starts_in, words):
    volunteer = make.user("volunteer")
    event = make_event(status=status, starts_in=starts_in)
    make.commit()
    english(client)
    auth.login(volunteer)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Sign up</button>" not in page
    for headers in (hx("roles"), {}):
        response = client.post(
            f"/events/{event.id}/roles/{event.roles[0].id}/sign-up", headers=headers
        )
        assert response.status_code == 409
        assert words in response.get_data(as_text=True)
    assert _count(Signup) == 0
    assert db.session.get(EventRole, event.roles[0].id).confirmed_count == 0


def test_cancel_my_place_promotes_the_next(app, client, auth, make, world):
    _staff, volunteer, event = world
    role = event.roles[1]
    waiting = make.user("volunteer")
    make.commit()
    mine = signups_services.sign_up(volunteer, role)
    signups_services.sign_up(waiting, role)
    english(client)
    auth.login(volunteer)
    body = client.post(
        f"/events/{event.id}/signups/{mine.id}/cancel", headers=hx("roles")
    ).get_data(as_text=True)
    assert "Your place is cancelled" in body
    assert db.session.scalar(select(Signup.status).filter_by(user_id=waiting.id)) == CONFIRMED
    assert _count(OutboxMessage, OutboxMessage.kind == "event_promoted") == 1


def test_cannot_cancel_someone_elses_place(app, client, auth, make, world):
    _staff, volunteer, event = world
    other = make.user("volunteer")
    make.commit()
    theirs = signups_services.sign_up(other, event.roles[0])
    auth.login(volunteer)
    assert client.post(f"/events/{event.id}/signups/{theirs.id}/cancel").status_code == 404
    assert db.session.get(Signup, theirs.id).status == CONFIRMED


# ---------------------------------------------------------------- access


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


def test_roster_ticks_in_and_out(app, client, auth, make):
    staff = make.user("staff")
    event = make_event(organiser=staff, starts_in=timedelta(minutes=-30))
    volunteer = make.user("volunteer", name="马阿姨")
    make.commit()
    signup = signups_services.sign_up(volunteer, event.roles[0])
    english(client)
    auth.login(staff)
    page = client.get(f"/events/{event.id}/roster").get_data(as_text=True)
    assert "马阿姨" in page and volunteer.phone in page  # the organiser needs the number
    body = client.post(
        f"/events/{event.id}/signups/{signup.id}/check-in", data={"on": "1"}, headers=hx("roster")
    ).get_data(as_text=True)
    assert "<html" not in body and 'aria-pressed="true"' in body
    signup = db.session.get(Signup, signup.id)
    signup.check_in_at = utcnow() - timedelta(hours=1, minutes=55)
    db.session.commit()
    client.post(
        f"/events/{event.id}/signups/{signup.id}/check-out", data={"on": "1"}, headers=hx("roster")
    )
    assert db.session.get(Signup, signup.id).hours_minutes == 120
    body = client.post(
        f"/events/{event.id}/signups/{signup.id}/confirm-hours", headers=hx("roster")
    ).get_data(as_text=True)
    assert "Hours confirmed for 马阿姨" in body
    assert db.session.get(Signup, signup.id).hours_confirmed_by_id == staff.id


def test_roster_asks_to_confirm_a_missing_check_out(app, client, auth, make):
    staff = make.user("staff")
    event = make_event(organiser=staff, starts_in=timedelta(days=-2), status="under_way")
    volunteer = make.user("volunteer", name="何同学")
    make.commit()
    signup = Signup(
        event_id=event.id,
        role_id=event.roles[0].id,
        user_id=volunteer.id,
        status=CONFIRMED,
        check_in_at=event.starts_at,
    )
    db.session.add(signup)
    db.session.commit()
    english(client)
    auth.login(staff)
    page = client.get(f"/events/{event.id}/roster").get_data(as_text=True)
    assert "No check-out: please confirm when they left" in page
    left = event.starts_at + timedelta(hours=2, minutes=5) + timedelta(hours=8)
    bad = client.post(
        f"/events/{event.id}/signups/{signup.id}/check-out",
        data={"on": "1", "check_out": "yesterday"},
        headers=hx("roster"),
    )
    assert bad.status_code == 422 and db.session.get(Signup, signup.id).check_out_at is None
    client.post(
        f"/events/{event.id}/signups/{signup.id}/check-out",
        data={"on": "1", "check_out": left.strftime("%Y-%m-%dT%H:%M")},
        headers=hx("roster"),
    )
    assert db.session.get(Signup, signup.id).hours_minutes == 120


def test_qr_code_and_check_in_link(app, client, auth, make):
    staff = make.user("staff")
    event = make_event(organiser=staff, starts_in=timedelta(minutes=-5))
    volunteer = make.user("volunteer")
    make.commit()
    signups_services.sign_up(volunteer, event.roles[0])
    english(client)
    auth.login(staff)
    page = client.get(f"/events/{event.id}/qr").get_data(as_text=True)
    assert "<svg" in page
    link = re.search(r"(/events/\d+/checkin\?k=[^<\s\"]+)", page).group(1).replace("&amp;", "&")
    auth.logout()
    assert client.get(f"/events/{event.id}/checkin?k=forged").status_code == 404
    auth.login(volunteer)
    assert "Check in now" in client.get(link).get_data(as_text=True)
    body = client.post(link, data={"step": "self"}).get_data(as_text=True)
    assert "Checked in at" in body
    assert db.session.scalar(select(Signup.check_in_at)) is not None


def test_check_in_with_sms_code(app, client, make):
    event = make_event(starts_in=timedelta(minutes=-5))
    volunteer = make.user("volunteer")
    make.commit()
    signups_services.sign_up(volunteer, event.roles[0])
    with app.test_request_context():
        link = f"/events/{event.id}/checkin?k={attendance_services.checkin_key(event)}"
    english(client)
    bad = client.post(link, data={"step": "phone", "phone": "123"})
    assert bad.status_code == 422
    body = client.post(link, data={"step": "phone", "phone": volunteer.phone})
    assert "we have sent it a six-digit code" in body.get_data(as_text=True)
    sms = db.session.scalar(select(OutboxMessage).filter_by(kind="checkin_code"))
    code = re.search(r"\b(\d{6})\b", sms.body).group(1)
    wrong = client.post(
        link,
        data={
            "step": "code",
            "phone": volunteer.phone,
            "code": "999999" if code != "999999" else "888888",
        },
    )
    assert wrong.status_code == 422 and "wrong or has expired" in wrong.get_data(as_text=True)
    ok = client.post(link, data={"step": "code", "phone": volunteer.phone, "code": code})
    assert "Checked in at" in ok.get_data(as_text=True)


def test_my_hours_and_a_correction_too_long(app, client, auth, make):
    staff = make.user("staff")
    event = make_event(organiser=staff, starts_in=timedelta(hours=-5), hours=3, title="清扫楼道")
    volunteer = make.user("volunteer")
    make.commit()
    signup = Signup(
        event_id=event.id,
        role_id=event.roles[0].id,
        user_id=volunteer.id,
        status=CONFIRMED,
        check_in_at=event.starts_at,
        check_out_at=event.starts_at + timedelta(hours=2),
        hours_minutes=120,
        hours_confirmed_by_id=staff.id,
        hours_confirmed_at=utcnow(),
    )
    db.session.add(signup)
    db.session.commit()
    english(client)
    auth.login(volunteer)
    page = client.get("/me/hours").get_data(as_text=True)
    assert "清扫楼道" in page and "certificate" in page and "not an official" in page
    response = client.post(
        f"/me/hours/{signup.id}/correction", data={"hours": "4", "reason": "我最后一个走"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert any("The event lasted 3 hours" in e for e in field_errors(html))
    assert "我最后一个走" in html
    assert _count(HoursCorrection) == 0
    response = client.post(
        f"/me/hours/{signup.id}/correction", data={"hours": "2.75", "reason": "签退晚了"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(HoursCorrection.requested_minutes)) == 165
    auth.logout()
    auth.login(staff)
    correction = db.session.scalar(select(HoursCorrection))
    body = client.post(
        f"/events/{event.id}/corrections/{correction.id}",
        data={"decision": "accept"},
        headers=hx("roster"),
    ).get_data(as_text=True)
    assert "Correction accepted" in body
    assert db.session.get(Signup, signup.id).hours_minutes == 165


def test_someone_elses_hours_are_404(app, client, auth, make):
    event = make_event(starts_in=timedelta(hours=-5))
    a, b = make.user("volunteer"), make.user("volunteer")
    signup = Signup(event_id=event.id, role_id=event.roles[0].id, user_id=a.id, status=CONFIRMED)
    db.session.add(signup)
    db.session.commit()
    auth.login(b)
    assert client.get(f"/me/hours/{signup.id}/correction").status_code == 404


# ---------------------------------------------------------------- joining


def test_join_as_volunteer(app, client, make):
    community = make.community()
    make.commit()
    english(client)
    data = {
        "name": "李雷",
        "phone": "13900001111",
        "password": "long-pass-1",
        "confirm": "long-pass-1",
        "community_id": community.id,
        "id_type": "resident_id",
        "id_number": "110108199001011234",
        "volunteer_number": "BJ-9",
    }
    assert client.get("/volunteer/join").status_code == 200
    response = client.post("/volunteer/join", data=data)
    assert response.status_code == 302
    profile = db.session.scalar(select(VolunteerProfile))
    assert profile.volunteer_number == "BJ-9"
    client.post("/logout")
    again = client.post("/volunteer/join", data={**data, "name": "韩梅梅"})
    html = again.get_data(as_text=True)
    assert again.status_code == 422 and "韩梅梅" in html
    assert any("already has an account" in e for e in field_errors(html))
    bad = client.post("/volunteer/join", data={**data, "phone": "12", "confirm": "x"})
    assert bad.status_code == 422 and len(field_errors(bad.get_data(as_text=True))) == 2


def test_private_numbers_stay_private(app, client, auth, make):
    staff = make.user("staff")
    event = make_event(organiser=staff, starts_in=timedelta(minutes=-5))
    volunteer = make.user("volunteer")
    db.session.add(
        VolunteerProfile(
            user_id=volunteer.id,
            id_type="resident_id",
            id_number="110108199001019999",
            volunteer_number="VN-77",
        )
    )
    make.commit()
    signups_services.sign_up(volunteer, event.roles[0])
    auth.login(staff)
    for path in (f"/events/{event.id}", f"/events/{event.id}/roster"):
        html = client.get(path).get_data(as_text=True)
        assert "110108199001019999" not in html and "VN-77" not in html


# ---------------------------------------------------------------- calendars


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


def _recorded(make, staff, volunteer, **kw):
    event = make_event(organiser=staff, starts_in=timedelta(days=-1), **kw)
    db.session.add(
        VolunteerProfile(
            user_id=volunteer.id,
            id_type="resident_id",
            id_number="110108199001011234",
            volunteer_number="BJ-7",
        )
    )
    signup = Signup(
        event_id=event.id,
        role_id=event.roles[0].id,
        user_id=volunteer.id,
        status=CONFIRMED,
        check_in_at=event.starts_at,
        check_out_at=event.starts_at + timedelta(hours=2, minutes=30),
        hours_minutes=150,
        hours_confirmed_by_id=staff.id,
        hours_confirmed_at=utcnow(),
    )
    db.session.add(signup)
    db.session.commit()
    return event


def test_export_csv_and_xlsx(app, client, auth, make):
    staff = make.user("staff", name="陈楠")
    volunteer = make.user("volunteer", name="刘芳")
    _recorded(make, staff, volunteer, title="西土城路8号院车棚清理")
    other_staff = make.user("staff")
    _recorded(make, other_staff, make.user("volunteer", name="别人"), title="别处")
    english(client)
    auth.login(staff)
    page = client.get("/events/records").get_data(as_text=True)
    assert "Service record summary" in page and "西土城路8号院车棚清理" in page
    assert "别处" not in page
    response = client.get("/events/records.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == [
        "Name",
        "ID type",
        "ID number",
        "Volunteer number",
        "Activity",
        "Date",
        "Venue",
        "Content",
        "Check-in",
        "Check-out",
        "Hours",
        "Organiser",
        "Confirmed by",
    ]
    assert len(rows) == 2
    assert rows[1][0] == "刘芳" and rows[1][2] == "1101**********1234" and rows[1][3] == "BJ-7"
    assert rows[1][10] == "2.5" and rows[1][11] == "陈楠" and rows[1][12] == "陈楠"
    book = load_workbook(io.BytesIO(client.get("/events/records.xlsx").data))
    sheet = book.active
    assert sheet.title == "Service record summary"
    assert [c.value for c in sheet[2]][:5] == [
        "刘芳",
        "Resident ID card",
        "1101**********1234",
        "BJ-7",
        "西土城路8号院车棚清理",
    ]
    future = client.get("/events/records.csv?date_from=2099-01-01").data.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(future)))) == 1
    assert "certificate" not in sheet.title.lower()


def test_admin_export_filters_by_community(app, client, auth, make):
    admin = make.user("admin")
    staff_a, staff_b = make.user("staff"), make.user("staff")
    _recorded(make, staff_a, make.user("volunteer"), title="甲")
    _recorded(make, staff_b, make.user("volunteer"), title="乙")
    auth.login(admin)
    both = client.get("/events/records.csv").data.decode("utf-8-sig")
    assert "甲" in both and "乙" in both
    one = client.get(f"/events/records.csv?community={staff_a.community_id}")
    text = one.data.decode("utf-8-sig")
    assert "甲" in text and "乙" not in text
    fragment = client.get(
        f"/events/records?community={staff_b.community_id}", headers=hx("records")
    ).get_data(as_text=True)
    assert "<html" not in fragment and "乙" in fragment and "甲" not in fragment


def test_joining_is_rate_limited(app, other_app):
    limited = other_app(RATELIMIT_ENABLED=True)
    client = limited.test_client()
    statuses = [
        client.post("/volunteer/join", data={"name": "", "phone": "1"}).status_code
        for _ in range(6)
    ]
    assert statuses == [422] * 5 + [429]
    assert _count(VolunteerProfile) == 0
