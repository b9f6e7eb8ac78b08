"""Issue 3's check in a real browser on a phone (390×844): Ms Li's drain from her call to her
answers on the tracking link, every step by the person who does it, every screen photographed."""

import re

import pytest
from flask_babel import force_locale
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from coordinator.cases import words, workflow
from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.notifications.models import OutboxMessage
from tests.browser.conftest import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.browser

STAFF = "13800000002"  # 王伟, duty officer of 红联北村社区
TEAM = "北京首华物业管理有限公司"
MS_LI_PHONE = "13912345678"  # made up
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"\b[A-Za-z]{4,}\b")


def small_jpeg(path):
    image = Image.new("RGB", (640, 480), (90, 140, 200))
    image.paste((240, 240, 240), (200, 150, 440, 330))
    image.save(path, "JPEG", quality=80)
    return path


def text_message(app, kind: str, case_id: int) -> str:
    """The body of the last text of this kind about the case, as the phone would receive it."""
    with app.app_context():
        body = db.session.scalar(
            select(OutboxMessage.body)
            .where(OutboxMessage.kind == kind, OutboxMessage.subject_id == case_id)
            .order_by(OutboxMessage.id.desc())
        )
        db.session.remove()
    assert body, f"no {kind} text about case {case_id}"
    return body


def path_of(url: str, prefix: str) -> str:
    return re.search(rf"({prefix}/[\w\-.]+)", url).group(1)


def no_english(page, where="main"):
    """Chinese everywhere in zh: no stray English words in the page's own text."""
    text = re.sub(r"https?://\S+", "", page.locator(where).inner_text())
    leftovers = [w for w in LATIN_WORD.findall(text) if w not in ("WeChat", "Copy")]
    assert not leftovers, f"English on a Chinese page: {leftovers}"


def in_thumb_reach(page, selector: str, wide: bool = False) -> None:
    """Big enough for a thumb: ≥ 44 × 44 px; a primary action spans the phone's width."""
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    assert box["height"] >= 44 and box["width"] >= 44, (selector, box)
    if wide:
        assert box["width"] >= 0.8 * page.viewport_size["width"], (selector, box)


def zh(label) -> str:
    with force_locale("zh"):
        return str(label)


