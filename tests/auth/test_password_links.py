"""A texted link to set one's password (auth/password_links.py): a walk-in registered at the
event gets one at once; anyone of the self-service roles may ask for one at /password; the link
works once, closes when the password is set or the account signs out everywhere, and expires."""

import re
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from coordinator.auth import password_links
from coordinator.auth.models import User
from coordinator.auth.services import end_sessions
from coordinator.events.models import UNDER_WAY
from coordinator.extensions import db
from coordinator.notifications.models import OutboxMessage
from tests.conftest import field_errors
from tests.events.conftest import make_event

pytestmark = pytest.mark.usefixtures("english")

NEW = "Str0ng-enough"


def texts(user_id=None) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.kind == "password_link")
    if user_id is not None:
        stmt = stmt.where(OutboxMessage.user_id == user_id)
    return list(db.session.scalars(stmt.order_by(OutboxMessage.id)))


def link_path(message: OutboxMessage) -> str:
    return re.search(r"https?://[^/]+(/password/\S+)", message.body).group(1)


@pytest.fixture
def walk_in(make):
    """A walk-in the organiser registered at an event under way: no password, one text."""
    staff = make.user("staff", name="陈楠")
    event = make_event(organiser=staff, status=UNDER_WAY, starts_in=timedelta(minutes=-30))
    make.commit()
    from coordinator.attendance import services as attendance

    signup = attendance.add_walk_in(staff, event, event.roles[0].id, "路过的小王", "13912345678")
    return db.session.get(User, signup.user_id), event


