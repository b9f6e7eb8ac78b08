"""Issue 2's journey in a real browser: staff find a team by typing, open it, switch language."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, sign_in

pytestmark = pytest.mark.browser

STAFF = "13800000002"  # 王伟, community staff of 红联北村社区
TEAM = "北京首华物业管理有限公司"
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_staff_finds_a_team_by_typing_and_switches_to_english(page, story, shot):
    sign_in(page, STAFF)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator(".lang-switch button")).to_have_text("English")
    shot(page, "01-home-zh")

    # Teams sit behind the bar's "more" (four places and "more" fit a 390 px phone).
    page.locator("nav.bottombar .nav-more summary").click()
    page.locator("nav.bottombar .nav-more-panel a[href='/teams/']").click()
    page.wait_for_url(re.compile(r"/teams/$"))
    cards = page.locator("#team-list tbody tr")
    expect(cards.filter(has_text="红联北村能工巧匠服务队")).to_have_count(1)
    before = cards.count()
    assert before > 1
    shot(page, "02-teams-zh", bottom=True)

    # A marker on window survives only if typing does not load a new page.
    page.evaluate("window.__stillHere = 'yes'")
    page.locator("#q").press_sequentially("首华", delay=50)
    page.wait_for_url(re.compile(r"/teams/\?.*q=%E9%A6%96%E5%8D%8E"))
    expect(cards).to_have_count(1)
    expect(cards.first.locator("a.title")).to_have_text(TEAM)
    assert page.evaluate("window.__stillHere") == "yes"
    expect(page.locator("#q")).to_have_value("首华")
    shot(page, "03-teams-search-zh")

    cards.first.locator("a.title").click()
    expect(page.locator("h1")).to_have_text(TEAM)
    expect(page.locator("#members")).to_contain_text("张建国")
    shot(page, "04-team-zh", bottom=True)

    page.locator(".lang-switch button").click()
    expect(page.locator(".lang-switch button")).to_have_text("中文")
    expect(page.locator("h1")).to_have_text(TEAM)  # still on the team's page
    main = page.locator("main")
    for words in ("Service teams", "Jobs at once", "Skills", "Members", "Property management firm"):
        expect(main).to_contain_text(words)
    expect(page.locator("nav.bottombar")).to_contain_text("Teams")
    shot(page, "05-team-en")

    # Back on the list in English, the search still narrows without a page load.
    page.locator("nav.bottombar .nav-more summary").click()
    page.locator("nav.bottombar .nav-more-panel a[href='/teams/']").click()
    page.wait_for_url(re.compile(r"/teams/$"))
    expect(page.locator("main h1")).to_have_text("Service teams")
    page.evaluate("window.__stillHere = 'yes'")  # switching language was a full page load
    page.locator("#q").press_sequentially("drain", delay=30)
    page.wait_for_url(re.compile(r"q=drain"))
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Drains and sewage")
    assert page.evaluate("window.__stillHere") == "yes"
    shot(page, "06-teams-search-en")


def test_chinese_screens_show_chinese_words(page, story):
    """Chinese is the default: the chrome of a signed-in page reads in Chinese."""
    sign_in(page, STAFF)
    page.goto("/teams/")
    page.locator("nav.bottombar .nav-more summary").click()
    for selector in (
        "main h1",
        "label[for=q]",
        "nav.bottombar .nav-more-panel a[href='/teams/']",
        "nav.bottombar a[href='/home']",
    ):
        text = page.locator(selector).inner_text()
        assert CJK.search(text), f"{selector} reads {text!r} in the Chinese interface"


def test_switching_language_updates_the_document_language(page, story):
    """<html lang> picks the font for Chinese glyphs and the voice of a screen reader."""
    sign_in(page, STAFF)
    page.goto("/teams/")
    page.locator(".lang-switch button").click()
    expect(page.locator(".lang-switch button")).to_have_text("中文")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator(".lang-switch button").click()
    expect(page.locator(".lang-switch button")).to_have_text("English")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_team_pages_on_a_desktop(browser, base_url, story, shot):
    context = browser.new_context(base_url=base_url, **DESKTOP)
    try:
        page = context.new_page()
        sign_in(page, STAFF)
        page.goto("/teams/")
        expect(page.locator("#team-list tbody tr").first).to_be_visible()
        shot(page, "07-teams-desktop")
        page.locator("#team-list a.title", has_text=TEAM).click()
        expect(page.locator("h1")).to_have_text(TEAM)
        shot(page, "08-team-desktop")
    finally:
        context.close()


def test_without_javascript_search_is_a_form_submit(new_context, story, shot):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, STAFF)
    page.goto("/teams/")
    search = page.locator("form.filters button[type=submit]")
    expect(search).to_be_visible()  # the <noscript> button
    page.fill("#q", "首华")
    search.click()
    page.wait_for_url(re.compile(r"/teams/\?.*q=%E9%A6%96%E5%8D%8E"))
    cards = page.locator("#team-list tbody tr")
    expect(cards).to_have_count(1)
    expect(cards.first.locator("a.title")).to_have_text(TEAM)
    shot(page, "09-teams-search-nojs")
    cards.first.locator("a.title").click()
    expect(page.locator("h1")).to_have_text(TEAM)
    page.locator(".lang-switch button").click()
    expect(page.locator("main")).to_contain_text("Members")
    expect(page.locator(".lang-switch button")).to_have_text("中文")
    shot(page, "10-team-en-nojs")


def test_not_found_page(page, story, shot):
    sign_in(page, STAFF)
    response = page.goto("/teams/999999")
    assert response.status == 404
    expect(page.locator(".error-page .code")).to_have_text("404")
    expect(page.locator(".error-page a.button")).to_be_visible()
    expect(page.locator("nav.bottombar")).to_be_visible()
    shot(page, "11-404-zh")
    response = page.goto("/no-such-page")
    assert response.status == 404
    shot(page, "12-404-unknown-url")
