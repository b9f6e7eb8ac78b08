"""Issue 12, community staff and the admin on a phone (390×844): 王伟's day on the demo story —
the board and its filters, a case recalled from a team that had not accepted it, another
dispatched and reassigned, the records page, the teams — and the admin's outbox and dashboard.
Every page fits the phone (no sideways scroll, tap targets ≥ 44 px) and is photographed; the
board also at 1280×800."""

from importlib import import_module

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coordinator.cases.models import Case
from coordinator.demo import CHAPTERS
from coordinator.extensions import db
from coordinator.notifications.services import queue
from coordinator.places.models import Community
from coordinator.work import unit_of_work
from tests.browser.conftest import DESKTOP, assert_fits_phone, sign_in

pytestmark = pytest.mark.browser

STAFF = "13800000002"  # 王伟, duty officer of 红联北村社区
ADMIN = "13800000001"  # 刘洋, City Management Office


@pytest.fixture
def whole_story(story):
    """Every chapter `flask demo load` tells (the plans' and warning's tree work, the outbox
    and the dashboard's months too), as a visitor of `make run` sees it."""
    for name in CHAPTERS[1:]:
        import_module(name).load()
        db.session.commit()
    db.session.remove()


def demo_case(app, status: str, category: str) -> int:
    """A case of the demo story in 王伟's community, by its status and category."""
    with app.app_context():
        found = db.session.scalar(
            select(Case.id)
            .join(Community, Community.id == Case.community_id)
            .where(
                Community.name == "红联北村社区", Case.status == status, Case.category == category
            )
            .order_by(Case.id)
        )
        db.session.remove()
    assert found, (status, category)
    return found


def status_of(app, case_id: int) -> tuple[str, str | None]:
    with app.app_context():
        case = db.session.get(Case, case_id)
        found = (case.status, case.team.name if case.team else None)
        db.session.remove()
    return found


def test_wang_weis_day_fits_the_phone(page, whole_story, shot, app):
    sign_in(page, STAFF)
    assert_fits_phone(page)
    shot(page, "staff-01-home")

    # The bar: four places and "more", which opens the rest (辖区 is no longer cut off).
    bar = page.locator("nav.bottombar")
    expect(bar.locator(":scope > a:visible")).to_have_count(4)
    bar.locator(".nav-more summary").click()
    expect(bar.locator(".nav-more-panel a", has_text="辖区")).to_be_visible()
    assert_fits_phone(page)
    shot(page, "staff-02-more")

    # The board, with every filter open.
    bar.locator(":scope > a:visible", has_text="诉求").click()
    page.wait_for_url("**/cases")
    page.locator(".board-filters summary").click()
    expect(page.locator("#since")).to_be_visible()
    communities = page.locator("select[name=community] option")
    expect(communities).to_have_count(2)  # "all communities" and his own: nothing to refuse
    assert_fits_phone(page)
    shot(page, "staff-03-board-filters")

    # A job the tree contractor has not accepted: recalled, with the reason.
    recalled = demo_case(app, "dispatched", "trees")
    page.goto(f"/cases/{recalled}")
    expect(page.locator("#recall")).to_be_visible()
    assert_fits_phone(page)
    shot(page, "staff-04-case-dispatched")
    page.fill("#recall-note", "居民说树已经由物业修剪过了，先撤回")
    page.get_by_role("button", name="撤回，稍后重新派单").click()
    expect(page.locator(".flash-success")).to_contain_text("已撤回")
    expect(page.locator(".timeline")).to_contain_text("撤回")
    assert status_of(app, recalled) == ("received", None)
    assert_fits_phone(page)
    shot(page, "staff-05-recalled")

    # A new one dispatched to the first suggestion, then reassigned to another team.
    moved = demo_case(app, "received", "electrics")
    page.goto(f"/cases/{moved}")
    page.locator("form.suggestion button.primary").first.click()
    expect(page.locator(".flash-success")).to_be_visible()
    first_team = status_of(app, moved)[1]
    picker = page.locator("#reassign-team_id")
    expect(picker).to_be_visible()
    assert first_team not in picker.inner_text()
    picker.select_option(index=1)
    page.fill("#reassign-note", "离得更近")
    page.get_by_role("button", name="改派", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("已改派给")
    status, team = status_of(app, moved)
    assert status == "dispatched" and team != first_team
    assert_fits_phone(page)
    shot(page, "staff-06-reassigned")

    page.goto("/events/records")
    assert_fits_phone(page)
    shot(page, "staff-07-records")

    page.goto("/teams/")
    assert_fits_phone(page)
    shot(page, "staff-08-teams")
    # The subdistrict-wide contractor: its members are the admin's to change.
    page.locator("a.title", has_text="北京绿荫园林绿化工程有限公司").click()
    expect(page.locator("h1")).to_have_text("北京绿荫园林绿化工程有限公司")
    expect(page.locator("#members button")).to_have_count(0)
    assert_fits_phone(page)
    shot(page, "staff-09-subdistrict-team")


def test_the_board_at_a_desk(browser, base_url, whole_story, shot):
    context = browser.new_context(base_url=base_url, **DESKTOP)
    try:
        page = context.new_page()
        sign_in(page, STAFF)
        page.goto("/cases")
        page.locator(".board-filters summary").click()
        expect(page.locator("table.cases tbody tr").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        shot(page, "staff-10-board-desktop")
        # A desk has room: 辖区 and 队伍 sit in the bar itself, "more" holds only the rest.
        bar = page.locator("nav.bottombar")
        expect(bar.locator(":scope > a:visible", has_text="辖区")).to_be_visible()
        expect(bar.locator(":scope > a:visible", has_text="队伍")).to_be_visible()
        bar.locator(".nav-more summary").click()
        expect(bar.locator(".nav-more-panel a", has_text="热点问题")).to_be_visible()
        expect(bar.locator(".nav-more-panel a:visible", has_text="辖区")).to_have_count(0)
        shot(page, "staff-11-more-desktop")
    finally:
        context.close()


def test_the_admins_outbox_and_dashboard_fit_the_phone(app, page, whole_story, shot):
    # A resident's tracking text: a long link, one word the phone must break, not scroll by.
    with app.app_context(), unit_of_work():
        queue("case_tracking", "13800000008", "查看进度：http://127.0.0.1:5000/track/" + "x" * 40)
    db.session.remove()
    sign_in(page, ADMIN)
    page.locator("nav.bottombar .nav-more summary").click()
    page.locator(".nav-more-panel a", has_text="消息发送记录").click()
    page.wait_for_url("**/outbox")
    assert_fits_phone(page)
    shot(page, "admin-01-outbox")

    page.goto("/dashboard/")
    page.locator("summary", has_text="这些数字是怎么算的").click()
    assert_fits_phone(page)
    shot(page, "admin-02-dashboard")
