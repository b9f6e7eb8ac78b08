"""A resident's day on a phone (issue 12), at 390×844: 孙先生 does not know his 社区, finds his
compound at /report by typing "xtcl", reports, keeps the link (texted to him at once), signs in
and finds the report in "my reports", and rates it once it is done: every page fits the phone
and every target is big enough for a thumb."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coordinator.auth.models import User
from coordinator.cases import services
from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.notifications.models import OutboxMessage
from tests.browser.conftest import assert_fits_phone, sign_in
from tests.browser.test_case_journey import no_english
from tests.uploads.images import jpeg_with_gps, upload

pytestmark = pytest.mark.browser

SUN = "13800000008"  # 孙先生, a resident of 西土城路8号院 (the demo's)


def _handle(live_app, case_id: int) -> None:
    """The office and the team do their part: dispatched, done, checked on site."""
    with live_app.app_context():
        case = db.session.get(Case, case_id)
        staff = db.session.scalar(select(User).where(User.phone == "13800000001"))  # admin
        lead = db.session.scalar(select(User).where(User.phone == "13800000005"))
        worker = db.session.scalar(select(User).where(User.phone == "13800000006"))
        services.dispatch(staff, case, lead.team_id)
        services.act(lead, case, "accept")
        services.act(worker, case, "start")
        services.add_visit(
            worker, case, {"found": "清出三车杂物，联系了住户", "another_needed": False}
        )
        services.finish(worker, case, {"root_cause": "装修后无人清运"}, upload(jpeg_with_gps()))
        services.verify(staff, case, True)
        db.session.remove()


def test_resident_finds_the_place_reports_and_rates(page, live_app, story, shot):
    page.goto("/report")
    assert_fits_phone(page)
    page.select_option("#category", "cleaning")
    # He knows his road, not his community: pinyin initials find the compound as he types.
    page.locator("#place_query").press_sequentially("xtcl", delay=60)
    pick = page.locator("#place_found button.place-pick", has_text="西土城路8号院")
    expect(pick).to_be_visible()
    expect(pick).to_contain_text("师大北路社区")
    # Enter in the search box searches; it does not send the half-filled report.
    page.locator("#place_query").press("Enter")
    expect(page).to_have_url(re.compile(r"/report$"))
    expect(pick).to_be_visible()
    assert_fits_phone(page)
    shot(page, "r01-report-place-search")
    no_english(page)
    pick.click()
    expect(page.locator("#compound_id option:checked")).to_have_text("西土城路8号院")
    expect(page.locator("#community_id option:checked")).to_have_text("师大北路社区")
    expect(page.locator("#building_id option", has_text="2号楼")).to_have_count(1)
    expect(page.locator("#place_found")).to_be_empty()
    page.select_option("#building_id", label="2号楼")
    page.fill("#description", "2号楼楼道里堆满旧家具和纸箱，老人上下楼不方便。")
    page.fill("#reporter_name", "孙先生")
    page.fill("#reporter_phone", SUN)
    assert_fits_phone(page)
    shot(page, "r02-report-filled")
    page.locator("form.stack button[type=submit].primary").click()

    # The confirmation is the tracking page: the link to keep, texted at once.
    page.wait_for_url(re.compile(r"/track/[\w-]+$"))
    token = page.url.rsplit("/", 1)[1]
    expect(page.locator("#tracking-link")).to_have_value(re.compile(rf"/track/{token}$"))
    expect(page.locator("#flash")).to_contain_text("138****0008")
    expect(page.locator("#steps")).to_contain_text("我们已收到您的反映")
    assert_fits_phone(page)
    shot(page, "r03-tracking-link")
    no_english(page)
    with live_app.app_context():
        case = db.session.scalar(select(Case).where(Case.tracking_token == token))
        text = db.session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.kind == "case_tracking", OutboxMessage.subject_id == case.id
            )
        )
        assert text.recipient == SUN and text.body.endswith(f"/track/{token}")
        assert "师大北路社区已收到您的反映" in text.body
        case_id = case.id
        db.session.remove()

    # Signed in, his home page leads to his reports; the new one is on top.
    sign_in(page, SUN)
    assert_fits_phone(page)
    page.locator("main a", has_text="我的反映").first.click()
    page.wait_for_url("**/me/reports")
    first = page.locator(".my-reports a.report").first
    assert first.bounding_box()["height"] >= 44  # the whole card is the link
    expect(first).to_contain_text(f"#{case_id}")
    expect(first).to_contain_text("西土城路8号院 2号楼")
    assert_fits_phone(page)
    shot(page, "r04-my-reports")
    no_english(page)

    # Once it is done and checked, he rates it from there: large choices, labels beside.
    _handle(live_app, case_id)
    page.reload()
    page.locator(".my-reports a.report").first.click()
    page.wait_for_url(f"**/track/{token}")
    choice = page.locator("label.choice", has_text="基本满意")
    box = choice.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 0.8 * 390 - 60, box
    radio = choice.locator("input").bounding_box()
    assert abs((radio["y"] + radio["height"] / 2) - (box["y"] + box["height"] / 2)) < 4  # beside
    assert_fits_phone(page)
    shot(page, "r05-rating")
    no_english(page)
    page.locator("label.choice", has_text="是").first.click()
    page.locator("#field-solved label.choice", has_text="是").click()
    choice.click()
    expect(choice.locator("input")).to_be_checked()
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url(f"**/track/{token}")
    steps = page.locator("#steps")
    expect(steps).to_contain_text("已办结")
    expect(steps).to_contain_text("您的评价：基本满意")
    expect(steps).to_contain_text("第 1 次上门")
    assert "清出三车" not in steps.inner_text()  # the team's notes stay the office's
    assert_fits_phone(page)
    shot(page, "r06-rated", bottom=True)
    no_english(page)
    with live_app.app_context():
        assert db.session.get(Case, case_id).status == "closed"
        db.session.remove()
