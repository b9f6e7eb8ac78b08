"""A wind warning in a real browser: 王伟 pastes the Meteorological Service's text, checks the
fields it filled (live, by htmx), saves; the warning's page lists the tree checks its plan made
in the compounds with many trees, and the board marks them with the warning's badge. At 390 px
nothing scrolls sideways."""

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coordinator.auth.models import User
from coordinator.cases.demo import TREES
from coordinator.extensions import db
from coordinator.i18n import to_local, utcnow
from coordinator.teams.models import Team
from coordinator.warnings import demo as warnings_demo
from tests.browser.conftest import DESKTOP, sign_in

pytestmark = pytest.mark.browser

WANG = "13800000002"
COPIES = Path("/tmp/coordinator-shots")


@pytest.fixture
def tree_plan(story):
    admin = db.session.scalar(select(User).where(User.role == "admin"))
    team = db.session.scalar(select(Team).where(Team.name == TREES))
    warnings_demo._tree_plan(admin, team)
    warnings_demo._room_for(team)
    db.session.commit()
    db.session.remove()


def wind_text() -> tuple[str, str]:
    """The text as published, for tomorrow 14:00 to the day after 20:00 (Beijing)."""
    today = to_local(utcnow())
    start, end = today + timedelta(days=1), today + timedelta(days=2)
    text = (
        f"北京市气象台{today:%Y}年{today.month}月{today.day}日{today.hour}时00分发布大风黄色预警信号："
        f"预计{start.day}日14时至{end.day}日20时，本市大部分地区将出现5级左右偏北风，阵风可达8级。"
    )
    return text, f"{start:%Y-%m-%d}T14:00"


def journey(page, shot, name: str) -> None:
    def snap(label):
        path = shot(page, f"warning-{name}-{label}")
        COPIES.mkdir(exist_ok=True)
        shutil.copy(path, COPIES / path.name)
        full = path.with_name(path.stem + "-full.png")
        shutil.copy(full, COPIES / full.name)

    def no_sideways():
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], width

    sign_in(page, WANG)
    page.goto("/warnings")
    page.get_by_role("link", name="＋ 登记预警").click()
    expect(page.locator("h1")).to_have_text("登记气象预警")
    # The link is boosted: htmx sets up the new page's own htmx attributes once the swap has
    # settled (a person does not paste within those milliseconds; the test could).
    page.wait_for_function(
        "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    text, start = wind_text()
    page.fill("textarea[name=text]", text)
    # htmx reads it as it is pasted: the fields fill in for checking.
    expect(page.locator("#read-note")).to_contain_text("已从原文读出")
    expect(page.locator("select[name=kind]")).to_have_value("wind")
    expect(page.locator("input[name=level][value=yellow]")).to_be_checked()
    expect(page.locator("input[name=valid_from]")).to_have_value(start)
    expect(page.locator("input[name=area]")).to_have_value("本市大部分地区")
    no_sideways()
    snap("form")
    page.get_by_role("button", name="保存预警").click()
    page.wait_for_url(re.compile(r"/warnings/\d+$"))
    expect(page.locator("h1")).to_contain_text("大风黄色预警")
    run = page.locator("section.run").first
    expect(run).to_contain_text("大风前树木枯枝隐患检查")
    # Five compounds with many trees got one; 王伟 sees those of his community.
    expect(run).to_contain_text("已生成 5 项工作")
    expect(run.locator("table.run-targets tbody tr")).to_have_count(2)
    for compound in ("红联北村", "红联北村平房区"):
        expect(run).to_contain_text(compound)
    expect(page.locator("#wechat-text")).to_contain_text("【大风黄色预警】")
    expect(page.locator("#wechat-text")).to_contain_text("010-62010001")
    no_sideways()
    snap("page")
    # The board: the checks of 王伟's community, each with the warning's badge.
    page.goto("/cases?channel=plan&status=all")
    badges = page.locator("table.cases .warning-badge")
    expect(badges.first).to_have_text("大风黄色预警")
    assert badges.count() >= 2  # 红联北村 and its bungalow area
    no_sideways()
    snap("board")
    # The case page says whose warning it answers.
    page.locator("table.cases a.title").first.click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    expect(page.locator(".warning-badge")).to_have_text("大风黄色预警")
    # The list: the warning in force or ahead stands out.
    page.goto("/warnings")
    expect(page.locator("li.warning-row.current")).to_have_count(1)
    no_sideways()
    snap("list")


def test_staff_records_a_wind_warning_on_a_desktop(browser, tree_plan, shot, base_url):
    context = browser.new_context(base_url=base_url, **DESKTOP)
    try:
        journey(context.new_page(), shot, "desktop")
    finally:
        context.close()


def test_staff_records_a_wind_warning_on_a_phone(page, tree_plan, shot):
    journey(page, shot, "phone")