def test_ms_lis_drain_from_call_to_rating(page, new_context, live_app, story, shot, tmp_path):
    # 1. 王伟 at the duty desk takes Ms Li's call and logs it from his phone.
    sign_in(page, STAFF)
    page.goto("/cases")
    shot(page, "c01-board-empty")
    page.locator("a.button", has_text="登记").first.click()
    page.wait_for_url("**/cases/new")
    expect(page.locator("#channel")).to_have_value("phone")
    page.select_option("#category", "drain")
    page.select_option("#tier", "utilities")
    expect(page.locator("#community_id option:checked")).to_have_text("红联北村社区")
    page.select_option("#compound_id", label="红联北村")
    expect(page.locator("#building_id option", has_text="3号楼")).to_have_count(1)
    page.select_option("#building_id", label="3号楼")
    expect(page.locator("#entrance_id option", has_text="2单元")).to_have_count(1)
    page.select_option("#entrance_id", label="2单元")
    page.fill("#floor", "1")
    page.fill("#household", "101")
    page.fill("#reporter_name", "李阿姨")
    page.fill("#reporter_phone", "139 1234 5678")
    page.fill("#description", "厨房和卫生间的下水道都堵了，水从地漏反上来。")
    shot(page, "c02-log-call")
    no_english(page)
    page.locator("form.stack button[type=submit].primary").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("h1")).to_contain_text("红联北村 3号楼 2单元")
    expect(page.locator("#phone")).to_contain_text("139****5678")
    assert MS_LI_PHONE not in page.locator("main").inner_text()
    shot(page, "c03-case-logged")
    no_english(page)

    # 2. The board shows it among the new ones.
    page.goto("/cases")
    row = page.locator(f"#section-new ~ table #case-{case_id}")
    expect(row).to_be_visible()
    expect(row).to_contain_text("红联北村 3号楼")
    shot(page, "c04-board-new", bottom=True)
    no_english(page)

    # 3. Dispatch to 首华 from the suggestions, one tap.
    row.locator("a.title").click()
    suggestion = page.locator("form.suggestion", has_text=TEAM)
    expect(suggestion).to_be_visible()
    expect(suggestion).to_contain_text("负责红联北村社区")
    shot(page, "c05-suggestions")
    in_thumb_reach(page, "form.suggestion button.primary", wide=True)
    suggestion.locator("button.primary").click()
    expect(page.locator("body")).to_contain_text(TEAM)
    expect(page.locator("main dl.facts")).to_contain_text(TEAM)
    shot(page, "c06-dispatched")

    # 4. Send the job to the field worker's phone; the text carries the signed link.
    page.locator("form[action$='/send-link'] button[type=submit]").click()
    expect(page.locator("ol.timeline")).to_contain_text(zh(workflow.NOTES["link_sent"]))
    job_path = path_of(text_message(live_app, "case_link", case_id), "/j")

    # 5. The worker opens the link on a phone, without an account.
    worker = new_context().new_page()
    worker.goto(job_path)
    expect(worker.locator("h1")).to_contain_text(f"#{case_id}")
    expect(worker.locator("#phone .masked")).to_have_text("139****5678")
    in_thumb_reach(worker, "#phone button")
    in_thumb_reach(worker, "button[formaction$='/act/accept']", wide=True)
    shot(worker, "c07-job-link")
    no_english(worker)
    worker.locator("button[formaction$='/act/accept']").click()
    expect(worker.locator("main")).to_contain_text(zh(workflow.STATUSES["accepted"][0]))
    shot(worker, "c08-accepted")

    # The call button reveals the number as a tel: link (the office sees who looked).
    worker.locator("#phone button").click()
    expect(worker.locator(f"#phone a[href='tel:{MS_LI_PHONE}']")).to_be_visible()
    in_thumb_reach(worker, f"#phone a[href='tel:{MS_LI_PHONE}']")
    shot(worker, "c09-call")

    # 6. Visit 1: the bathroom is clear, the kitchen still blocked; another visit is needed.
    worker.fill("#found", "卫生间通了，厨房仍堵")
    worker.locator("#another_needed").check()
    shot(worker, "c10-visit-1")
    worker.locator("form[action$='/visit'] button[type=submit]").click()
    expect(worker.locator("main")).to_contain_text("卫生间通了，厨房仍堵")
    shot(worker, "c11-visit-1-saved")

    # 7. Visit 2, then done with an "after" photo.
    worker.fill("#found", "厨房也通了：主立管里有头发、塑料袋、湿巾和口罩。")
    worker.locator("form[action$='/visit'] button[type=submit]").click()
    expect(worker.locator(".card", has_text="主立管")).to_be_visible()
    worker.locator("#after_photo").set_input_files(str(small_jpeg(tmp_path / "after.jpg")))
    worker.fill("#root_cause", "头发、塑料袋、湿巾、口罩")
    worker.fill("#follow_up", "定期疏通下水道")
    shot(worker, "c12-done-form")
    in_thumb_reach(worker, "form[action$='/done'] button[type=submit]", wide=True)
    worker.locator("form[action$='/done'] button[type=submit]").click()
    expect(worker.locator("body")).to_contain_text("谢谢")
    shot(worker, "c13-job-finished")
    no_english(worker)

    # 8. Staff verify on site.
    page.goto(f"/cases/{case_id}")
    expect(page.locator("main")).to_contain_text(zh(workflow.STATUSES["handled"][0]))
    expect(page.locator("ul.photos img").first).to_be_visible()
    shot(page, "c14-to-verify")
    page.locator("button[formaction$='/act/verify_pass']").click()
    expect(page.locator("main")).to_contain_text(zh(workflow.STATUSES["callback"][0]))
    shot(page, "c15-verified")

    # 9. Ms Li answers on her tracking link (the text she got, and the case page's copy box).
    track_path = path_of(text_message(live_app, "case_callback", case_id), "/track")
    expect(page.locator("#tracking-link")).to_contain_text(track_path)
    resident = new_context().new_page()
    resident.goto(track_path)
    expect(resident.locator("h1")).to_contain_text(f"#{case_id}")
    assert MS_LI_PHONE not in resident.content()
    resident.locator("input[name=contacted][value=yes]").check()
    resident.locator("input[name=solved][value=yes]").check()
    resident.locator("input[name=satisfaction][value=satisfied]").check()
    shot(resident, "c16-rating")
    no_english(resident)
    resident.locator("form.stack button[type=submit]").click()
    # The resident's page says it in their words (cases/words.py), not the office's.
    expect(resident.locator("main")).to_contain_text(zh(words.STEPS["close"]))
    shot(resident, "c17-rated")

    # 10. The case's timeline shows every step, in order.
    page.goto(f"/cases/{case_id}")
    steps = [
        zh(workflow.NOTES["opened"]),
        zh(workflow.ACTIONS["dispatch"]),
        zh(workflow.NOTES["link_sent"]),
        zh(workflow.ACTIONS["accept"]),
        zh(workflow.NOTES["reveal_phone"]),
        zh(workflow.ACTIONS["arrive"]),
        zh(workflow.NOTES["visit"]),
        zh(workflow.ACTIONS["revisit"]),
        zh(workflow.NOTES["visit"]),
        zh(workflow.ACTIONS["handle"]),
        zh(workflow.ACTIONS["verify_pass"]),
        zh(workflow.ACTIONS["await_callback"]),
        zh(workflow.ACTIONS["close"]),
        zh(workflow.NOTES["callback"]),
    ]
    seen = [t.strip() for t in page.locator("ol.timeline li > strong").all_inner_texts()]
    assert seen == steps, seen
    expect(page.locator("ol.timeline")).to_contain_text("卫生间通了，厨房仍堵")
    expect(page.locator("main")).to_contain_text("头发、塑料袋、湿巾、口罩")
    shot(page, "c18-timeline", bottom=True)
    no_english(page)
    with live_app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == workflow.CLOSED and len(case.visits) == 2
        db.session.remove()


