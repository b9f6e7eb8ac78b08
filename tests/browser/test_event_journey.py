"""Issue 4's check in a real browser on a phone (390×844): 陈楠 plans a bike drive in 西土城路8号院,
刘芳 finds it and signs up for carrying in two taps, checks in by the QR link, and is checked out
from the roster; 陈楠 registers three bikes in the shed and prints their tags, an owner claims one
by its tag, and after the deadline the other two go to recycling in one step. Every step by the
person who does it, every screen photographed."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coordinator.events import demo as events_demo
from coordinator.events.models import Event, Signup
from coordinator.extensions import db
from coordinator.i18n import to_local, utcnow
from tests.browser.conftest import DESKTOP, sign_in

pytestmark = pytest.mark.browser

ORGANISER = "13800000003"  # 陈楠, staff of 师大北路社区
VOLUNTEER = "13800000007"  # 刘芳, volunteer
TITLE = "西土城路8号院二号车棚废弃自行车清理"
CARRYING = "搬运车辆"
OWNER_PHONE = "13912340002"  # made up: the owner of bike 2
LATIN_WORD = re.compile(r"\b[A-Za-z]{4,}\b")


def no_english(page, where="main"):
    """Chinese everywhere in zh: no stray English words in the page's own text."""
    text = re.sub(r"https?://\S+", "", page.locator(where).inner_text())
    leftovers = [w for w in LATIN_WORD.findall(text) if w not in ("WeChat", "iCalendar")]
    assert not leftovers, f"English on a Chinese page: {leftovers}"


def in_thumb_reach(locator, page, wide: bool = False) -> None:
    """Big enough for a thumb: ≥ 44 × 44 px; a primary action spans most of the width."""
    box = locator.bounding_box()
    assert box is not None
    assert box["height"] >= 44 and box["width"] >= 44, box
    if wide:
        assert box["width"] >= 0.8 * page.viewport_size["width"], box


