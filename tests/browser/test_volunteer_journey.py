"""Issue 12's volunteer and organiser on a phone (390×844): 刘芳 signs up to register bikes at
a drive under way, makes her own calendar address (the webcal link), checks in and out by the
event's QR link, and registers a bike in her role; 陈楠 adds a walk-in at the roster and copies
the event's WeChat text. Every page checked for sideways scroll and thumb-sized targets."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coordinator.attendance.services import checkin_key
from coordinator.auth.models import User
from coordinator.events.models import UNDER_WAY, Event, EventRole, Signup
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.places.models import Compound
from tests.browser.conftest import DESKTOP, assert_fits_phone, sign_in
from tests.browser.test_event_journey import with_db

pytestmark = pytest.mark.browser

ORGANISER = "13800000003"  # 陈楠, staff of 师大北路社区
VOLUNTEER = "13800000007"  # 刘芳, volunteer
TITLE = "西土城路8号院南车棚废弃自行车清理"
WALK_IN = ("路过的小王", "13912345601")


def _drive_under_way() -> tuple[int, str]:
    """A drive in 西土城路8号院 that began half an hour ago, with a role that registers bikes."""
    compound = db.session.scalar(select(Compound).where(Compound.name == "西土城路8号院"))
    organiser = db.session.scalar(select(User).where(User.phone == ORGANISER))
    now = utcnow().replace(microsecond=0)
    event = Event(
        kind="bike_drive",
        title=TITLE,
        community_id=compound.community_id,
        compound_id=compound.id,
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(hours=3),
        meeting_place="南车棚门口",
        bring="手套、水杯",
        organiser_id=organiser.id,
        status=UNDER_WAY,
        description="清理南车棚里的废弃自行车。",
        notice_date=(now - timedelta(days=20)).date(),
        claim_days=15,
    )
    event.roles = [
        EventRole(name="搬运车辆", capacity=8, position=0),
        EventRole(name="登记车辆", capacity=2, position=1, registers_bikes=True),
    ]
    db.session.add(event)
    db.session.flush()
    return event.id, checkin_key(event)


def _an_hour_and_a_half_ago(event_id):
    def move():
        signup = db.session.scalar(select(Signup).where(Signup.event_id == event_id))
        signup.check_in_at = utcnow() - timedelta(hours=1, minutes=30)

    return move


def test_a_volunteers_day_and_the_organisers(
    page, new_context, browser, base_url, live_app, story, shot
):
    with live_app.test_request_context():
        event_id, key = with_db(live_app, _drive_under_way)
    checkin = f"/events/{event_id}/checkin?k={key}"

    # 1. 刘芳 signs up for registering bikes.
    volunteer = page
    sign_in(volunteer, VOLUNTEER)
    volunteer.goto(f"/events/{event_id}")
    role = volunteer.locator("li.role", has_text="登记车辆")
    role.locator("button", has_text="报名").click()
    expect(role).to_contain_text("已确认")
    expect(volunteer.locator("#share-text")).to_contain_text("【志愿者招募】")
    assert_fits_phone(volunteer)
    shot(volunteer, "v01-signed-up", bottom=True)

    # 2. Her own calendar: one tap makes the address; the webcal link subscribes.
    volunteer.goto("/me/hours")
    volunteer.locator("button", has_text="生成我的日历地址").click()
    subscribe = volunteer.locator("a.button", has_text="在我的日历中订阅")
    expect(subscribe).to_have_attribute("href", re.compile(r"^webcal://.+/feeds/[\w-]+\.ics$"))
    expect(volunteer.locator("#feed-url")).to_contain_text("/feeds/")
    expect(volunteer.locator("main")).to_contain_text("iPhone")
    assert_fits_phone(volunteer)
    shot(volunteer, "v02-my-calendar", bottom=True)
    feed = volunteer.locator("#feed-url").inner_text().strip()
    answer = volunteer.request.get(feed.replace(feed.split("/feeds/")[0], ""))
    assert answer.status == 200 and TITLE in answer.text()

    # 3. Checks in by the QR link, and later out by the same link.
    volunteer.goto(checkin)
    volunteer.locator("button", has_text="立即签到").click()
    expect(volunteer.locator("main")).to_contain_text("签到")
    assert_fits_phone(volunteer)
    shot(volunteer, "v03-checked-in")
    with live_app.app_context():
        with_db(live_app, _an_hour_and_a_half_ago(event_id))
    volunteer.goto(checkin)
    expect(volunteer.locator("h1")).to_have_text("签退")
    assert_fits_phone(volunteer)
    shot(volunteer, "v04-check-out")
    volunteer.locator("button", has_text="立即签退").click()
    expect(volunteer.locator("main")).to_contain_text("服务 1.5 小时")
    assert_fits_phone(volunteer)
    shot(volunteer, "v05-checked-out")

    # 4. Registers a bike in her role, from the event's page.
    volunteer.goto(f"/events/{event_id}")
    volunteer.locator("a.button", has_text="登记车辆").click()
    volunteer.wait_for_url(f"**/events/{event_id}/bikes")
    expect(volunteer.locator("main")).not_to_contain_text("记录交接")
    volunteer.locator("label.pick", has_text="黑").first.click()
    volunteer.fill("#location", "南车棚东侧第1排")
    assert_fits_phone(volunteer)
    shot(volunteer, "v06-register-bike")
    volunteer.locator("button", has_text="登记下一辆").click()
    expect(volunteer.locator(".saved-tag")).to_contain_text("1")
    assert_fits_phone(volunteer)
    shot(volunteer, "v07-bike-saved")

    # 5. 陈楠 adds a walk-in at the roster, checked in at once.
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    organiser = context.new_page()
    sign_in(organiser, ORGANISER)
    organiser.goto(f"/events/{event_id}/roster")
    organiser.locator("summary", has_text="添加现场报名者").click()
    organiser.fill("#name", WALK_IN[0])
    organiser.fill("#phone", WALK_IN[1])
    organiser.select_option("#role_id", label="搬运车辆")
    assert_fits_phone(organiser)
    shot(organiser, "v08-walk-in")
    organiser.locator("button", has_text="添加并签到").click()
    expect(organiser.locator("#roster")).to_contain_text(f"已添加{WALK_IN[0]}并签到")
    expect(organiser.locator("#roster")).to_contain_text(WALK_IN[0])
    assert_fits_phone(organiser)
    shot(organiser, "v09-walk-in-added")

    # 6. …and copies the event's text for the residents' WeChat group.
    organiser.goto(f"/events/{event_id}")
    box = organiser.locator("#share-text")
    expect(box).to_contain_text("集合地点：")
    expect(box).to_contain_text("请携带：手套、水杯")
    organiser.locator("button[data-copy=share-text]").click()
    expect(organiser.locator("button[data-copy=share-text]")).to_have_text("已复制")
    copied = organiser.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"【志愿者招募】{TITLE}") and "报名：http" in copied
    organiser.locator("#share").scroll_into_view_if_needed()
    assert_fits_phone(organiser)
    shot(organiser, "v10-share-text")

    # 7. The same pages on the office's desktop (1280×800): nothing sideways, looked at.
    desk = browser.new_context(base_url=base_url, **DESKTOP).new_page()
    sign_in(desk, VOLUNTEER)
    desk.goto("/me/hours")
    expect(desk.locator("a.button", has_text="在我的日历中订阅")).to_be_visible()
    assert_fits_phone(desk)
    shot(desk, "v11-desktop-my-hours")
    desk.goto(f"/events/{event_id}")
    expect(desk.locator("#share-text")).to_contain_text("报名：")
    shot(desk, "v12-desktop-event")
    desk.context.close()
