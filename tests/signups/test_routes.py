"""Sign-ups over HTTP: whole pages and htmx fragments, the waitlist, refusals."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coordinator.events.models import (
    CANCELLED,
    CONFIRMED,
    WAITLISTED,
    EventRole,
    Signup,
)
from coordinator.extensions import db
from coordinator.notifications.models import OutboxMessage
from coordinator.signups import services as signups_services
from tests.events.conftest import english, hx, make_event


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


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
