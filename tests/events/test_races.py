"""Every status change of an event and its people, pressed by several clients at the same moment
over real HTTP (tests/live.py): one winner, a 409 with words for the others, one entry in the
trail, one message, and the state that the trail tells."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coordinator.attendance.services import _code_hash
from coordinator.auth.models import User
from coordinator.events.models import (
    CANCELLED,
    CONFIRMED,
    DONE,
    DRAFT,
    PENDING,
    PUBLISHED,
    UNDER_WAY,
    WAITLISTED,
    CheckinCode,
    Event,
    EventLog,
    HoursCorrection,
    Signup,
)
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.notifications.models import OutboxMessage
from coordinator.signups.services import sign_up
from tests.events.conftest import make_event

N = 6
EN = {"Cookie": "lang=en"}


def _count(model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _trail(event_id, action):
    return _count(EventLog, EventLog.event_id == event_id, EventLog.action == action)


def _messages(kind):
    return _count(OutboxMessage, OutboxMessage.kind == kind)


def _cookie(live, user):
    return f"{live.login(user.phone)}; lang=en"


LATE = ("changed this at", "that step is not possible now")  # lost at the write, or read after


def _late(answer) -> bool:
    return any(words in answer.text for words in LATE)


def _split(results, winner=302, refused=(409,)):
    """The answers as (winners, others); nothing but the winner's code and 409. The test's
    session forgets what it had loaded: what it reads next is what the requests wrote."""
    db.session.expire_all()
    codes = sorted(r.status for r in results)
    assert set(codes) <= {winner, *refused}, [(r.status, r.text[:300]) for r in results]
    return codes.count(winner), [r for r in results if r.status in refused]


@pytest.fixture
def organisers(make):
    """An event's community with two staff members: two people who may press its buttons."""
    first = make.user("staff", name="陈楠")
    second = make.user("staff", name="王伟", community_=first.community)
    return first, second


@pytest.mark.parametrize(
    "step,seen,status,action",
    [
        ("publish", DRAFT, PUBLISHED, "published"),
        ("start", PUBLISHED, UNDER_WAY, "started"),
        ("finish", UNDER_WAY, DONE, "finished"),
    ],
)
def test_a_lifecycle_step_pressed_at_once_happens_once(
    app, live, make, organisers, step, seen, status, action
):
    first, second = organisers
    event = make_event(organiser=first, status=seen)
    event_id = event.id
    db.session.commit()
    cookies = [_cookie(live, first), _cookie(live, second)]

    results = live.burst(
        N, lambda i: live.post(f"/events/{event_id}/{step}", cookie=cookies[i % 2])
    )

    winners, losers = _split(results)
    assert winners == 1
    assert losers and all(_late(r) for r in losers)  # who and when, or what it is now
    assert _trail(event_id, action) == 1
    assert db.session.get(Event, event_id).status == status


def test_publishing_at_once_schedules_each_reminder_once(app, live, make, organisers):
    first, second = organisers
    event = make_event(organiser=first, status=DRAFT)
    for _ in range(2):  # people put on the roster while it was a draft
        db.session.add(
            Signup(
                event_id=event.id,
                role_id=event.roles[0].id,
                user_id=make.user("volunteer").id,
                status=CONFIRMED,
            )
        )
    event_id = event.id
    db.session.commit()
    cookies = [_cookie(live, first), _cookie(live, second)]

    results = live.burst(
        N, lambda i: live.post(f"/events/{event_id}/publish", cookie=cookies[i % 2])
    )

    assert _split(results)[0] == 1
    assert _messages("event_reminder") == 2 * 2  # two people, the day before and 2 h before


