"""Volunteers over HTTP: joining, private numbers, the service records and their files."""

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from coordinator.events.models import (
    CONFIRMED,
    Signup,
    VolunteerProfile,
)
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.signups import services as signups_services
from tests.conftest import field_errors
from tests.events.conftest import english, hx, make_event


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


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
