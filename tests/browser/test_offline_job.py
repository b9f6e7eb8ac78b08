"""Issue 12's weak signal in a real browser on a phone (390×844): a field worker opens a job,
the network goes, the page still opens (the service worker kept it), the visit note with its
photo and "done" are kept on the phone as 待发送, and the signal's return sends each once.
The same through a job link (no account; its CSRF token renewed after the cookie was lost),
two tabs at once, and a submission whose answer was lost on the way back."""

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from coordinator.auth.models import User
from coordinator.cases import job_links, services
from coordinator.cases.models import Case, CaseEvent, Visit
from coordinator.extensions import db
from coordinator.places.models import Building, Compound
from coordinator.teams.models import Team
from coordinator.uploads.models import Photo
from tests.browser.conftest import assert_fits_phone, sign_in

pytestmark = pytest.mark.browser

WORKER = "13800000006"  # 赵师傅 of 北京首华物业管理有限公司
LEAD = "13800000005"  # 张建国, its lead
STAFF = "13800000002"  # 王伟 at the duty desk
TEAM = "北京首华物业管理有限公司"


def photo(tmp_path, name="visit.jpg", colour=(90, 140, 200)):
    path = tmp_path / name
    Image.new("RGB", (640, 480), colour).save(path, "JPEG", quality=80)
    return str(path)


def link_opened(new_context, live_app):
    """A new job's link opened on a phone with no account, the page kept by the worker:
    (the case's id, the link's token, its tally before, the phone's context, the page)."""
    case_id, token = team_job(live_app)
    before = tally(live_app, case_id)
    context = new_context()
    page = context.new_page()
    page.goto(f"/j/{token}")
    wait_until_kept(page)
    return case_id, token, before, context, page


def press_done(page, tmp_path, cause="头发", colour=(90, 140, 200)):
    """Fill the done form (an after photo and the root cause) and press "完工"."""
    done = page.locator("form#done")
    done.locator("input[type=file]").first.set_input_files(photo(tmp_path, "after.jpg", colour))
    done.locator("textarea[name=root_cause]").fill(cause)
    done.locator("button[type=submit]").click()


def team_job(live_app, status: str = "in_progress") -> tuple[int, str]:
    """A new drain job of the worker's team, walked to this status by the people who would
    (the duty officer dispatches, the lead accepts, the worker is on the way), and its link."""
    with live_app.app_context():
        people = {
            u.phone: u
            for u in db.session.scalars(select(User).where(User.phone.in_([STAFF, LEAD, WORKER])))
        }
        team = db.session.scalar(select(Team).where(Team.name == TEAM))
        # A building of the duty officer's community, which the team serves (Ms Li's 红联北村).
        known = db.session.scalar(
            select(Building)
            .join(Compound, Compound.id == Building.compound_id)
            .where(Compound.community_id == people[STAFF].community_id)
            .order_by(Building.id)
        )
        case = services.open_case(
            people[STAFF],
            {
                "channel": "phone",
                "category": "drain",
                "tier": "general",
                "community_id": people[STAFF].community_id,
                "compound_id": known.compound_id,
                "building_id": known.id,
                "entrance_id": None,
                "reporter_name": "李阿姨",
                "reporter_phone": "13912345678",
                "description": "厨房下水道又反水了",
            },
        )
        services.dispatch(people[STAFF], case, team.id)
        services.act(people[LEAD], case, "accept")
        if status == "in_progress":
            services.act(people[WORKER], case, "start")
        found = case.id, job_links.job_link_token(case)
        db.session.remove()
    return found


def tally(live_app, case_id: int) -> dict:
    with live_app.app_context():

        def count(model, *where):
            return db.session.scalar(select(func.count()).select_from(model).where(*where))

        numbers = {
            "visits": count(Visit, Visit.case_id == case_id),
            "visit_steps": count(
                CaseEvent, CaseEvent.case_id == case_id, CaseEvent.action == "visit"
            ),
            "done_steps": count(
                CaseEvent, CaseEvent.case_id == case_id, CaseEvent.action == "handle"
            ),
            "after_photos": count(
                Photo, Photo.owner_type == "case", Photo.owner_id == case_id, Photo.kind == "after"
            ),
            "status": db.session.scalar(select(Case.status).where(Case.id == case_id)),
        }
        db.session.remove()
    return numbers