def fits_the_phone(page) -> None:
    """Nothing makes the page scroll sideways on a phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, width


def small_jpeg(path):
    from PIL import Image

    image = Image.new("RGB", (640, 480), (40, 40, 40))
    image.paste((200, 30, 30), (120, 200, 520, 260))
    image.save(path, "JPEG", quality=80)
    return path


def local_input(dt) -> str:
    return to_local(dt).strftime("%Y-%m-%dT%H:%M")


def with_db(app, fn):
    with app.app_context():
        try:
            return fn()
        finally:
            db.session.commit()
            db.session.remove()


@pytest.fixture
def events_story(app, story):
    """The people and places, then the events chapter (other drives to find ours among)."""
    events_demo.load()
    db.session.commit()
    db.session.remove()
    return story


def test_bike_drive_from_sign_up_to_recycling(
    page, new_context, browser, base_url, live_app, events_story, shot, tmp_path
):
    # 1. 陈楠 plans the drive from her phone: starts half an hour ago, three roles.
    organiser = page
    sign_in(organiser, ORGANISER)
    organiser.goto("/events")
    organiser.locator("a.button", has_text="新建活动").click()
    organiser.wait_for_url("**/events/new")
    now = utcnow().replace(second=0, microsecond=0)
    organiser.select_option("#kind", "bike_drive")
    organiser.fill("#title", TITLE)
    expect(organiser.locator("#community_id option:checked")).to_have_text("师大北路社区")
    organiser.select_option("#compound_id", label="师大北路社区 · 西土城路8号院")
    organiser.fill("#starts_at", local_input(now - timedelta(minutes=30)))
    organiser.fill("#ends_at", local_input(now + timedelta(hours=3)))
    organiser.fill("#meeting_place", "二号车棚门口")
    organiser.fill("#description", "清理二号车棚里的废弃自行车，请志愿者帮忙搬运和登记。")
    organiser.fill("#notice_date", to_local(now).strftime("%Y-%m-%d"))
    for i, (name, capacity) in enumerate([(CARRYING, 8), ("清扫车棚", 6), ("登记车辆", 2)]):
        organiser.fill(f"#roles-{i}-name", name)
        organiser.fill(f"#roles-{i}-capacity", str(capacity))
    shot(organiser, "e01-plan-drive")
    no_english(organiser)
    fits_the_phone(organiser)
    organiser.locator("form.stack button[type=submit].primary").click()
    organiser.wait_for_url(re.compile(r"/events/\d+$"))
    event_id = int(organiser.url.rsplit("/", 1)[1])
    expect(organiser.locator("h1")).to_have_text(TITLE)
    expect(organiser.locator("main")).to_contain_text("草稿")
    publish = organiser.locator("button.primary", has_text="发布")
    in_thumb_reach(publish, organiser)
    publish.click()
    expect(organiser.locator("main")).to_contain_text("报名中")
    shot(organiser, "e02-published", bottom=True)
    no_english(organiser)

    # 2. 刘芳 finds it among the drives and signs up for carrying: two taps.
    volunteer = new_context().new_page()
    sign_in(volunteer, VOLUNTEER)
    volunteer.goto("/events")
    card = volunteer.locator("#event-list li.event-card", has_text=TITLE)
    expect(card).to_have_count(1)
    expect(card).to_contain_text("西土城路8号院")
    shot(volunteer, "e03-volunteer-finds-drive", bottom=True)
    no_english(volunteer)
    fits_the_phone(volunteer)
    card.locator("a.title").click()  # tap 1
    volunteer.wait_for_url(f"**/events/{event_id}")
    role = volunteer.locator("li.role", has_text=CARRYING)
    expect(role.locator(".count")).to_have_text("0/8")
    sign_up = role.locator("button.primary", has_text="报名")
    in_thumb_reach(sign_up, volunteer, wide=True)
    volunteer.evaluate("window.__stillHere = 'yes'")
    sign_up.click()  # tap 2
    expect(volunteer.locator("#roles .flash")).to_contain_text(CARRYING)
    expect(role.locator(".count")).to_have_text("1/8")
    assert volunteer.evaluate("window.__stillHere") == "yes"  # htmx swapped the roles only
    # One place per person: the other roles offer no second sign-up.
    expect(volunteer.locator("li.role", has_text="清扫车棚").locator("button")).to_have_count(0)
    shot(volunteer, "e04-signed-up")
    no_english(volunteer)

    # 3. The organiser shows the QR code; 刘芳 opens the link it encodes and checks in.
    organiser.locator("a.button", has_text="签到二维码").click()
    organiser.wait_for_url(f"**/events/{event_id}/qr")
    expect(organiser.locator(".qr svg")).to_be_visible()
    qr_url = organiser.locator(".qr-sheet p.small").inner_text().strip()
    assert re.fullmatch(rf"{re.escape(base_url)}/events/{event_id}/checkin\?k=[\w\-=%]+", qr_url), (
        qr_url
    )
    box = organiser.locator(".qr svg").bounding_box()
    assert box["width"] >= 250, box  # big enough to scan from an arm's length
    shot(organiser, "e05-qr-code")
    no_english(organiser)

    volunteer.goto(qr_url)
    expect(volunteer.locator("main")).to_contain_text(TITLE)
    check_in = volunteer.locator("button.primary", has_text="签到")
    in_thumb_reach(check_in, volunteer, wide=True)
    shot(volunteer, "e06-checkin-page")
    check_in.click()
    expect(volunteer.locator("#checkin .flash-success")).to_be_visible()
    back = volunteer.locator("#checkin a.button", has_text="返回活动")
    in_thumb_reach(back, volunteer, wide=True)  # not a dead end: one tap back to the event
    shot(volunteer, "e07-checked-in")
    no_english(volunteer)

    def signup():
        return db.session.scalar(
            select(Signup)
            .join(Signup.user)
            .where(Signup.event_id == event_id, Signup.user.has(phone=VOLUNTEER))
        )

    checked_in = with_db(live_app, lambda: signup().check_in_at)
    assert checked_in is not None and abs(checked_in - utcnow()) < timedelta(minutes=2)

    # Time travel: she checked in two and a half hours ago (the clock moves on to the end).
    def earlier():
        s = signup()
        s.check_in_at = utcnow() - timedelta(hours=2, minutes=30)

    with_db(live_app, earlier)

    # 4. 陈楠 checks her out from the roster and confirms the hours.
    organiser.locator("a.button", has_text="名单").click()
    organiser.wait_for_url(f"**/events/{event_id}/roster")
    row = organiser.locator("table.roster tbody tr", has_text="刘芳")
    expect(row).to_have_count(1)
    expect(row.locator("button.tick.on")).to_have_count(1)  # checked in by the QR link
    out = row.locator("button.tick", has_text="签退")
    in_thumb_reach(out, organiser)
    shot(organiser, "e08-roster-before-checkout")
    out.click()
    expect(row.locator("button.tick.on")).to_have_count(2)
    expect(row).to_contain_text("2.5")
    confirm = row.locator("button", has_text="确认")
    in_thumb_reach(confirm, organiser)
    confirm.click()
    expect(organiser.locator("#roster .flash")).to_contain_text("刘芳")
    row = organiser.locator("table.roster tbody tr", has_text="刘芳")
    expect(row).to_contain_text("已确认")
    shot(organiser, "e09-roster-hours-confirmed", bottom=True)
    no_english(organiser)
    fits_the_phone(organiser)

    hours = with_db(
        live_app, lambda: (signup().hours_minutes, signup().hours_confirmed_at is not None)
    )
    assert hours == (150, True)

    # 5. 刘芳 sees the hours on her own page.
    volunteer.goto("/me/hours")
    expect(volunteer.locator("main")).to_contain_text(TITLE)
    expect(volunteer.locator("main")).to_contain_text("2.5")
    # The card of a drive still to come leaves out the empty check-in, check-out and hours.
    upcoming = volunteer.locator("table.data tbody tr", has_text="文慧园路小区")
    expect(upcoming.locator("td[data-label='签到']")).to_be_hidden()
    ours = volunteer.locator("table.data tbody tr", has_text=TITLE)
    expect(ours.locator("td[data-label='签到']")).to_be_visible()
    shot(volunteer, "e10-my-hours", bottom=True)
    no_english(volunteer)

    # 6. The list and the roster on a desk's screen.
    desk = browser.new_context(base_url=base_url, **DESKTOP)
    try:
        screen = desk.new_page()
        sign_in(screen, ORGANISER)
        screen.goto("/events")
        expect(screen.locator("#event-list")).to_contain_text(TITLE)
        shot(screen, "e11-desk-event-list")
        screen.goto(f"/events/{event_id}/roster")
        expect(screen.locator("table.roster")).to_contain_text("刘芳")
        shot(screen, "e12-desk-roster")
        no_english(screen)
    finally:
        desk.close()

    # 7. The organiser registers three bikes in the shed, from her phone: photo, colour, place.
    organiser.goto(f"/events/{event_id}")
    register = organiser.locator("a.button", has_text="车辆登记")
    in_thumb_reach(register, organiser)
    register.click()
    organiser.wait_for_url(f"**/events/{event_id}/bikes")
    # Reached by a boosted link: the register's own stylesheet must still apply (one-tap chips).
    in_thumb_reach(organiser.locator("#field-colour label.pick span").first, organiser)
    in_thumb_reach(organiser.locator("label.photo-pick"), organiser, wide=True)
    photo = small_jpeg(tmp_path / "bike.jpg")
    for n, (colour, brand, place) in enumerate(
        [
            ("黑色", "永久", "车棚东侧第1排"),
            ("蓝色", "捷安特", "车棚东侧第1排"),
            ("红色", "凤凰", "车棚西侧第2排"),
        ],
        start=1,
    ):
        if n == 1:
            organiser.set_input_files("#photo", str(photo))
        organiser.locator("#field-colour label.pick", has_text=colour).click()
        organiser.locator("#field-brand label.pick", has_text=brand).click()
        organiser.fill("#location", place)
        save = organiser.locator("#entry button.primary")
        if n == 1:
            in_thumb_reach(save, organiser, wide=True)
            shot(organiser, "e13-register-bike")
            no_english(organiser)
        save.click()
        expect(organiser.locator(".saved-tag strong")).to_have_text(str(n))
        # The place is kept for the next bike, the colour is not.
        expect(organiser.locator("#location")).to_have_value(place)
    shot(organiser, "e14-three-bikes", bottom=True)
    no_english(organiser)
    fits_the_phone(organiser)

    # 8. The printable tag sheet: three tags, each with its number and a QR code to claim.
    organiser.locator("a", has_text="打印标签").click()
    organiser.wait_for_url(f"**/events/{event_id}/bikes/tags")
    tags = organiser.locator(".bike-tag")
    expect(tags).to_have_count(3)
    expect(tags.locator(".tag-number")).to_have_text(["1", "2", "3"])
    expect(tags.locator(".tag-qr svg")).to_have_count(3)
    size = tags.first.locator(".tag-number").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert size >= 40, size  # readable from a step away
    claim_link = tags.nth(1).locator(".url").inner_text().strip()
    assert claim_link == f"{base_url}/claim/{event_id}-2", claim_link
    shot(organiser, "e15-tag-sheet")
    organiser.emulate_media(media="print")
    shot(organiser, "e16-tag-sheet-print")
    organiser.emulate_media(media="screen")

    # 9. The owner of bike 2 scans its tag on their own phone (no account) and claims it.
    owner = new_context().new_page()
    owner.goto(claim_link)
    expect(owner.locator("#tag")).to_have_value("2")
    owner.fill("#phone", OWNER_PHONE)
    claim = owner.locator("#claim button.primary")
    in_thumb_reach(claim, owner, wide=True)
    shot(owner, "e17-claim-form")
    no_english(owner)
    claim.click()
    expect(owner.locator("#claim [role=status]")).to_contain_text("2")
    shot(owner, "e18-claim-sent")
    no_english(owner)

    # 10. At the shed 陈楠 checks the owner and releases the bike.
    organiser.goto(f"/events/{event_id}/bikes")
    waiting = organiser.locator("li.claim-row")
    expect(waiting).to_have_count(1)
    expect(waiting.locator(".tagno")).to_have_text("2")
    # Waiting owners come before the long entry form, not below it.
    assert waiting.bounding_box()["y"] < organiser.locator("#entry").bounding_box()["y"]
    release = waiting.locator("button.primary", has_text="放行")
    in_thumb_reach(release, organiser)
    shot(organiser, "e19-claim-waiting")
    release.click()
    expect(organiser.locator("li.claim-row")).to_have_count(0)
    tally = organiser.locator(".stats.tally .stat")
    expect(tally.nth(0).locator(".number")).to_have_text("3")  # registered
    expect(tally.nth(1).locator(".number")).to_have_text("1")  # claimed
    # Before the deadline the rest cannot go to recycling yet.
    expect(organiser.locator("main")).to_contain_text("认领截止日的次日起")

    # 11. Time travel: the notice went up 16 days ago, so the 15-day claim period is over.
    def notice_back():
        db.session.get(Event, event_id).notice_date = to_local(utcnow()).date() - timedelta(days=16)

    with_db(live_app, notice_back)
    organiser.reload()
    move = organiser.locator("button.primary", has_text="全部转入待回收")
    expect(move).to_contain_text("2")
    in_thumb_reach(move, organiser, wide=True)
    shot(organiser, "e20-after-deadline")
    move.click()  # one step
    expect(tally.nth(2).locator(".number")).to_have_text("2")  # to recycle

    # 12. The handover to the subdistrict; the tally reads right.
    organiser.fill("#to_whom", "北太平庄街道")
    organiser.fill("#receiver_name", "刘洋")
    expect(organiser.locator("#count")).to_have_value("2")
    organiser.locator("button.primary", has_text="记录移交").click()
    expect(tally.nth(0).locator(".number")).to_have_text("3")  # registered
    expect(tally.nth(1).locator(".number")).to_have_text("1")  # claimed
    expect(tally.nth(2).locator(".number")).to_have_text("0")  # to recycle
    expect(tally.nth(3).locator(".number")).to_have_text("2")  # recycled
    expect(organiser.locator(".headline .number")).to_have_text("3")  # cleared
    shot(organiser, "e21-tally", bottom=True)
    no_english(organiser)
    fits_the_phone(organiser)

    def statuses():
        from coordinator.bikes.models import Bike

        return sorted(
            db.session.execute(
                select(Bike.tag_number, Bike.status).where(Bike.event_id == event_id)
            ).all()
        )

    assert with_db(live_app, statuses) == [(1, "recycled"), (2, "claimed"), (3, "recycled")]