def test_cancelling_at_once_tells_everyone_once(app, live, make, organisers):
    first, second = organisers
    event = make_event(organiser=first, roles=(("搬运", 5),))
    people = [make.user("volunteer") for _ in range(3)]
    db.session.commit()
    for person in people:
        sign_up(person, event.roles[0])
    event_id = event.id
    cookies = [_cookie(live, first), _cookie(live, second)]

    results = live.burst(
        N,
        lambda i: live.post(
            f"/events/{event_id}/cancel", {"reason": f"大风预警 {i}"}, cookie=cookies[i % 2]
        ),
    )

    winners, losers = _split(results)
    assert winners == 1 and all(_late(r) for r in losers)
    assert _messages("event_cancelled") == len(people)
    assert _messages("event_reminder") == 0
    assert _trail(event_id, "cancelled") == 1
    event = db.session.get(Event, event_id)
    reason = db.session.scalar(
        select(OutboxMessage.body).where(OutboxMessage.kind == "event_cancelled").limit(1)
    )
    assert event.status == CANCELLED and event.cancel_reason in reason  # the winner's words


def test_an_edit_and_a_cancellation_at_once_never_both_land(app, live, make, organisers):
    """The edit moves the event (everyone is told), the cancellation calls it off: one of them,
    never a moved event that was cancelled, nor a cancelled one whose people hear it moved."""
    first, second = organisers
    event = make_event(organiser=first, roles=(("搬运", 5),))
    person = make.user("volunteer")
    db.session.commit()
    sign_up(person, event.roles[0])
    event_id, role_id, community_id = event.id, event.roles[0].id, event.community_id
    later = (event.starts_at + timedelta(hours=8, days=1)).strftime("%Y-%m-%dT%H:%M")
    end = (event.starts_at + timedelta(hours=11, days=1)).strftime("%Y-%m-%dT%H:%M")
    edit = {
        "kind": "cleanup",
        "title": "车棚清理（改期）",
        "community_id": community_id,
        "compound_id": 0,
        "starts_at": later,
        "ends_at": end,
        "organiser_id": first.id,
        "roles-0-id": role_id,
        "roles-0-name": "搬运",
        "roles-0-capacity": 5,
    }
    cookies = [_cookie(live, first), _cookie(live, second)]

    def press(i):
        if i % 2:
            return live.post(f"/events/{event_id}/cancel", {"reason": "大风"}, cookie=cookies[1])
        return live.post(f"/events/{event_id}/edit", edit, cookie=cookies[0])

    results = live.burst(4, press)

    assert {r.status for r in results} <= {302, 409}, [(r.status, r.text[:300]) for r in results]
    event = db.session.get(Event, event_id)
    changed, cancelled = _messages("event_changed"), _messages("event_cancelled")
    assert cancelled == (1 if event.status == CANCELLED else 0)
    assert _trail(event_id, "cancelled") == cancelled
    if event.status == CANCELLED:  # edits after it were refused; any before it stand
        assert changed == _trail(event_id, "edited") <= 1
    else:
        assert changed == 1 and _trail(event_id, "edited") >= 1


def test_a_sign_up_cancelled_several_times_at_once_frees_one_seat(app, live, make):
    event = make_event(roles=(("搬运", 1),))
    leaving, waiting = make.user("volunteer"), make.user("volunteer")
    db.session.commit()
    mine = sign_up(leaving, event.roles[0])
    queued = sign_up(waiting, event.roles[0])
    event_id, signup_id, queued_id = event.id, mine.id, queued.id
    assert queued.status == WAITLISTED
    cookie = _cookie(live, leaving)

    results = live.burst(
        N, lambda i: live.post(f"/events/{event_id}/signups/{signup_id}/cancel", cookie=cookie)
    )

    winners, losers = _split(results)
    assert winners == 1 and all("already cancelled" in r.text for r in losers)
    assert db.session.get(Signup, queued_id).status == CONFIRMED
    assert _messages("event_promoted") == 1
    assert _trail(event_id, "promoted") == _trail(event_id, "signup_cancelled") == 1
    assert db.session.get(Event, event_id).roles[0].confirmed_count == 1


