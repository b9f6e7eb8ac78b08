"""Issue 10's dashboard in a real browser: the secretary (admin) opens the dashboard, reads a
chart and the table of its numbers, follows a number to the board and sees the cases it counts;
at 1280×800 and at 390×844."""

import re

import pytest
from playwright.sync_api import expect

from coordinator.cases import demo as cases_demo
from coordinator.dashboard import demo as dashboard_demo
from coordinator.extensions import db
from tests.browser.conftest import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.browser

ADMIN = "13800000001"  # 刘洋, the subdistrict's admin (the Party secretary's desk)


@pytest.fixture
def figures(story):
    cases_demo.load()
    dashboard_demo.load()
    db.session.commit()
    db.session.remove()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_secretary_reads_the_dashboard_and_follows_a_number(browser, base_url, figures, shot, size):
    context = browser.new_context(base_url=base_url, **(DESKTOP if size == "desktop" else PHONE))
    page = context.new_page()
    sign_in(page, ADMIN)
    page.goto("/dashboard/")
    expect(page.locator("main h1")).to_have_text("我们的成绩")
    expect(page.locator("#stamp")).to_contain_text("本月数据：截至")
    expect(page.locator("#rates-table")).to_contain_text("红联北村社区")

    # The community with the story's cases.
    page.select_option("#community", label="红联北村社区")
    page.locator("form.dashboard-picker button[type=submit]").click()
    page.wait_for_url(re.compile(r"/dashboard/\?.*community=\d+"))
    expect(page.locator("#detail")).to_contain_text("红联北村社区")
    shot(page, f"dashboard-{size}")

    # A chart: an SVG image drawn on the server, its numbers in the table beside it.
    chart = page.locator("img[src*='/dashboard/charts/rates.svg']")
    chart.scroll_into_view_if_needed()
    expect(chart).to_have_attribute("alt", re.compile("三率"))
    # (Polled from here: the page's CSP refuses wait_for_function's eval.)
    for _ in range(50):
        if chart.evaluate("img => img.complete && img.naturalWidth > 0"):
            break
        page.wait_for_timeout(100)
    assert chart.evaluate("img => img.naturalWidth > 0")
    table = page.locator("#rates-trend")
    expect(table.locator("caption")).to_contain_text("近12个月三率与综合成绩")
    expect(table.locator("tbody tr")).to_have_count(12)
    shot(page, f"dashboard-chart-{size}")
    # Nothing sideways at 390 px: the page itself does not scroll horizontally.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # A number → the board, filtered to what it counts.
    stat = page.locator("#received-stat")
    received = int(stat.locator(".number").inner_text())
    assert received > 0
    stat.click()
    page.wait_for_url(re.compile(r"/cases\?community=\d+&since=\d{4}-\d\d-01&until=.*status=all"))
    rows = page.locator("table.cases tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() == min(received, 25)
    shot(page, f"dashboard-board-{size}")
    context.close()
