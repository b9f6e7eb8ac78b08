"""Events services without HTTP: assert on the database."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from coordinator.events import queries as events_queries
from coordinator.events import services as events_services
from coordinator.events.models import (
    CANCELLED,
    CONFIRMED,
    DRAFT,
    PUBLISHED,
    EventLog,
    EventRole,
    Signup,
)
from coordinator.extensions import db
from coordinator.rules import Refused
from coordinator.signups import services as signups_services
from tests.events.conftest import make_event, outbox


def _form_data(event, **over):
    data = {
        "kind": event.kind,
        "title": event.title,
        "community_id": event.community_id,
        "compound_id": event.compound_id,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "meeting_place": event.meeting_place,
        "description": event.description,
        "organiser_id": event.organiser_id,
        "roles": [{"id": r.id, "name": r.name, "capacity": r.capacity} for r in event.roles],
    }
    data.update(over)
    return data


def test_cancel_event_needs_reason_and_tells_everyone(app, en, make):
    event = make_event(roles=(("搬运", 1),))
    organiser = event.organiser
    a, b = make.user("volunteer"), make.user("volunteer")
    make.commit()
    signups_services.sign_up(a, event.roles[0])
    signups_services.sign_up(b, event.roles[0])
    with pytest.raises(Refused) as refused:
        events_services.cancel(organiser, event, "  ")
    assert refused.value.field == "reason"
    assert db.session.get(type(event), event.id).status == PUBLISHED
    sequence = event.sequence
    events_services.cancel(organiser, event, "大风预警，改期")
    assert event.status == CANCELLED and event.sequence == sequence + 1
    messages = outbox("event_cancelled")
    assert {m.user_id for m in messages} == {a.id, b.id}
    assert all("大风预警" in m.body for m in messages)
    assert outbox(signups_services.REMINDER) == []


def test_publish_schedules_and_time_change_replaces_reminders(app, en, make):
    staff = make.user("staff")
    event = make_event(organiser=staff, roles=(("搬运", 3),))
    a = make.user("volunteer")
    make.commit()
    signups_services.sign_up(a, event.roles[0])
    old = {m.next_attempt_at for m in outbox(signups_services.REMINDER)}
    data = _form_data(
        event,
        starts_at=event.starts_at + timedelta(days=2),
        ends_at=event.ends_at + timedelta(days=2),
    )
    sequence = event.sequence
    events_services.save_event(staff, data, event)
    new = {m.next_attempt_at for m in outbox(signups_services.REMINDER)}
    assert len(outbox(signups_services.REMINDER)) == 2
    assert not (old & new)
    assert min(new) == event.starts_at - timedelta(days=1)
    assert event.sequence == sequence + 1
    assert len(outbox("event_changed", a)) == 1


def test_publish_draft_and_status_steps(app, en, make):
    staff = make.user("staff")
    event = make_event(organiser=staff, status=DRAFT)
    make.commit()
    events_services.publish(staff, event)
    assert event.status == PUBLISHED and event.sequence == 1
    with pytest.raises(Refused):
        events_services.publish(staff, event)
    events_services.start(staff, event)
    events_services.finish(staff, event)
    assert event.status == "done" and event.sequence == 3
    actions = list(db.session.scalars(select(EventLog.action).order_by(EventLog.id)))
    assert actions == ["published", "started", "finished"]


def test_staff_of_another_community_cannot_edit(app, en, make):
    event = make_event()
    other = make.user("staff")
    make.commit()
    with pytest.raises(Refused) as refused:
        events_services.save_event(other, _form_data(event), event)
    assert refused.value.status == 403
    with pytest.raises(Refused):
        events_services.publish(other, event)


def test_save_event_checks_times_roles_and_community(app, en, make):
    staff = make.user("staff")
    event = make_event(organiser=staff, roles=(("搬运", 2),))
    a, b, c = (make.user("volunteer") for _ in range(3))
    make.commit()
    for p in (a, b, c):
        signups_services.sign_up(p, event.roles[0])
    bad = [
        (_form_data(event, ends_at=event.starts_at), "ends_at"),
        (_form_data(event, roles=[]), "roles"),
        (
            _form_data(event, roles=[{"id": event.roles[0].id, "name": "搬运", "capacity": 1}]),
            "roles-0-capacity",
        ),  # at the capacity the organiser typed
        (_form_data(event, roles=[{"id": None, "name": "清扫", "capacity": 3}]), "roles"),
        (_form_data(event, community_id=make.community().id), "community_id"),
    ]
    for data, field in bad:
        with pytest.raises(Refused) as refused:
            events_services.save_event(staff, data, event)
        assert refused.value.field == field
        db.session.rollback()
    role = db.session.get(EventRole, event.roles[0].id)
    assert (role.capacity, role.confirmed_count) == (2, 2)
    # more room: the waitlisted person moves up at once
    events_services.save_event(
        staff,
        _form_data(
            event,
            roles=[
                {"id": role.id, "name": "搬运", "capacity": 4},
                {"id": None, "name": "清扫", "capacity": 2},
            ],
        ),
        event,
    )
    assert db.session.get(EventRole, role.id).confirmed_count == 3
    assert db.session.scalar(select(Signup.status).filter_by(user_id=c.id)) == CONFIRMED
    assert [r.name for r in event.roles] == ["搬运", "清扫"]


def test_search_scopes_by_role(app, en, make):
    a_staff = make.user("staff")
    mine = make_event(organiser=a_staff)
    draft = make_event(organiser=a_staff, status=DRAFT)
    other = make_event()
    v = make.user("volunteer")
    make.commit()
    ids = {e.id for e in events_queries.search_events(a_staff).items}
    assert ids == {mine.id, draft.id}
    ids = {e.id for e in events_queries.search_events(v).items}
    assert ids == {mine.id, other.id}
    assert events_queries.get_event(v, draft.id) is None