MISSING_JS = """async () => {
  const missing = [];
  const page = await (await caches.open("job-pages-v1")).match(location.origin + location.pathname);
  if (!page) missing.push(location.pathname);
  const files = await caches.open("job-files-v1");
  for (const el of document.querySelectorAll("script[src], link[rel=stylesheet]")) {
    if (!(await files.match(el.src || el.href))) missing.push(el.src || el.href);
  }
  return missing;
}"""


def wait_until_kept(page):
    """The service worker has the page and every script and stylesheet it uses."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    missing = None
    for _ in range(200):
        missing = page.evaluate(MISSING_JS)
        if not missing:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the service worker did not keep {missing}")


def record_offline(page, tmp_path):
    """With no network: a visit note with a photo, then done with the after photo."""
    visit = page.locator("form[action$='/visit']")
    visit.locator("textarea[name=found]").fill("楼外井盖下堵了，已掏通")
    visit.locator("input[type=file]").first.set_input_files(photo(tmp_path))
    visit.locator("button[type=submit]").click()
    expect(page.locator("#pending .pending-item")).to_have_count(1)
    press_done(page, tmp_path, "头发、湿巾", (40, 160, 90))
    expect(page.locator("#pending .pending-item")).to_have_count(2)


def assert_pending_shown(page):
    items = page.locator("#pending .pending-item")
    expect(items.nth(0)).to_contain_text("待发送")
    expect(items.nth(0)).to_contain_text("上门记录")
    expect(items.nth(0)).to_contain_text("1 张照片")
    expect(items.nth(0)).to_contain_text("年")  # when it was kept, in the page's date style
    expect(items.nth(1)).to_contain_text("完工")
    expect(page.locator("#pending .pending-photos img")).to_have_count(2)
    expect(page.locator("#pending h2")).to_have_text("待发送")


def assert_sent_once(page, live_app, case_id, before):
    expect(page.locator("#pending .pending-results")).to_contain_text("已发送：上门记录。")
    expect(page.locator("#pending .pending-results")).to_contain_text("已发送：完工。")
    expect(page.locator("#pending .pending-item")).to_have_count(0)
    after = tally(live_app, case_id)
    assert after["visits"] == before["visits"] + 1
    assert after["visit_steps"] == before["visit_steps"] + 1
    assert after["done_steps"] == before["done_steps"] + 1 == 1
    assert after["after_photos"] == 1
    assert after["status"] == "handled"
    # The trail says so on the page itself (reloaded with the signal).
    expect(page.locator(".timeline")).to_contain_text("上门记录")


def test_signed_in_job_offline_then_sent_once(page, context, live_app, story, shot, tmp_path):
    case_id, _token = team_job(live_app)
    before = tally(live_app, case_id)
    sign_in(page, WORKER)
    page.goto(f"/jobs/{case_id}")
    wait_until_kept(page)
    expect(page.locator("#pending")).to_be_hidden()  # nothing kept, a signal: no panel

    context.set_offline(True)
    page.reload()  # from the service worker: there is no network
    expect(page.locator("h1")).to_contain_text(f"#{case_id}")
    expect(page.locator("#pending .offline-banner")).to_contain_text("没有信号")
    assert page.evaluate("getComputedStyle(document.body).fontFamily")  # the CSS came too
    record_offline(page, tmp_path)
    assert_pending_shown(page)
    assert tally(live_app, case_id) == before  # nothing reached the server
    assert_fits_phone(page)
    page.locator("#pending").scroll_into_view_if_needed()
    shot(page, "o01-job-offline-pending")

    context.set_offline(False)  # the "online" event sends them, in order, then reloads
    assert_sent_once(page, live_app, case_id, before)
    assert_fits_phone(page)
    shot(page, "o02-job-sent")
    # Opening the page again sends nothing more.
    page.reload()
    expect(page.locator("#pending .pending-item")).to_have_count(0)
    assert tally(live_app, case_id)["done_steps"] == 1


def test_job_link_offline_with_its_session_lost(new_context, live_app, story, shot, tmp_path):
    """The link has no account; its forms' CSRF token lives in the session cookie. The cookie
    is gone when the signal returns (the phone cleared it): the script takes a fresh token
    from the page and sends once."""
    case_id, token, before, context, page = link_opened(new_context, live_app)
    context.set_offline(True)
    page.reload()
    record_offline(page, tmp_path)
    assert_pending_shown(page)
    assert_fits_phone(page)
    page.locator("#pending").scroll_into_view_if_needed()
    shot(page, "o03-link-offline-pending")
    context.clear_cookies()
    posts = []
    page.on("response", lambda r: posts.append(r.status) if r.request.method == "POST" else None)
    context.set_offline(False)
    assert_sent_once(page, live_app, case_id, before)
    # Each kept form's token was refused with the lost session (400), renewed, sent once more.
    assert posts[0] == 400 and 2 <= posts.count(400) <= 4, posts
    shot(page, "o04-link-sent")


def test_two_tabs_send_once(context, live_app, story, tmp_path):
    case_id, _token = team_job(live_app)
    before = tally(live_app, case_id)
    first = context.new_page()
    sign_in(first, WORKER)
    first.goto(f"/jobs/{case_id}")
    wait_until_kept(first)
    second = context.new_page()
    second.goto(f"/jobs/{case_id}")
    context.set_offline(True)
    visit = first.locator("form[action$='/visit']")
    visit.locator("textarea[name=found]").fill("第二个标签页也开着")
    visit.locator("button[type=submit]").click()
    expect(first.locator("#pending .pending-item")).to_have_count(1)
    expect(second.locator("#pending .pending-item")).to_have_count(1)  # told by the first
    context.set_offline(False)  # both tabs hear "online"
    expect(first.locator("#pending .pending-item")).to_have_count(0)
    expect(second.locator("#pending .pending-item")).to_have_count(0)
    first.reload()
    second.reload()
    after = tally(live_app, case_id)
    assert after["visits"] == before["visits"] + 1
    assert after["visit_steps"] == before["visit_steps"] + 1


def test_a_lost_answer_is_sent_again_and_taken_once(page, live_app, story, tmp_path):
    """The visit reaches the server but its answer never comes back (the signal went on the
    way back): the phone keeps it with the same key, sends it again, and there is one visit."""
    case_id, _token = team_job(live_app)
    before = tally(live_app, case_id)
    sign_in(page, WORKER)
    page.goto(f"/jobs/{case_id}")
    wait_until_kept(page)

    def lose_the_answer(route):
        route.fetch()  # the server takes it…
        route.abort("internetdisconnected")  # …and the phone never hears

    page.route("**/visit", lose_the_answer)
    visit = page.locator("form[action$='/visit']")
    visit.locator("textarea[name=found]").fill("回答在路上丢了")
    visit.locator("button[type=submit]").click()
    expect(page.locator("#pending .pending-item")).to_have_count(1)
    assert tally(live_app, case_id)["visits"] == before["visits"] + 1
    page.unroute("**/visit")
    page.reload()  # opening the page sends what is kept
    expect(page.locator("#pending .pending-results")).to_contain_text("已发送：上门记录。")
    expect(page.locator("#pending .pending-item")).to_have_count(0)
    assert tally(live_app, case_id)["visits"] == before["visits"] + 1


def test_signing_out_leaves_no_job_page_on_the_phone(page, context, live_app, story):
    case_id, _token = team_job(live_app)
    sign_in(page, WORKER)
    page.goto(f"/jobs/{case_id}")
    wait_until_kept(page)
    page.locator("header form button", has_text="退出").click()
    page.wait_for_url("**/login**")
    kept = page.evaluate(
        "caches.open('job-pages-v1').then((c) => c.keys()).then((keys) => keys.length)"
    )
    assert kept == 0
    context.set_offline(True)
    with pytest.raises(Exception, match="net::ERR_"):  # the browser's own "no network"
        page.goto(f"/jobs/{case_id}")
    context.set_offline(False)


def test_a_refusal_is_said_in_words_and_not_sent_again(
    page, context, live_app, story, shot, tmp_path
):
    """While the worker had no signal, the lead marked the job done from the office's Wi-Fi:
    the kept "done" is refused (409) when it arrives, the page says why, and it is dropped."""
    case_id, _token = team_job(live_app)
    sign_in(page, WORKER)
    page.goto(f"/jobs/{case_id}")
    wait_until_kept(page)
    context.set_offline(True)
    press_done(page, tmp_path)
    expect(page.locator("#pending .pending-item")).to_have_count(1)
    with live_app.app_context():
        from tests.uploads.images import upload

        lead = db.session.scalar(select(User).where(User.phone == LEAD))
        with open(photo(tmp_path, "lead.jpg"), "rb") as f:
            services.finish(
                lead, db.session.get(Case, case_id), {"root_cause": "头发"}, upload(f.read())
            )
        db.session.remove()
    context.set_offline(False)
    said = page.locator("#pending .pending-results .flash-error")
    expect(said).to_contain_text("未能发送：完工。")
    expect(said).to_contain_text("张建国")  # who got there first
    expect(page.locator("#pending .pending-item")).to_have_count(0)
    assert_fits_phone(page)
    shot(page, "o05-job-refused")
    page.reload()
    expect(page.locator("#pending .pending-item")).to_have_count(0)
    assert tally(live_app, case_id)["done_steps"] == 1


def step_counts(live_app, case_id: int) -> dict:
    with live_app.app_context():
        rows = db.session.execute(
            select(CaseEvent.action, func.count())
            .where(CaseEvent.case_id == case_id)
            .group_by(CaseEvent.action)
        ).all()
        db.session.remove()
    return dict(rows)


def drop(page, what: str):
    """'Don't send' on the kept item saying `what`, and yes to the question."""
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    page.locator("#pending .pending-item", has_text=what).locator(".pending-drop").click()
    expect(page.locator("#pending .pending-item", has_text=what)).to_have_count(0)
    assert asked == [f"不发送“{what}”了吗？它会从这部手机上删除，不再发送。"]


