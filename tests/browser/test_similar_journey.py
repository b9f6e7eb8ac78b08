"""Issue 10's similar cases in a real browser on a phone (390×844): 王伟 logs a blocked drain,
a neighbour calls about the same stack, the panel shows the first case as he types, and one tap
logs the call as its duplicate instead of a second job."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coordinator.cases.models import Case, CaseLink
from coordinator.extensions import db
from tests.browser.conftest import sign_in
from tests.browser.test_case_journey import in_thumb_reach, no_english

pytestmark = pytest.mark.browser

STAFF = "13800000002"  # 王伟, duty officer of 红联北村社区


def fill_place(page):
    page.select_option("#category", "drain")
    page.select_option("#compound_id", label="红联北村")
    expect(page.locator("#building_id option", has_text="3号楼")).to_have_count(1)
    page.select_option("#building_id", label="3号楼")


def test_staff_joins_a_second_call_to_the_first(page, new_context, live_app, story, shot):
    sign_in(page, STAFF)
    page.goto("/cases/new")
    fill_place(page)
    page.fill("#reporter_name", "刘先生")
    page.fill("#reporter_phone", "139 0000 1111")
    page.fill("#description", "厨房下水道反水")
    page.locator("form.stack button[type=submit].primary").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    first = int(page.url.rsplit("/", 1)[1])

    # The neighbour's call: the panel fills in as the place is chosen and the words typed.
    page.goto("/cases/new")
    fill_place(page)
    page.fill("#reporter_name", "赵女士")
    page.fill("#reporter_phone", "139 0000 2222")
    page.locator("#description").press_sequentially("下水道堵了反味")
    card = page.locator(f"#similar #similar-{first}")
    expect(card).to_be_visible()
    expect(card).to_contain_text("同一楼栋、同一类别")
    expect(card).to_contain_text("描述相似")
    expect(card).to_contain_text("红联北村 3号楼")
    button = card.locator(f"button[value='duplicate_of:{first}']")
    in_thumb_reach(page, f"#similar-{first} button[value='duplicate_of:{first}']", wide=True)
    card.scroll_into_view_if_needed()
    shot(page, "s01-intake-similar")
    no_english(page)
    # Nothing scrolls sideways at 390 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    button.click()
    page.wait_for_url(f"**/cases/{first}")
    expect(page.locator(".flash, [role=status], main").first).to_contain_text("不再单独派单")
    with live_app.app_context():
        joined = db.session.scalar(select(Case).where(Case.reporter_name == "赵女士"))
        link = db.session.scalar(select(CaseLink).where(CaseLink.case_id == joined.id))
        token = joined.tracking_token
        assert joined.status == "void" and link.other_id == first and link.kind == "duplicate_of"
        db.session.remove()
    expect(page.locator("main")).to_contain_text(f"#{joined.id}")
    shot(page, "s02-original-lists-duplicate")
    no_english(page)

    # The neighbour's own link follows the first case, with nobody else's details.
    page.goto(f"/track/{token}")
    expect(page.locator("#followed")).to_be_visible()
    main = page.locator("main").inner_text()
    assert "刘先生" not in main and "13900001111" not in main and "厨房下水道反水" not in main
    shot(page, "s03-duplicate-tracking")
    no_english(page)

    # A third neighbour on /report, no account: "already reported here", and follows it.
    resident = new_context().new_page()
    resident.goto("/report")
    resident.select_option("#category", "drain")
    resident.select_option("#community_id", label="红联北村社区")
    expect(
        resident.locator("#compound_id option", has_text=re.compile("^红联北村$"))
    ).to_have_count(1)
    fill_place(resident)
    follow = resident.locator(f"#already button[name=follows][value='{first}']")
    expect(follow).to_be_visible()
    panel = resident.locator("#already").inner_text()
    assert "已受理，等待派单" in panel and "红联北村 3号楼" in panel
    assert "刘先生" not in panel and "厨房下水道反水" not in panel and f"#{first}" not in panel
    resident.fill("#description", "楼里下水道反味")
    resident.fill("#reporter_name", "孙大爷")
    resident.fill("#reporter_phone", "139 0000 3333")
    follow.scroll_into_view_if_needed()
    shot(resident, "s04-report-already-reported")
    no_english(resident)
    follow.click()
    resident.wait_for_url("**/track/**")
    expect(resident.locator("#followed")).to_be_visible()
    main = resident.locator("main").inner_text()
    assert "刘先生" not in main and "赵女士" not in main and "厨房下水道反水" not in main
    shot(resident, "s05-report-following")
    no_english(resident)
