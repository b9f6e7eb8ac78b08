"""The board's file links in a real browser: they follow the filters htmx changes, and a tap
downloads the board's cases as CSV (390×844 and 1280×800, photographed)."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, sign_in

pytestmark = pytest.mark.browser

STAFF = "13800000002"  # 王伟, duty officer of 红联北村社区


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_board_downloads_what_it_shows(page, base_url, story, shot, size):
    if size == "desktop":
        page.set_viewport_size(DESKTOP["viewport"])
    sign_in(page, STAFF)
    page.goto("/cases?status=all")
    link = page.locator(".file-links a", has_text="CSV")
    expect(link).to_have_attribute("href", "/cases.csv?status=all")
    page.locator("details.more summary").click()
    page.select_option("#category", "drain")
    expect(link).to_have_attribute(
        "href", "/cases.csv?status=all&category=drain&dated=created", timeout=5000
    )
    box = link.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box
    shot(page, f"board-files-{size}")
    with page.expect_download() as download:
        link.click()
    name = download.value.suggested_filename
    assert name.startswith("cases-") and name.endswith(".csv")
    body = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "编号"
    assert {row[4] for row in rows[1:]} <= {"下水道与污水"}
    shown = page.locator("#results tr[id^=case-]")
    assert sorted(int(r[0]) for r in rows[1:]) == sorted(
        int(shown.nth(i).get_attribute("id").split("-")[1]) for i in range(shown.count())
    )