def test_board_and_case_page_on_a_desktop(browser, base_url, story, shot, live_app):
    from coordinator.cases import demo as cases_demo

    with live_app.app_context():
        cases_demo.load()
        db.session.commit()
        db.session.remove()
    context = browser.new_context(base_url=base_url, **DESKTOP)
    try:
        page = context.new_page()
        sign_in(page, STAFF)
        page.goto("/cases")
        expect(page.locator("table.cases tbody tr").first).to_be_visible()
        shot(page, "c20-board-desktop")
        no_english(page)
        page.locator("table.cases a.title").first.click()
        expect(page.locator("ol.timeline")).to_be_visible()
        shot(page, "c21-case-desktop")
        no_english(page)
        page.goto("/cases?status=overdue")
        shot(page, "c22-board-overdue-desktop")
    finally:
        context.close()


def test_board_on_a_phone_shows_overdue_in_red(browser, base_url, story, shot, live_app):
    from datetime import timedelta

    from coordinator.cases import demo as cases_demo
    from coordinator.i18n import utcnow

    with live_app.app_context():
        cases_demo.load()
        db.session.commit()
        late = db.session.scalars(
            select(Case).where(
                Case.status.in_(workflow.ON_THE_CLOCK), Case.community.has(name="红联北村社区")
            )
        ).first()
        late.due_at = utcnow() - timedelta(hours=3)  # Three hours past its deadline.
        late_id = late.id
        db.session.commit()
        db.session.remove()
    context = browser.new_context(base_url=base_url, **PHONE)
    try:
        page = context.new_page()
        sign_in(page, STAFF)
        page.goto("/cases")
        shot(page, "c23-board-phone-demo", bottom=True)
        row = page.locator(f"#section-overdue ~ table #case-{late_id}")
        expect(row).to_be_visible()
        due = row.locator(".due.late")
        expect(due).to_contain_text("超时")
        red, green, _blue = (
            int(v) for v in re.findall(r"\d+", due.evaluate("e => getComputedStyle(e).color"))[:3]
        )
        assert red > 150 and green < 80, "overdue must read red"
        expect(row.locator(".badge").first).to_be_visible()
        no_english(page)
    finally:
        context.close()
