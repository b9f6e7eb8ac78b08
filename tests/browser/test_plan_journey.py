"""Plans in a real browser: the admin (desktop) and staff 王伟 (phone) open /plans, find Ms
Li's main-stack plan with its next dates and its first run, and make a plan with the form."""

import re

import pytest
from playwright.sync_api import expect

from coordinator.bikes import demo as bikes_demo
from coordinator.cases import demo as cases_demo
from coordinator.events import demo as events_demo
from coordinator.extensions import db
from coordinator.plans import demo as plans_demo
from tests.browser.conftest import DESKTOP, sign_in

pytestmark = pytest.mark.browser

ADMIN, WANG = "13800000001", "13800000002"


@pytest.fixture
def plans(story):
    cases_demo.load()
    events_demo.load()
    bikes_demo.load()
    plans_demo.load()
    db.session.commit()
    db.session.remove()


LATIN_WORD = re.compile(r"\b[A-Za-z]{4,}\b")


def no_english(page) -> None:
    """Chinese everywhere in zh: no stray English words in the page's own text."""
    leftovers = LATIN_WORD.findall(page.locator("main").inner_text())
    assert not leftovers, f"English on a Chinese page: {leftovers}"


def no_sideways(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def journey(page, shot, name: str, phone: str) -> None:
    sign_in(page, phone)
    page.goto("/plans")
    expect(page.locator("h1")).to_have_text("日常维护计划")
    card = page.locator("#plan-list li", has_text="老旧小区主立管定期维护")
    expect(card).to_contain_text("每6个月")
    expect(card).to_contain_text("已生成工作")  # its first run made work
    no_sideways(page)
    no_english(page)
    shot(page, f"plans-{name}")
    card.locator("a.title").click()
    page.wait_for_url(re.compile(r"/plans/\d+$"))
    expect(page.locator("#next-dates li")).to_have_count(5)
    expect(page.locator("#runs .run-created")).to_have_count(1)
    expect(page.locator("#runs")).to_contain_text("2项工作")
    expect(page.locator("#targets")).to_contain_text("老旧小区")
    no_sideways(page)
    no_english(page)
    shot(page, f"plan-{name}", bottom=True)
    # A new plan from the form.
    page.goto("/plans/new")
    page.fill("#title", f"楼道灯巡检{name}")
    page.select_option("#category", "electrics")
    page.fill("#interval", "2")
    page.select_option("#freq", "WEEKLY")
    page.check("input[name=weekdays][value=MO]")
    page.fill("#starts_on", "2026-12-07")
    page.fill("#lead_days", "2")
    # The live count, in place (htmx), before anything is saved.
    page.evaluate("window.__stillHere = 'yes'")
    page.locator("button[name=count]").click()
    expect(page.locator("#live-count")).to_contain_text("个小区符合条件")
    assert page.evaluate("window.__stillHere") == "yes"
    assert page.locator("#title").input_value() == f"楼道灯巡检{name}"
    no_sideways(page)
    no_english(page)
    shot(page, f"plan-form-{name}")
    page.locator("button.primary[type=submit]").click()
    page.wait_for_url(re.compile(r"/plans/\d+$"))
    expect(page.locator("#when")).to_contain_text("每2周")
    expect(page.locator("#when")).to_contain_text("周一")
    expect(page.locator("#next-dates li")).to_have_count(5)
    expect(page.locator("#next-dates li").first).to_contain_text("2026年12月7日")
    no_sideways(page)
    no_english(page)
    shot(page, f"plan-made-{name}")


def test_staff_follow_plans_on_a_phone(page, plans, shot):
    journey(page, shot, "phone", WANG)


def test_admin_follows_plans_on_a_desktop(browser, plans, shot, base_url):
    context = browser.new_context(base_url=base_url, **DESKTOP)
    try:
        journey(context.new_page(), shot, "desktop", ADMIN)
    finally:
        context.close()
