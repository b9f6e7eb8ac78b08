"""One unit of work per use case: a refusal after partial changes leaves none of them, and the
database's own rules (the seat CHECK) are never what answers a person."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coordinator.events import services as events_services
from coordinator.events.models import CONFIRMED, WAITLISTED, EventRole, Signup
from coordinator.extensions import db
from coordinator.i18n import to_local
from coordinator.notifications.models import OutboxMessage
from coordinator.rules import Refused
from coordinator.signups import services as signups_services
from tests.conftest import field_errors
from tests.events.conftest import make_event


def _data(event, roles):
    return {
        "kind": event.kind,
        "title": event.title,
        "community_id": event.community_id,
        "compound_id": None,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "meeting_place": "",
        "description": "",
        "organiser_id": event.organiser_id,
        "roles": roles,
    }


@pytest.fixture
def crowded(make):
    """Carrying: 1 place, taken, one person waiting. Sweeping: 1 place, taken."""
    event = make_event(roles=(("搬运", 1), ("清扫", 1)))
    people = [make.user("volunteer") for _ in range(3)]
    make.commit()
    carrying, sweeping = event.roles
    signups_services.sign_up(people[0], carrying)
    waiting = signups_services.sign_up(people[1], carrying)
    signups_services.sign_up(people[2], sweeping)
    assert waiting.status == WAITLISTED
    db.session.expire_all()
    return event, carrying, waiting


def _promotions():
    return db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.kind == "event_promoted")
    )


def test_a_refused_edit_undoes_the_promotions_it_made(app, en, crowded):
    """More room for carrying moves the waiting person up; then removing sweeping (someone is
    on it) is refused. The promotion, its message and its seat go with the refusal, even when
    something else commits in the same request afterwards."""
    event, carrying, waiting = crowded
    with pytest.raises(Refused) as refused:
        events_services.save_event(
            event.organiser,
            _data(event, [{"id": carrying.id, "name": "搬运", "capacity": 2}]),
            event,
        )
    assert "cannot be removed" in str(refused.value.message)
    db.session.commit()  # whatever commits next must not carry the half-done edit
    db.session.expire_all()
    assert db.session.get(Signup, waiting.id).status == WAITLISTED
    assert db.session.get(EventRole, carrying.id).confirmed_count == 1
    assert db.session.get(EventRole, carrying.id).capacity == 1
    assert _promotions() == 0


def test_the_refused_edit_over_http_shows_why_and_keeps_what_was_typed(app, english, auth, crowded):
    event, carrying, waiting = crowded
    auth.login(event.organiser)
    local = to_local(event.starts_at)
    response = english.post(
        f"/events/{event.id}/edit",
        data={
            "kind": "cleanup",
            "title": "车棚清理（扩员）",
            "community_id": event.community_id,
            "compound_id": 0,
            "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (local + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "organiser_id": event.organiser_id,
            "roles-0-id": carrying.id,
            "roles-0-name": "搬运",
            "roles-0-capacity": 2,
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "cannot be removed" in html
    assert "车棚清理（扩员）" in html
    assert db.session.get(Signup, waiting.id).status == WAITLISTED and _promotions() == 0


def test_capacity_lowered_below_seats_taken_since_it_was_read(app, en, make, live):
    """The organiser's page (and this session) read 3 of 10 taken; three more people sign up
    over HTTP before the save to 4 lands. The answer is the rule's, at the capacity field,
    with the count as it is now: never the CHECK constraint's 500."""
    event = make_event(roles=(("搬运", 10),))
    people = [make.user("volunteer") for _ in range(6)]
    make.commit()
    role = event.roles[0]
    for person in people[:3]:
        signups_services.sign_up(person, role)
    db.session.refresh(role)
    assert role.confirmed_count == 3  # as the organiser read it
    path = f"/events/{event.id}/roles/{role.id}/sign-up"
    for person in people[3:]:
        assert live.post(path, cookie=live.login(person.phone)).status == 302

    with pytest.raises(Refused) as refused:
        events_services.save_event(
            event.organiser, _data(event, [{"id": role.id, "name": "搬运", "capacity": 4}]), event
        )

    assert refused.value.status == 422 and refused.value.field == "roles-0-capacity"
    assert "already has 6 people confirmed" in str(refused.value.message)
    db.session.expire_all()
    assert db.session.get(EventRole, role.id).capacity == 10


def test_capacity_lowered_while_sign_ups_land_answers_at_the_field(app, make, live):
    """Over HTTP, at the same moment: eight sign-ups and the organiser's save to 4 seats."""
    event = make_event(roles=(("搬运", 10),))
    people = [make.user("volunteer") for _ in range(8)]
    make.commit()
    role_id, event_id, organiser = event.roles[0].id, event.id, event.organiser
    local = to_local(event.starts_at)
    edit = {
        "kind": "cleanup",
        "title": event.title,
        "community_id": event.community_id,
        "compound_id": 0,
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (local + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "organiser_id": organiser.id,
        "roles-0-id": role_id,
        "roles-0-name": "搬运",
        "roles-0-capacity": 4,
    }
    cookies = [live.login(p.phone) for p in people] + [live.login(organiser.phone) + "; lang=en"]

    def press(i):
        if i == len(people):
            return live.post(f"/events/{event_id}/edit", edit, cookie=cookies[i])
        return live.post(f"/events/{event_id}/roles/{role_id}/sign-up", cookie=cookies[i])

    results = live.burst(len(cookies), press)

    assert all(r.status in (302, 409, 422) for r in results), [r.status for r in results]
    saved = results[-1]
    db.session.expire_all()
    role = db.session.get(EventRole, role_id)
    confirmed = db.session.scalar(
        select(func.count())
        .select_from(Signup)
        .where(Signup.role_id == role_id, Signup.status == CONFIRMED)
    )
    assert role.confirmed_count == confirmed <= role.capacity
    if saved.status == 302:
        assert role.capacity == 4
    else:
        assert saved.status == 422 and role.capacity == 10
        assert any(
            "people confirmed; the capacity cannot be lower" in e for e in field_errors(saved.text)
        )
