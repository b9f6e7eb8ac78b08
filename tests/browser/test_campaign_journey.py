"""A campaign in a real browser: the admin opens Ms Li's drain case, makes it a campaign across
old compounds (the live count changes as the targets do), confirms, and follows its progress
(a compound no drain team covers waits on the board to be dispatched by hand); at 390 px the
campaign page does not scroll sideways (its rows become cards)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from coordinator.cases import demo as cases_demo
from coordinator.extensions import db
from tests.browser.conftest import DESKTOP, sign_in

pytestmark = pytest.mark.browser

ADMIN = "13800000001"
SHOTS = Path("/tmp/coordinator-shots")


@pytest.fixture
def cases(story):
    cases_demo.load()
    db.session.commit()
    db.session.remove()


def snap(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def live_count(page) -> int:
    return int(page.locator("#live .number").inner_text())


def test_admin_makes_ms_lis_case_a_campaign(browser, cases, base_url):
    from coordinator.cases.models import Case

    li = db.session.scalar(db.select(Case.id).where(Case.tracking_token == "demo-li-drain"))
    db.session.remove()
    context = browser.new_context(base_url=base_url, **DESKTOP)
    page = context.new_page()
    try:
        sign_in(page, ADMIN)
        page.goto(f"/cases/{li}")
        page.get_by_role("link", name="转为专项行动").click()
        page.wait_for_url(re.compile(r"/campaigns/new\?case="))
        expect(page.locator("#title")).to_have_value(re.compile("专项行动"))
        everything = live_count(page)
        page.locator("#old").check()
        expect(page.locator("#live .number")).not_to_have_text(str(everything))
        old = live_count(page)
        assert 0 < old < everything
        snap(page, "campaign-new-old")
        page.fill("#checklist", "检查主立管\n清理检查井")
        page.get_by_role("button", name="发起专项行动").click()
        page.wait_for_url(re.compile(r"/campaigns/\d+$"))
        expect(page.locator("h1")).to_contain_text("专项行动")
        rows = page.locator("table.campaign-rows tbody tr")
        expect(rows).to_have_count(old)
        # One old compound no drain team covers: its case waits, received, for the office.
        expect(page.locator("table.campaign-rows")).to_contain_text("已受理")
        expect(page.locator(".campaign-tally")).to_contain_text("0/")
        snap(page, "campaign-page-desktop")
        # The office marks what one compound's inspection found.
        page.locator("table.campaign-rows tbody tr").first.get_by_role(
            "button", name="发现问题", exact=True
        ).click()
        expect(page.locator(".campaign-tally .stat").nth(1)).to_contain_text("1")
        url = page.url
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    finally:
        context.close()
    phone = browser.new_context(
        base_url=base_url,
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
    )
    page = phone.new_page()
    try:
        sign_in(page, ADMIN)
        page.goto(url)
        expect(page.locator("table.campaign-rows")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        snap(page, "campaign-page-phone")
    finally:
        phone.close()