def test_a_walk_in_is_texted_a_link_and_sets_a_password_with_it(app, client, walk_in):
    person, event = walk_in
    [message] = texts(person.id)
    assert message.recipient == "13912345678" and event.title in message.body
    page = client.get(link_path(message))
    assert page.status_code == 200 and "139****5678" in page.get_data(as_text=True)
    done = client.post(link_path(message), data={"password": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.headers["Location"].endswith("/home")
    assert client.get("/me/hours").status_code == 200  # signed in
    db.session.expire_all()
    assert db.session.get(User, person.id).check_password(NEW)
    # Used: the same link again is a page that says so, and offers a new one.
    client.post("/logout")
    again = client.get(link_path(message))
    assert again.status_code == 404 and "no longer works" in again.get_data(as_text=True)
    assert (
        client.post(link_path(message), data={"password": "x" * 9, "confirm": "x" * 9}).status_code
        == 404
    )


def test_the_form_keeps_its_words_next_to_the_fields(app, client, walk_in):
    person, _event = walk_in
    path = link_path(texts(person.id)[0])
    short = client.post(path, data={"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "At least 8 characters." in field_errors(
        short.get_data(as_text=True)
    )
    differ = client.post(path, data={"password": NEW, "confirm": NEW + "x"})
    assert differ.status_code == 422 and "The two passwords differ." in field_errors(
        differ.get_data(as_text=True)
    )
    nul = client.post(path, data={"password": "abc\x00defgh", "confirm": "abc\x00defgh"})
    assert nul.status_code in (200, 302, 422)
    db.session.expire_all()
    assert not db.session.get(User, person.id).check_password("short")


@pytest.mark.parametrize("token", ["x", "a" * 5000, "eyJ1IjoxfQ.forged.sig", "%E4%B8%AD"])
def test_a_forged_or_odd_link_is_a_404_page(client, token):
    answer = client.get(f"/password/{token}")
    assert answer.status_code == 404 and "no longer works" in answer.get_data(as_text=True)


@pytest.mark.parametrize("token", ["%00", "..%2F..%2Fetc"])
def test_a_link_that_is_no_path_is_the_plain_404(client, token):
    assert client.get(f"/password/{token}").status_code == 404


def test_a_link_for_a_huge_or_odd_account_number_is_a_404(app, client):
    for user_id in (2**70, -1, "x", None):
        token = password_links._serializer().dumps({"u": user_id, "s": "anything"})
        assert client.get(f"/password/{token}").status_code == 404


def test_an_old_link_has_expired(app, client, walk_in, monkeypatch):
    person, _event = walk_in
    hours = app.config["PASSWORD_LINK_HOURS"]
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda self: real(self) - hours * 3600 - 5
    )
    old = password_links.link_token(person)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    assert client.get(f"/password/{old}").status_code == 404
    assert client.get(f"/password/{password_links.link_token(person)}").status_code == 200


def test_signing_out_everywhere_closes_the_link(app, client, walk_in):
    person, _event = walk_in
    path = link_path(texts(person.id)[0])
    end_sessions(person.id)
    assert client.get(path).status_code == 404


def test_asking_says_the_same_whoever_has_the_number(app, client, make):
    volunteer = make.user("volunteer")
    staff = make.user("staff")
    off = make.user("worker")
    off.active = False
    make.commit()
    pages = {}
    for phone in (volunteer.phone, staff.phone, off.phone, "13999999999"):
        answer = client.post("/password", data={"phone": phone})
        assert answer.status_code == 200
        text = answer.get_data(as_text=True)
        pages[phone] = text.replace(phone[:3] + "****" + phone[-4:], "PHONE")
    assert len(set(pages.values())) == 1 and "is on its way by text message" in pages["13999999999"]
    # Only the volunteer's number got a text: staff reset theirs through an admin.
    assert [m.recipient for m in texts()] == [volunteer.phone]


def test_one_account_is_texted_once_every_few_minutes(app, client, make):
    volunteer = make.user("volunteer")
    make.commit()
    for _ in range(3):
        assert client.post("/password", data={"phone": volunteer.phone}).status_code == 200
    assert len(texts(volunteer.id)) == 1


def test_a_bad_number_is_refused_at_the_field(client):
    for phone in ("", "123", "1" * 500, "138\x000000000", "１３８"):
        answer = client.post("/password", data={"phone": phone})
        html = answer.get_data(as_text=True)
        assert answer.status_code == 422 and field_errors(html), phone
    assert texts() == []


def test_a_forgotten_password_is_reset_and_old_sessions_end(app, client, make, web_app):
    volunteer = make.user("volunteer")
    make.commit()
    other = web_app.test_client()
    assert (
        other.post("/login", data={"phone": volunteer.phone, "password": make.PASSWORD}).status_code
        == 302
    )
    assert other.get("/me/hours").status_code == 200
    client.post("/password", data={"phone": volunteer.phone})
    done = client.post(link_path(texts(volunteer.id)[0]), data={"password": NEW, "confirm": NEW})
    assert done.status_code == 302
    assert other.get("/me/hours").status_code in (302, 401)  # the other phone is signed out
    assert client.get("/me/hours").status_code == 200


def test_joining_with_a_walk_ins_number_texts_the_link(app, client, walk_in):
    person, _event = walk_in
    db.session.execute(OutboxMessage.__table__.delete())  # the walk-in's own text is older
    db.session.commit()
    answer = client.post(
        "/volunteer/join",
        data={
            "name": "小王",
            "phone": person.phone,
            "password": NEW,
            "confirm": NEW,
            "community_id": 0,
        },
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert any("texted it a link" in e for e in field_errors(html)) and 'value="小王"' in html
    assert len(texts(person.id)) == 1
    assert db.session.scalar(select(func.count(User.id)).where(User.phone == person.phone)) == 1


def test_the_same_link_pressed_twice_at_once_sets_one_password(app, live, walk_in):
    person, _event = walk_in
    path = link_path(texts(person.id)[0])
    db.session.commit()
    results = live.burst(
        4, lambda i: live.post(path, {"password": f"{NEW}-{i}", "confirm": f"{NEW}-{i}"})
    )
    statuses = sorted(r.status for r in results)
    assert statuses.count(302) == 1 and all(s in (404, 409) for s in statuses if s != 302), statuses
    db.session.expire_all()
    user = db.session.get(User, person.id)
    assert sum(user.check_password(f"{NEW}-{i}") for i in range(4)) == 1
