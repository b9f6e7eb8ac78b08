"""A grid worker's patrol on a phone (390×844): 王伟 opens today's patrol, starts at 红联北村,
marks items OK with one tap each, finds a street light out, takes its photo and writes a note,
and sees the case it became, all in place (htmx) and without scrolling sideways; every target
a thumb needs is at least 44 px. Then the log and the week's coverage."""

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from coordinator.extensions import db
from coordinator.patrols import demo as patrols_demo
from tests.browser.conftest import sign_in
from tests.browser.test_case_journey import no_english

pytestmark = pytest.mark.browser

WANG = "13800000002"
SHOTS = Path("/tmp/coordinator-shots")


@pytest.fixture
def week(story):
    patrols_demo.load()
    db.session.commit()
    db.session.remove()


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 90, 110)).save(out, "JPEG")
    return out.getvalue()


def snap(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.screenshot(path=str(SHOTS / f"{name}-full.png"), full_page=True)


def no_sideways(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def small_targets(page, scope: str) -> list:
    """Visible buttons, summaries, file inputs and links in `scope` under 44 px high."""
    return page.evaluate(
        """(scope) => [...document.querySelectorAll(scope + ' button, ' + scope + ' summary, '
             + scope + ' input[type=file], ' + scope + ' a.button, ' + scope + ' .check-result a')]
           .filter(e => e.offsetParent !== null)
           .map(e => [e.textContent.trim(), e.getBoundingClientRect().height])
           .filter(([_t, h]) => h < 44)""",
        scope,
    )


def test_a_grid_worker_finds_a_problem_on_patrol(page, week):
    sign_in(page, WANG)
    expect(page.locator(".stat", has_text="今日巡查小区")).to_be_visible()
    page.locator(".bottombar a", has_text="巡查").click()
    page.wait_for_url("**/patrols")
    expect(page.locator("h1")).to_have_text("今日巡查")
    no_sideways(page)
    no_english(page)
    snap(page, "patrol-today")

    card = page.locator(".patrol-card", has=page.locator("h3", has_text=re.compile("^红联北村$")))
    page.evaluate("window.__stillHere = 'yes'")
    card.get_by_role("button", name="从这里开始").click()
    expect(card.locator(".badge-blue")).to_contain_text("起在现场")
    assert page.evaluate("window.__stillHere") == "yes"  # swapped in place, no page load
    assert small_targets(page, "#main") == []
    no_sideways(page)
    snap(page, "patrol-on-site")

    # Three items OK, one tap each.
    for name in ("消防通道畅通", "井盖", "树木和枯枝"):
        item = card.locator(".check-item", has_text=name)
        item.get_by_role("button", name="正常").click()
        expect(card.locator(".check-item.is-ok", has_text=name)).to_be_visible()

    # The street light is out: a photo and a note.
    light = card.locator(".check-item", has_text="路灯不亮、闪烁")
    light.locator("summary").click()
    # Sent without saying what is wrong: the message at the field, in place, the form open.
    light.get_by_role("button", name="记录问题（立案）").click()
    expect(light.locator("p.error")).to_have_text("请写明是什么问题。")
    expect(light.locator("textarea")).to_be_visible()
    assert page.evaluate("window.__stillHere") == "yes"
    snap(page, "patrol-problem-refused")
    light.locator("textarea").fill("5号楼北侧路灯不亮")
    light.locator("input[type=file]").set_input_files(
        {"name": "light.jpg", "mimeType": "image/jpeg", "buffer": photo()}
    )
    assert small_targets(page, "#main") == []
    no_sideways(page)
    no_english(page)
    snap(page, "patrol-problem-form")
    light.get_by_role("button", name="记录问题（立案）").click()
    done = card.locator(".check-item.is-problem", has_text="5号楼北侧路灯不亮")
    expect(done).to_be_visible()
    expect(page.locator("#flash")).to_contain_text("已立案")
    assert page.evaluate("window.__stillHere") == "yes"
    no_sideways(page)
    snap(page, "patrol-case-made")

    # The case is already filled in: patrol, the compound, the category, the photo.
    done.locator("a", has_text="案件").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    expect(page.locator("main")).to_contain_text("5号楼北侧路灯不亮")
    expect(page.locator("main")).to_contain_text("巡查")
    expect(page.locator("main img").first).to_be_visible()
    no_sideways(page)
    snap(page, "patrol-case-page")

    page.goto("/patrols")
    card.get_by_role("button", name="离开该小区").click()
    expect(card.locator(".badge-green")).to_contain_text("已巡查")
    snap(page, "patrol-left")

    page.goto("/patrols/log")
    expect(page.locator(".patrol-log li.card").first).to_contain_text("红联北村")
    no_sideways(page)
    no_english(page)
    snap(page, "patrol-log")
    page.goto("/patrols/coverage")
    expect(page.locator("tr.walked", has_text="红联北村").first).to_contain_text("王伟")
    no_sideways(page)
    no_english(page)
    snap(page, "patrol-coverage")


def test_coverage_on_a_desktop(browser, week, base_url):
    context = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 800}, locale="zh-CN"
    )
    try:
        page = context.new_page()
        sign_in(page, "13800000001")
        page.goto("/patrols/coverage")
        expect(page.locator("tr.nobody").first).to_be_visible()
        no_sideways(page)
        snap(page, "patrol-coverage-desktop")
        page.goto("/patrols")
        snap(page, "patrol-admin-desktop")
    finally:
        context.close()
