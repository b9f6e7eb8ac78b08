"""A volunteer's own calendar feed: a secret address that a calendar app fetches without a
session, made and reset from /me/hours; only the owner's events, cancelled places and events
marked CANCELLED."""

import re
from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from coordinator.events.models import CANCELLED, CalendarFeed, Event, Signup
from coordinator.extensions import db
from coordinator.signups import services as signups_services
from tests.events.conftest import english, make_event


def _feed_path(page: str) -> str:
    found = re.search(r"https?://[^/\s<\"]+(/feeds/[A-Za-z0-9_-]+\.ics)", page)
    assert found, "no https feed address on the page"
    return found.group(1)


def _events(body: bytes) -> dict[str, dict]:
    cal = Calendar.from_ical(body)
    return {
        str(item["summary"]): {"status": str(item["status"]), "sequence": int(item["sequence"])}
        for item in cal.walk("VEVENT")
    }


def _make_address(client) -> str:
    assert client.post("/me/calendar").status_code == 302
    return _feed_path(client.get("/me/hours").get_data(as_text=True))


def test_the_feed_works_without_a_session_and_holds_only_my_events(app, client, auth, make):
    mine_a = make_event(title="车棚清理")
    mine_b = make_event(community=make.community(), title="别的社区的活动")
    theirs = make_event(title="别人的活动")
    me, other = make.user("volunteer", name="刘芳"), make.user("volunteer", name="马阿姨")
    make.commit()
    signups_services.sign_up(me, mine_a.roles[0])
    signups_services.sign_up(me, mine_b.roles[0])
    signups_services.sign_up(other, theirs.roles[0])
    english(client)
    auth.login(me)
    page = client.get("/me/hours").get_data(as_text=True)
    assert "Make my calendar address" in page and "/feeds/" not in page
    path = _make_address(client)
    page = client.get("/me/hours").get_data(as_text=True)
    assert "webcal://" in page and "Subscribe in my calendar" in page
    auth.logout()

    answer = client.get(path)
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    assert "private" in answer.headers["Cache-Control"]
    events = _events(answer.data)
    assert set(events) == {"车棚清理", "别的社区的活动"}  # every community, nobody else's
    assert all(e["status"] == "CONFIRMED" for e in events.values())
    assert "马阿姨" not in answer.get_data(as_text=True)
    assert other.phone not in answer.get_data(as_text=True)


def test_a_wrong_secret_is_not_found(app, client, auth, make):
    me = make.user("volunteer")
    make.commit()
    auth.login(me)
    path = _make_address(client)
    auth.logout()
    assert client.get(path.replace(path[7:12], "AAAAA")).status_code == 404
    assert client.get("/feeds/" + "x" * 43 + ".ics").status_code == 404
    assert client.get("/feeds/short.ics").status_code == 404


def test_reset_ends_the_old_address_and_the_new_one_works(app, client, auth, make):
    event = make_event(title="车棚清理")
    me = make.user("volunteer")
    make.commit()
    signups_services.sign_up(me, event.roles[0])
    english(client)
    auth.login(me)
    old = _make_address(client)
    answer = client.post("/me/calendar", follow_redirects=True).get_data(as_text=True)
    assert "the old one no longer works" in answer
    new = _feed_path(answer)
    assert new != old
    assert db.session.scalar(select(CalendarFeed.token).where(CalendarFeed.user_id == me.id))
    auth.logout()
    assert client.get(old).status_code == 404
    assert "车棚清理" in _events(client.get(new).data)


def test_a_place_given_up_and_an_event_called_off_show_as_cancelled(app, client, auth, make):
    left = make_event(title="我退出的活动")
    called_off = make_event(title="取消的活动")
    waiting = make_event(title="候补的活动", roles=(("搬运", 1),))
    me, first = make.user("volunteer"), make.user("volunteer")
    make.commit()
    mine = signups_services.sign_up(me, left.roles[0])
    signups_services.sign_up(me, called_off.roles[0])
    signups_services.sign_up(first, waiting.roles[0])
    signups_services.sign_up(me, waiting.roles[0])
    auth.login(me)
    path = _make_address(client)
    before = _events(client.get(path).data)
    assert before["我退出的活动"]["status"] == "CONFIRMED"
    assert before["候补的活动"]["status"] == "TENTATIVE"
    assert client.post(f"/events/{left.id}/signups/{mine.id}/cancel").status_code == 302
    event = db.session.get(Event, called_off.id)
    event.status, event.sequence = CANCELLED, event.sequence + 1
    db.session.commit()
    auth.logout()
    after = _events(client.get(path).data)
    assert after["我退出的活动"]["status"] == "CANCELLED"
    # A newer version for the calendar app: it replaces the entry it had.
    assert after["我退出的活动"]["sequence"] > before["我退出的活动"]["sequence"]
    assert after["取消的活动"]["status"] == "CANCELLED"


def test_making_the_address_needs_a_session_and_csrf(app, client, other_app, make):
    assert client.post("/me/calendar").status_code == 302  # to the sign-in
    assert db.session.scalar(select(CalendarFeed.id)) is None
    guarded = other_app(WTF_CSRF_ENABLED=True).test_client()
    assert guarded.post("/me/calendar").status_code == 400
    assert db.session.scalar(select(CalendarFeed.id)) is None


def test_the_feed_is_rate_limited_per_address(app, make, other_app):
    limited = other_app(RATELIMIT_ENABLED=True, CALENDAR_FEED_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    codes = [client.get("/feeds/" + "y" * 43 + ".ics").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]


def test_an_event_past_is_kept_and_drafts_left_out(app, client, auth, make):
    past = make_event(title="上个月的活动", starts_in=timedelta(days=-30))
    me = make.user("volunteer")
    make.commit()
    signups_services.sign_up(me, make_event(title="将来的活动").roles[0])
    db.session.add(
        Signup(event_id=past.id, role_id=past.roles[0].id, user_id=me.id, status="confirmed")
    )
    db.session.commit()
    auth.login(me)
    path = _make_address(client)
    assert set(_events(client.get(path).data)) == {"上个月的活动", "将来的活动"}
    event = db.session.get(Event, past.id)
    event.status = "draft"
    db.session.commit()
    assert set(_events(client.get(path).data)) == {"将来的活动"}