def _on_now(make, organiser=None):
    """An event under way (check-in is open) with one confirmed person."""
    event = make_event(organiser=organiser, status=UNDER_WAY, starts_in=timedelta(minutes=-30))
    person = make.user("volunteer")
    signup = Signup(
        event_id=event.id, role_id=event.roles[0].id, user_id=person.id, status=CONFIRMED
    )
    db.session.add(signup)
    db.session.commit()
    return event, person, signup


def test_organisers_ticking_someone_in_at_once_record_one_check_in(app, live, make, organisers):
    first, second = organisers
    event, _person, signup = _on_now(make, first)
    event_id, signup_id = event.id, signup.id
    cookies = [_cookie(live, first), _cookie(live, second)]

    results = live.burst(
        N,
        lambda i: live.post(
            f"/events/{event_id}/signups/{signup_id}/check-in", {"on": "1"}, cookie=cookies[i % 2]
        ),
    )

    # A tick read after the first one is already there (nothing to do: the roster again);
    # one read before it loses at the write and says who ticked, and when.
    _winners, losers = _split(results)
    assert all("changed this at" in r.text for r in losers)
    assert _trail(event_id, "checked_in") == 1
    assert db.session.get(Signup, signup_id).check_in_at is not None


def test_a_volunteer_tapping_the_qr_link_at_once_is_checked_in_once(app, live, make):
    from coordinator.attendance.services import checkin_key

    event, person, signup = _on_now(make)
    path = f"/events/{event.id}/checkin?k={checkin_key(event)}"
    event_id, signup_id = event.id, signup.id
    cookie = _cookie(live, person)

    results = live.burst(N, lambda i: live.post(path, {"step": "self"}, cookie=cookie))

    assert [r.status for r in results] == [200] * N  # again is harmless: "you are checked in"
    assert _trail(event_id, "checked_in") == 1
    assert db.session.get(Signup, signup_id).check_in_at is not None


def test_parallel_guesses_of_a_check_in_code_get_five_tries_in_all(app, live, make):
    from coordinator.attendance.services import checkin_key

    event, person, _signup = _on_now(make)
    db.session.add(
        CheckinCode(
            event_id=event.id,
            phone=person.phone,
            code_hash=_code_hash(event, person.phone, "424242"),
            expires_at=utcnow() + timedelta(minutes=10),
        )
    )
    db.session.commit()
    path, phone = f"/events/{event.id}/checkin?k={checkin_key(event)}", person.phone

    results = live.burst(
        12, lambda i: live.post(path, {"step": "code", "phone": phone, "code": f"{i:06d}"})
    )

    assert [r.status for r in results] == [422] * 12
    assert db.session.scalar(select(CheckinCode.attempts)) == 5
    right = live.post(path, {"step": "code", "phone": phone, "code": "424242"})
    assert right.status == 422  # the tries are spent: the right code no longer opens it


@pytest.fixture
def served(make, organisers):
    """An event that has begun, with a volunteer who served 2 hours of its 3."""
    first, _second = organisers
    event = make_event(organiser=first, starts_in=timedelta(hours=-5), hours=3)
    person = make.user("volunteer")
    signup = Signup(
        event_id=event.id,
        role_id=event.roles[0].id,
        user_id=person.id,
        status=CONFIRMED,
        check_in_at=event.starts_at,
        check_out_at=event.starts_at + timedelta(hours=2),
        hours_minutes=120,
    )
    db.session.add(signup)
    db.session.commit()
    return event, person, signup


def test_a_correction_sent_several_times_at_once_is_one_request(app, live, served):
    event, person, signup = served
    signup_id, event_id = signup.id, event.id
    cookie = _cookie(live, person)

    results = live.burst(
        N,
        lambda i: live.post(
            f"/me/hours/{signup_id}/correction",
            {"hours": "2.5", "reason": "签退晚了"},
            cookie=cookie,
        ),
    )

    winners, losers = _split(results)
    assert winners == 1 and all("You have asked already" in r.text for r in losers)
    assert _count(HoursCorrection) == 1
    assert _messages("hours_correction") == 1  # the organiser is asked once
    assert _trail(event_id, "correction_requested") == 1


