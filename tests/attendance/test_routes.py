"""Attendance over HTTP: the roster and its ticks, the QR check-in, corrections of hours."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from coordinator.attendance import services as attendance_services
from coordinator.events.models import (
    CONFIRMED,
    HoursCorrection,
    Signup,
)
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.notifications.models import OutboxMessage
from coordinator.signups import services as signups_services
from tests.conftest import field_errors
from tests.events.conftest import english, hx, make_event


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


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
