"""Check-out by the same QR link as check-in (the second scan), and walk-ins added by the
organiser at the event: over HTTP, and the race of two scans over real HTTP."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coordinator.attendance import services as attendance_services
from coordinator.auth.models import User
from coordinator.events.models import CONFIRMED, UNDER_WAY, EventLog, Signup
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.signups import services as signups_services
from tests.events.conftest import english, hx, make_event


def _count(model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _link(app, event) -> str:
    with app.test_request_context():
        return f"/events/{event.id}/checkin?k={attendance_services.checkin_key(event)}"


@pytest.fixture
def on_now(make):
    """An event under way with a volunteer in its first role."""
    staff = make.user("staff", name="陈楠")
    event = make_event(
        organiser=staff, status=UNDER_WAY, starts_in=timedelta(minutes=-30), roles=(("搬运", 2),)
    )
    volunteer = make.user("volunteer", name="马阿姨")
    make.commit()
    signup = signups_services.sign_up(volunteer, event.roles[0])
    return staff, event, volunteer, signup


def test_the_second_scan_checks_out_with_the_hours(app, client, auth, on_now):
    _staff, event, volunteer, signup = on_now
    link = _link(app, event)
    english(client)
    auth.login(volunteer)
    client.post(link, data={"step": "self"})
    row = db.session.get(Signup, signup.id)
    row.check_in_at = utcnow() - timedelta(hours=2, minutes=28)
    db.session.commit()
    again = client.get(link).get_data(as_text=True)
    assert "Check out now" in again and "Check in now" not in again
    done = client.post(link, data={"step": "out"}).get_data(as_text=True)
    assert "Checked out at" in done and "2.5 hours of service" in done
    row = db.session.get(Signup, signup.id)
    assert row.check_out_at is not None and row.hours_minutes == 150
    assert row.hours_confirmed_at is None  # the organiser confirms
    # A third scan changes nothing and says so.
    third = client.get(link).get_data(as_text=True)
    assert "Checked out at" in third and "Check out now" not in third
    client.post(link, data={"step": "out"})
    assert _count(EventLog, EventLog.action == "checked_out") == 1


def test_check_out_before_check_in_is_refused(app, client, auth, on_now):
    _staff, event, volunteer, signup = on_now
    english(client)
    auth.login(volunteer)
    answer = client.post(_link(app, event), data={"step": "out"})
    assert answer.status_code == 409 and "Check in first" in answer.get_data(as_text=True)
    assert db.session.get(Signup, signup.id).check_out_at is None


def test_a_new_sms_code_checks_out_someone_checked_in(app, client, on_now):
    _staff, event, volunteer, signup = on_now
    link = _link(app, event)
    row = db.session.get(Signup, signup.id)
    row.check_in_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    with app.test_request_context():
        code = attendance_services.send_checkin_code(event, volunteer.phone)
    english(client)
    answer = client.post(link, data={"step": "code", "phone": volunteer.phone, "code": code})
    assert "Checked out at" in answer.get_data(as_text=True)
    assert db.session.get(Signup, signup.id).hours_minutes == 60
    # The same code sent again is spent: nothing moves.
    client.post(link, data={"step": "code", "phone": volunteer.phone, "code": code})
    assert _count(EventLog, EventLog.action == "checked_out") == 1


def test_two_scans_at_once_make_one_check_out(app, live, make):
    staff = make.user("staff")
    event = make_event(organiser=staff, status=UNDER_WAY, starts_in=timedelta(minutes=-30))
    person = make.user("volunteer")
    db.session.add(
        Signup(
            event_id=event.id,
            role_id=event.roles[0].id,
            user_id=person.id,
            status=CONFIRMED,
            check_in_at=utcnow() - timedelta(hours=1),
        )
    )
    db.session.commit()
    path = _link(app, event)
    cookie = f"{live.login(person.phone)}; lang=en"

    results = live.burst(6, lambda i: live.post(path, {"step": "out"}, cookie=cookie))

    assert [r.status for r in results] == [200] * 6, [r.text[:200] for r in results]
    assert all("Checked out at" in r.text for r in results)
    assert _count(EventLog, EventLog.action == "checked_out") == 1
    assert db.session.scalar(select(Signup.hours_minutes)) == 60


# ---------------------------------------------------------------- walk-ins


def _walk_in(client, event):
    return client.post(
        f"/events/{event.id}/walk-ins",
        data={"name": "小王", "phone": "13912345678", "role_id": event.roles[0].id},
    )


def test_the_organiser_adds_a_walk_in_checked_in_at_once(app, client, auth, on_now):
    staff, event, _volunteer, _signup = on_now
    english(client)
    auth.login(staff)
    page = client.get(f"/events/{event.id}/roster").get_data(as_text=True)
    assert "Add a walk-in" in page
    body = client.post(
        f"/events/{event.id}/walk-ins",
        data={"name": "路过的小王", "phone": "139 1234 5678", "role_id": event.roles[0].id},
        headers=hx("roster"),
    ).get_data(as_text=True)
    assert "<html" not in body and "路过的小王 added and checked in" in body
    person = db.session.scalar(select(User).where(User.phone == "13912345678"))
    assert person.role == "volunteer" and person.community_id == event.community_id
    assert not person.check_password("")  # no password: they cannot sign in as they are
    signup = db.session.scalar(select(Signup).where(Signup.user_id == person.id))
    assert signup.status == CONFIRMED and signup.check_in_at is not None
    assert db.session.get(type(event.roles[0]), event.roles[0].id).confirmed_count == 2
    assert _count(EventLog, EventLog.action == "walk_in") == 1


def test_a_walk_in_known_by_number_is_that_person_and_once(app, client, auth, on_now, make):
    staff, event, volunteer, _signup = on_now
    known = make.user("volunteer", name="何同学")
    make.commit()
    english(client)
    auth.login(staff)
    data = {"name": "别的名字", "phone": known.phone, "role_id": event.roles[0].id}
    assert client.post(f"/events/{event.id}/walk-ins", data=data).status_code == 302
    assert _count(User) == 3  # nobody new
    assert db.session.scalar(select(Signup.user_id).where(Signup.user_id == known.id))
    again = client.post(f"/events/{event.id}/walk-ins", data=data)
    assert again.status_code == 409 and "signed up already" in again.get_data(as_text=True)
    # The role is full now (2 of 2): a third person is refused at the role's field.
    full = client.post(
        f"/events/{event.id}/walk-ins",
        data={"name": "小李", "phone": "13912340000", "role_id": event.roles[0].id},
    )
    text = full.get_data(as_text=True)
    assert full.status_code == 409 and "is full: choose another role" in text
    assert 'value="小李"' in text  # what was typed is kept
    assert _count(User, User.phone == "13912340000") == 0


def test_walk_in_bad_input_is_a_422_with_words(app, client, auth, on_now):
    staff, event, _volunteer, _signup = on_now
    english(client)
    auth.login(staff)
    answer = client.post(
        f"/events/{event.id}/walk-ins", data={"name": "", "phone": "123", "role_id": "999999"}
    )
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "Enter a name." in text


@pytest.mark.parametrize("role", ["volunteer", "resident", "worker", "lead"])
def test_only_the_organiser_adds_walk_ins(app, client, auth, on_now, make, role):
    _staff, event, _volunteer, _signup = on_now
    someone = make.user(role)
    make.commit()
    auth.login(someone)
    assert _walk_in(client, event).status_code == 403
    assert _count(User, User.phone == "13912345678") == 0


def test_staff_of_another_community_do_not_see_the_event(app, client, auth, on_now, make):
    _staff, event, _volunteer, _signup = on_now
    elsewhere = make.user("staff", community_=make.community())
    make.commit()
    auth.login(elsewhere)
    assert _walk_in(client, event).status_code == 404


def test_no_walk_ins_before_check_in_opens(app, client, auth, make):
    staff = make.user("staff")
    event = make_event(organiser=staff, starts_in=timedelta(days=3))
    make.commit()
    english(client)
    auth.login(staff)
    assert "Add a walk-in" not in client.get(f"/events/{event.id}/roster").get_data(as_text=True)
    assert _walk_in(client, event).status_code == 409
    assert _count(User, User.phone == "13912345678") == 0
