"""The hot spots in a real browser, with the demo's year of history: the admin reads the
grid, opens a compound's buildings in place (htmx), follows a number to the board; at 390 px
the page does not scroll sideways (the grid scrolls in its own box)."""

import re

import pytest
from playwright.sync_api import expect

from coordinator.cases import demo as cases_demo
from coordinator.cases import history
from coordinator.extensions import db
from coordinator.hotspots import demo as hotspots_demo
from tests.browser.conftest import DESKTOP, sign_in

pytestmark = pytest.mark.browser

ADMIN = "13800000001"


@pytest.fixture
def year(story):
    cases_demo.load()
    history.load()
    hotspots_demo.load()
    db.session.commit()
    db.session.remove()


def journey(page, shot, name: str) -> None:
    sign_in(page, ADMIN)
    page.goto("/hotspots?period=12")
    expect(page.locator("h1")).to_have_text("热点问题")
    grid = page.locator("table.heat")
    row = grid.locator("tr.compound-row", has_text="红联北村社区").first
    expect(row).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    shot(page, f"hotspots-{name}")
    # The compound's buildings open in place, without a page load.
    page.evaluate("window.__stillHere = 'yes'")
    grid.locator("tr.compound-row th a", has_text="红联北村").filter(
        has_not_text="平房区"
    ).first.click()
    page.wait_for_url(re.compile(r"compound=\d+"))
    expect(grid.locator("tr.building-row").first).to_be_visible()
    assert page.evaluate("window.__stillHere") == "yes"
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    shot(page, f"hotspots-{name}-buildings")
    expect(page.locator(".repeat").first).to_contain_text("下水道")
    # A number opens the board with as many cases.
    cell = grid.locator("tr.building-row td.heat-4 a, tr.building-row td.heat-3 a").first
    n = int(cell.inner_text())
    cell.click()
    page.wait_for_url(re.compile(r"/cases\?building=\d+&category=\w+&since="))
    expect(page.locator("#results table.cases tbody tr")).to_have_count(n)
    shot(page, f"hotspots-{name}-board")


def test_admin_reads_the_hot_spots_on_a_phone(page, year, shot):
    journey(page, shot, "phone")


def test_admin_reads_the_hot_spots_on_a_desktop(browser, year, shot, base_url):
    context = browser.new_context(base_url=base_url, **DESKTOP)
    try:
        journey(context.new_page(), shot, "desktop")
    finally:
        context.close()