def test_an_accepted_job_goes_on_offline_to_done_and_is_sent_from_another_page(
    context, live_app, story, shot, tmp_path
):
    """In a basement with no signal: "on my way" kept, the page shows "arrived"; kept, the done
    form. A step dropped ("don't send") takes back what it showed, and a dropped visit note is
    never sent. The job page is closed when the signal returns: "My jobs" sends the three, in
    order, once, and the job page says so when it opens."""
    case_id, _token = team_job(live_app, "accepted")
    jobs = context.new_page()  # "My jobs", open in another tab
    sign_in(jobs, WORKER)
    page = context.new_page()
    page.goto(f"/jobs/{case_id}")
    wait_until_kept(page)
    jobs.goto("/jobs")
    context.set_offline(True)
    page.reload()
    start = page.get_by_role("button", name="出发")
    arrive = page.get_by_role("button", name="已到达")
    done = page.locator("form#done")
    expect(arrive).to_be_hidden()
    expect(done).to_be_hidden()
    shot(page, "o06-accepted-offline")

    start.click()
    expect(arrive).to_be_visible()
    expect(start).to_be_hidden()
    expect(done).to_be_visible()  # on the way, done may be recorded (as the server offers)
    drop(page, "出发")  # changed his mind: nothing kept, the page as it was drawn
    expect(page.locator("#pending .pending-item")).to_have_count(0)
    expect(start).to_be_visible()
    expect(arrive).to_be_hidden()
    expect(done).to_be_hidden()
    start.click()
    expect(arrive).to_be_visible()
    assert_fits_phone(page)
    shot(page, "o07-started-offline")

    arrive.click()
    expect(arrive).to_be_hidden()
    expect(page.locator("#pending .pending-item")).to_have_count(2)
    # A visit note kept, then dropped: it is never sent.
    visit = page.locator("form#visit")
    visit.locator("textarea[name=found]").fill("记错了，不发")
    visit.locator("button[type=submit]").click()
    expect(page.locator("#pending .pending-item")).to_have_count(3)
    drop(page, "上门记录")
    expect(page.locator("#pending .pending-item")).to_have_count(2)
    expect(done).to_be_visible()  # "arrived" is still kept
    shot(page, "o08-arrived-offline")

    press_done(page, tmp_path, "头发、湿巾")
    items = page.locator("#pending .pending-item")
    expect(items).to_have_count(3)
    for i, what in enumerate(["出发", "已到达", "完工"]):
        expect(items.nth(i)).to_contain_text(what)
    expect(page.locator("#pending .pending-drop").first).to_have_text("不发送了")
    assert_fits_phone(page)  # the "don't send" buttons are a thumb's size
    page.locator("#pending").scroll_into_view_if_needed()
    shot(page, "o09-done-offline-pending")
    reloaded = context.new_page()  # opened again with no signal: it goes on from what is kept
    reloaded.goto(f"/jobs/{case_id}")
    expect(reloaded.get_by_role("button", name="出发")).to_be_hidden()
    expect(reloaded.get_by_role("button", name="已到达")).to_be_hidden()
    expect(reloaded.locator("form#done")).to_be_visible()
    reloaded.close()
    assert step_counts(live_app, case_id).get("start", 0) == 0

    page.close()  # no job page open: "My jobs" sends them
    context.set_offline(False)
    for _ in range(100):
        if tally(live_app, case_id)["status"] == "handled":
            break
        jobs.wait_for_timeout(100)
    counted = step_counts(live_app, case_id)
    assert (counted["start"], counted["arrive"], counted["handle"]) == (1, 1, 1), counted
    numbers = tally(live_app, case_id)
    assert numbers["after_photos"] == 1 and numbers["visits"] == 0
    assert numbers["status"] == "handled"
    jobs.goto(f"/jobs/{case_id}")  # the answer, in this tab's memory, on the job page
    results = jobs.locator("#pending .pending-results")
    for what in ["出发", "已到达", "完工"]:
        expect(results).to_contain_text(f"已发送：{what}。")
    assert_fits_phone(jobs)
    shot(jobs, "o10-sent-from-my-jobs")
    jobs.reload()
    assert step_counts(live_app, case_id) == counted  # nothing twice


