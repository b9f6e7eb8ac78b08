"""Volunteers in a role that registers bikes (登记车辆): they register bikes for their drive,
only that one, only while it runs; a volunteer without the role is refused."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coordinator.bikes import services
from coordinator.bikes.models import Bike
from coordinator.events.models import CONFIRMED, UNDER_WAY, Event, Signup
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.rules import Refused
from tests.events.conftest import english

BIKE = {"colour": "black", "brand": "永久", "location": "车棚东侧", "note": ""}


def _bikes(event_id=None) -> int:
    db.session.expire_all()
    stmt = select(func.count()).select_from(Bike)
    if event_id is not None:
        stmt = stmt.where(Bike.event_id == event_id)
    return db.session.scalar(stmt)


def _running(drives, **kw) -> Event:
    """A drive under way since half an hour, its second role (登记车辆) registering bikes."""
    event = drives.drive(status=UNDER_WAY, **kw)
    event.starts_at = utcnow() - timedelta(minutes=30)
    event.ends_at = utcnow() + timedelta(hours=3)
    event.roles[1].registers_bikes = True
    db.session.flush()
    return event


def _seat(event, role, user):
    db.session.add(Signup(event_id=event.id, role_id=role.id, user_id=user.id, status=CONFIRMED))
    db.session.flush()


@pytest.fixture
def registrar(drives, make):
    event = _running(drives)
    person = make.user("volunteer", name="刘芳")
    _seat(event, event.roles[1], person)
    make.commit()
    return event, person


def test_a_registrar_registers_bikes_for_the_drive(client, auth, registrar):
    event, person = registrar
    english(client)
    auth.login(person)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f"/events/{event.id}/bikes" in page and "Register bikes" in page
    form = client.get(f"/events/{event.id}/bikes").get_data(as_text=True)
    assert "Register a bike" in form
    # The office's parts are not theirs: owners' claims, handover, the list of drives.
    assert "Record the handover" not in form and "/bikes/claims" not in form
    assert 'href="/bikes"' not in form
    answer = client.post(f"/events/{event.id}/bikes", data=BIKE)
    assert answer.status_code == 302 and "saved=1" in answer.headers["Location"]
    bike = db.session.scalar(select(Bike))
    assert bike.registered_by_id == person.id and bike.tag_number == 1


def test_not_for_another_drive(client, auth, registrar, drives, make):
    event, person = registrar
    other = _running(drives, compound=make.compound(event.community, name="文慧园路小区"))
    make.commit()
    auth.login(person)
    assert client.get(f"/events/{other.id}/bikes").status_code == 404
    assert client.post(f"/events/{other.id}/bikes", data=BIKE).status_code == 404
    assert _bikes() == 0


def test_not_after_the_drive_ends(client, auth, registrar):
    event, person = registrar
    row = db.session.get(Event, event.id)
    row.starts_at = utcnow() - timedelta(hours=5)
    row.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    english(client)
    auth.login(person)
    answer = client.post(f"/events/{event.id}/bikes", data=BIKE)
    assert answer.status_code == 409
    assert "from two hours before the start until the end" in answer.get_data(as_text=True)
    assert client.get(f"/events/{event.id}/bikes").status_code == 409
    assert _bikes() == 0


def test_not_long_before_the_start(client, auth, registrar):
    event, person = registrar
    row = db.session.get(Event, event.id)
    row.starts_at = utcnow() + timedelta(days=1)
    row.ends_at = utcnow() + timedelta(days=1, hours=3)
    row.status = "published"
    db.session.commit()
    auth.login(person)
    assert client.post(f"/events/{event.id}/bikes", data=BIKE).status_code == 409
    assert _bikes() == 0


def test_a_volunteer_without_the_role_is_refused(client, auth, drives, make):
    event = _running(drives)
    carrier = make.user("volunteer", name="何同学")
    _seat(event, event.roles[0], carrier)  # 搬运: carrying, not registering
    outsider = make.user("volunteer", name="王同学")
    make.commit()
    for person in (carrier, outsider):
        auth.login(person)
        assert client.get(f"/events/{event.id}/bikes").status_code == 404
        assert client.post(f"/events/{event.id}/bikes", data=BIKE).status_code == 404
        auth.logout()
    assert _bikes() == 0


def test_a_waitlisted_registrar_is_not_one(client, auth, drives, make):
    event = _running(drives)
    person = make.user("volunteer")
    db.session.add(
        Signup(event_id=event.id, role_id=event.roles[1].id, user_id=person.id, status="waitlisted")
    )
    make.commit()
    auth.login(person)
    assert client.post(f"/events/{event.id}/bikes", data=BIKE).status_code == 404


def test_the_service_refuses_a_volunteer_without_the_role(app, drives, make):
    event = _running(drives)
    person = make.user("volunteer")
    make.commit()
    with app.test_request_context(), pytest.raises(Refused) as refused:
        services.register_bike(person, event, BIKE)
    assert refused.value.status == 403 and _bikes() == 0


def test_the_event_form_marks_a_role_as_registering_bikes(client, auth, make):
    staff = make.user("staff")
    make.commit()
    auth.login(staff)
    answer = client.post(
        "/events/new",
        data={
            "kind": "bike_drive",
            "title": "车棚清理",
            "community_id": staff.community_id,
            "compound_id": 0,
            "starts_at": "2030-05-01T09:00",
            "ends_at": "2030-05-01T12:00",
            "organiser_id": staff.id,
            "roles-0-name": "搬运",
            "roles-0-capacity": "8",
            "roles-1-name": "登记车辆",
            "roles-1-capacity": "2",
            "roles-1-registers_bikes": "y",
        },
    )
    assert answer.status_code == 302
    event = db.session.scalar(select(Event))
    assert [(r.name, r.registers_bikes) for r in event.roles] == [
        ("搬运", False),
        ("登记车辆", True),
    ]