def test_accepting_and_rejecting_a_correction_at_once_decides_it_once(
    app, live, served, organisers
):
    event, _person, signup = served
    correction = HoursCorrection(
        signup_id=signup.id,
        requested_minutes=165,
        previous_minutes=120,
        reason="签退晚了",
        status=PENDING,
    )
    db.session.add(correction)
    db.session.commit()
    event_id, signup_id, correction_id = event.id, signup.id, correction.id
    cookies = [_cookie(live, o) for o in organisers]

    results = live.burst(
        N,
        lambda i: live.post(
            f"/events/{event_id}/corrections/{correction_id}",
            {"decision": "accept" if i % 2 else "reject"},
            cookie=cookies[i % 2],
        ),
    )

    winners, _losers = _split(results)
    assert winners == 1
    correction = db.session.get(HoursCorrection, correction_id)
    assert _messages("hours_correction") == 1  # the volunteer hears one answer
    assert _trail(event_id, f"correction_{correction.status}") == 1
    assert _count(EventLog, EventLog.action.like("correction_%")) == 1
    hours = db.session.get(Signup, signup_id).hours_minutes
    assert hours == (165 if correction.status == "accepted" else 120)  # state = trail


def test_confirming_hours_at_once_is_one_confirmation(app, live, served, organisers):
    event, _person, signup = served
    event_id, signup_id = event.id, signup.id
    cookies = [_cookie(live, o) for o in organisers]

    results = live.burst(
        N,
        lambda i: live.post(
            f"/events/{event_id}/signups/{signup_id}/confirm-hours", cookie=cookies[i % 2]
        ),
    )

    assert _split(results)[0] == 1
    assert _trail(event_id, "hours_confirmed") == 1


def test_the_same_number_joining_ten_times_at_once_makes_one_account(app, live, make):
    community = make.community()
    db.session.commit()
    form = {
        "name": "刘芳",
        "phone": "13912345678",
        "password": "long-enough-1",
        "confirm": "long-enough-1",
        "community_id": community.id,
    }

    results = live.burst(10, lambda i: live.post("/volunteer/join", form, headers=EN))

    winners, losers = _split(results, refused=(409, 422))  # at the write, or read after it
    assert winners == 1
    assert all("already has an account" in r.text and "刘芳" in r.text for r in losers)
    assert _count(User, User.phone == "13912345678") == 1


def test_sign_ups_landing_while_the_event_is_cancelled_are_all_told(app, live, make):
    """Eleven people tap "sign up" as the organiser calls the event off: whoever got a place
    hears of the cancellation; the others are told sign-up has closed. None holds a place at
    a cancelled event unknowingly (PostgreSQL once gave 9 of 11)."""
    event = make_event(roles=(("搬运", 50),))
    people = [make.user("volunteer") for _ in range(11)]
    db.session.commit()
    event_id, role_id = event.id, event.roles[0].id
    staff = _cookie(live, event.organiser)
    cookies = [_cookie(live, p) for p in people]

    def press(i):
        if i == 5:
            return live.post(f"/events/{event_id}/cancel", {"reason": "大风"}, cookie=staff)
        return live.post(f"/events/{event_id}/roles/{role_id}/sign-up", cookie=cookies[i - (i > 5)])

    results = live.burst(len(people) + 1, press)

    assert _split(results)[0] >= 1  # the cancellation, and the seats taken before it
    assert all("closed" in r.text for r in results if r.status == 409)
    active = _count(Signup, Signup.event_id == event_id, Signup.status != "cancelled")
    assert _messages("event_cancelled") == active
    assert db.session.get(Event, event_id).status == CANCELLED