def test_kept_steps_after_the_office_parked_the_job_are_refused_in_words(
    page, context, live_app, story, shot, tmp_path
):
    """On the way with no signal: "arrived" and done kept; meanwhile the office parked the job.
    When the signal returns each is refused in words, in order, and none is taken."""
    case_id, _token = team_job(live_app)
    sign_in(page, WORKER)
    page.goto(f"/jobs/{case_id}")
    wait_until_kept(page)
    context.set_offline(True)
    page.get_by_role("button", name="已到达").click()
    expect(page.get_by_role("button", name="已到达")).to_be_hidden()
    press_done(page, tmp_path)
    expect(page.locator("#pending .pending-item")).to_have_count(2)
    with live_app.app_context():
        staff = db.session.scalar(select(User).where(User.phone == STAFF))
        services.act(staff, db.session.get(Case, case_id), "park", "冬季施工")
        db.session.remove()
    context.set_offline(False)
    said = page.locator("#pending .pending-results .flash-error")
    expect(said).to_have_count(2)
    expect(said.nth(0)).to_contain_text("未能发送：已到达。")
    expect(said.nth(1)).to_contain_text("未能发送：完工。")
    expect(said.nth(0)).to_contain_text("王伟已于")  # who moved it, and when
    expect(said.nth(0)).to_contain_text("挂账")
    expect(page.locator("#pending .pending-item")).to_have_count(0)
    shot(page, "o11-parked-refused")
    counted = step_counts(live_app, case_id)
    assert "arrive" not in counted and "handle" not in counted
    assert tally(live_app, case_id)["status"] == "parked"


def test_a_job_links_items_are_sent_from_a_page_with_no_account(
    new_context, live_app, story, tmp_path
):
    """A job link's kept visit carries its link in its address: it is sent from whatever page
    of the site is open when the signal returns (here the sign-in page, no one signed in)."""
    case_id, token, before, context, page = link_opened(new_context, live_app)
    other = context.new_page()
    other.goto("/login")
    context.set_offline(True)
    visit = page.locator("form#visit")
    visit.locator("textarea[name=found]").fill("链接的上门记录")
    visit.locator("button[type=submit]").click()
    expect(page.locator("#pending .pending-item")).to_have_count(1)
    page.close()
    context.set_offline(False)
    for _ in range(100):
        if tally(live_app, case_id)["visits"] > before["visits"]:
            break
        other.wait_for_timeout(100)
    assert tally(live_app, case_id)["visits"] == before["visits"] + 1
    other.goto(f"/j/{token}")
    expect(other.locator("#pending .pending-results")).to_contain_text("已发送：上门记录。")
