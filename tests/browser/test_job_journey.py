"""Issue 12, field workers and team leads, in a real browser on a phone (390×844): the lead
gives a job to 赵师傅, who opens it in "my jobs", accepts, is on his way, arrives, presses
"done" without the photo (and lands at the error, with and without JavaScript), adds it and
is done. Every page fits the phone; every screen photographed."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coordinator.auth.models import User
from coordinator.cases import services
from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.places.models import Compound
from coordinator.teams.models import Team
from tests.browser.conftest import PHONE, assert_fits_phone, sign_in
from tests.browser.test_case_journey import no_english, small_jpeg

pytestmark = pytest.mark.browser

LEAD, ZHAO = "13800000005", "13800000006"  # 张建国, 赵师傅 of 北京首华物业管理有限公司


def dispatched_case(app) -> int:
    """Ms Li's drain, logged and sent to 首华 by 王伟 (the intake is test_case_journey's)."""
    with app.app_context():
        wang = db.session.scalar(select(User).where(User.phone == "13800000002"))
        compound = db.session.scalar(select(Compound).where(Compound.name == "红联北村"))
        team = db.session.scalar(select(Team).where(Team.name == "北京首华物业管理有限公司"))
        case = services.open_case(
            wang,
            {
                "channel": "phone",
                "category": "drain",
                "tier": "utilities",
                "community_id": compound.community_id,
                "compound_id": compound.id,
                "reporter_name": "李阿姨",
                "reporter_phone": "13912345678",
                "description": "厨房下水道往上反水，老人腿脚不便。",
            },
        )
        services.dispatch(wang, case, team.id)
        case_id = case.id
        db.session.remove()
    return case_id


def in_view(page, selector: str) -> None:
    """The element is on the screen, clear of the top and bottom bars."""
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    assert 40 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"] - 60, box


def step(page, label: str) -> None:
    page.locator("#steps button.primary", has_text=label).click()
    expect(page.locator(".flash-success")).to_contain_text(label)


def test_lead_assigns_and_zhao_does_the_job(page, new_context, live_app, story, shot, tmp_path):
    case_id = dispatched_case(live_app)

    # 1. 张建国, the lead, sees the new job and who has it, and gives it to 赵师傅.
    sign_in(page, LEAD)
    page.goto("/jobs")
    expect(page.locator("main")).to_contain_text("全队（尚未指派）")
    assert_fits_phone(page)
    shot(page, "j01-lead-jobs")
    page.locator(f"a[href='/jobs/{case_id}']").click()
    expect(page.locator("#deadline")).to_contain_text("接单后 24 小时内完成")
    page.select_option("#member_id", label="赵师傅")
    assert_fits_phone(page)
    no_english(page)
    shot(page, "j02-lead-assigns")
    page.locator("#assign button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("已派给赵师傅")
    expect(page.locator("#assignee")).to_have_text("赵师傅")
    expect(page.locator("ol.timeline")).to_contain_text("指派队员")
    page.goto("/jobs")
    expect(page.locator("main li", has_text=f"#{case_id}")).to_contain_text("赵师傅")

    # 2. 赵师傅 finds it at the top of his jobs.
    zhao = new_context().new_page()
    sign_in(zhao, ZHAO)
    zhao.goto("/jobs")
    expect(zhao.locator("main li.card").first).to_contain_text(f"#{case_id}")
    assert_fits_phone(zhao)
    shot(zhao, "j03-zhao-jobs")
    zhao.locator(f"a[href='/jobs/{case_id}']").click()
    expect(zhao.locator("#steps button.primary")).to_have_count(1)
    assert_fits_phone(zhao)
    no_english(zhao)
    shot(zhao, "j04-offered")

    # 3. Accept, on my way, arrived: one big button each time, the deadline stays put.
    step(zhao, "接单")
    deadline = zhao.locator("#deadline").inner_text()
    assert re.search(r"\d+年\d+月\d+日 \d\d:\d\d 前完成", deadline), deadline
    assert_fits_phone(zhao)
    shot(zhao, "j05-accepted")
    step(zhao, "出发")
    assert zhao.locator("#deadline").inner_text().split(" · ")[0] == deadline.split(" · ")[0]
    expect(zhao.locator("#steps button.primary")).to_have_text("已到达")
    assert_fits_phone(zhao)
    shot(zhao, "j06-on-the-way")
    step(zhao, "已到达")
    expect(zhao.locator("#steps button.primary")).to_have_count(0)
    zhao.locator("details.more summary").click()
    expect(zhao.locator("details.more button", has_text="申请延期")).to_be_visible()
    assert_fits_phone(zhao)
    shot(zhao, "j07-arrived")
    zhao.locator("details.more summary").click()

    # 4. "Done" without the photo: the page comes back at the photo, focused.
    zhao.fill("#root_cause", "头发、湿巾堵塞主管道")
    zhao.locator("#done button[type=submit]").click()
    expect(zhao.locator("#field-after_photo .error")).to_have_text("请拍一张完工照片。")
    expect(zhao.locator("#after_photo")).to_be_focused()
    in_view(zhao, "#field-after_photo .photo-pick")
    expect(zhao.locator("#root_cause")).to_have_value("头发、湿巾堵塞主管道")
    assert_fits_phone(zhao)
    shot(zhao, "j08-done-without-photo")

    # 5. The photo, with its preview, and done.
    zhao.set_input_files("#after_photo", str(small_jpeg(tmp_path / "after.jpg")))
    expect(zhao.locator("#field-after_photo img.preview")).to_be_visible()
    zhao.locator("#field-after_photo").scroll_into_view_if_needed()
    shot(zhao, "j09-photo-chosen")
    zhao.locator("#done button[type=submit]").click()
    zhao.wait_for_url("**/jobs")
    expect(zhao.locator(".flash-success")).to_be_visible()
    assert_fits_phone(zhao)
    shot(zhao, "j10-done")
    with live_app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == "handled"
        assert [e.actor_name for e in case.events if e.action in ("accept", "handle")] == [
            "赵师傅",
            "赵师傅",
        ]
        db.session.remove()


def test_without_javascript_the_error_is_where_the_eye_is(browser, base_url, live_app, story, shot):
    case_id = dispatched_case(live_app)
    context = browser.new_context(base_url=base_url, java_script_enabled=False, **PHONE)
    page = context.new_page()
    sign_in(page, ZHAO)
    for label in ("接单", "出发", "已到达"):
        page.goto(f"/jobs/{case_id}")
        page.locator("#steps button.primary", has_text=label).click()
    page.goto(f"/jobs/{case_id}")
    # Without JS every photo slot shows as a plain, big file input.
    assert page.locator("#visit input[type=file]").count() == 3
    assert_fits_phone(page)
    page.fill("#root_cause", "头发")
    page.locator("#done button[type=submit]").click()
    expect(page.locator("#field-after_photo .error")).to_be_visible()
    expect(page.locator("#after_photo")).to_be_focused()
    in_view(page, "#field-after_photo .photo-pick")
    assert_fits_phone(page)
    shot(page, "j11-no-js-error")
    context.close()
