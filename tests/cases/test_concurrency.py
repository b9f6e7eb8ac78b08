"""Races over real HTTP (tests/live.py): many people pressing one button of one case at once.

Every status change of a case is a conditional write on the version it was read in, so of
n presses exactly one moves the case; the others get a 409 that says who got there first and
when, and add nothing (no event, no text). Run on SQLite and on PostgreSQL (TEST_DATABASE_URL).
"""

import calendar
import io
import re
import secrets
import uuid
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from coordinator.auth.models import User
from coordinator.cases import job_links, queries, services, workflow
from coordinator.cases.models import Callback, Case, CaseEvent, Visit
from coordinator.extensions import db
from coordinator.notifications.models import OutboxMessage
from coordinator.rules import Refused

PRESSES = 6
BEIJING = timedelta(hours=8)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def beijing(at) -> str:
    """A UTC time as the pages write it in English: Beijing local time."""
    t = at + BEIJING
    return f"{t.day} {calendar.month_abbr[t.month]} {t.year} {t.hour:02d}:{t.minute:02d}"


def assert_trail_equals_state(case_id: int) -> Case:
    """Each step starts where the one before ended, and the last ends where the case is."""
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    events = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    ).all()
    at = None
    for event in events:
        assert event.from_status == at, [(e.action, e.from_status, e.to_status) for e in events]
        at = event.to_status
    assert at == case.status
    sends = [e for e in events if e.action in (*workflow.SENDS, "recall")]
    if sends:
        assert (None if sends[-1].action == "recall" else sends[-1].team_id) == case.team_id
    return case


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def multipart(fields: dict, files: dict) -> tuple[bytes, dict]:
    """A multipart/form-data body and its Content-Type, for the forms with a photo."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (filename, data) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


class Press:
    """How each role presses each step, over HTTP. button() reads everything it needs from
    the database first: the burst's threads only send requests."""

    def __init__(self, live, world):
        self.live, self.world = live, world
        self.cookies = {}

    def cookie(self, who):
        if who not in self.cookies:
            self.cookies[who] = self.live.login(getattr(self.world, who).phone)
        return self.cookies[who]

    def button(self, case, action, who, note="因为这样"):
        """A function of nothing that presses `action` on `case` as `who`."""
        live, team_id = self.live, self.world.team.id
        url = {
            "staff": f"/cases/{case.id}",
            "lead": f"/jobs/{case.id}",
            "worker": f"/jobs/{case.id}",
            "resident": f"/track/{case.tracking_token}",
        }[who]
        cookie = self.cookie(who) if who != "resident" else None
        answers = {"contacted": "yes", "solved": "yes", "note": note}
        if action == "dispatch":
            return lambda: live.post(f"{url}/dispatch", {"team_id": team_id}, cookie=cookie)
        if action == "recall":
            return lambda: live.post(f"{url}/recall", {"recall-note": note}, cookie=cookie)
        if action == "reassign":
            other = self.world.other_team.id  # read before the burst's threads
            return lambda: live.post(f"{url}/reassign", {"reassign-team_id": other}, cookie=cookie)
        if action in ("close", "reopen"):
            answers["satisfaction"] = "satisfied" if action == "close" else "not"
            path = url if who == "resident" else f"{url}/callback"
            return lambda: live.post(path, answers, cookie=cookie)
        if action == "handle":
            body, headers = multipart(
                {"root_cause": "头发", "note": note}, {"after_photo": ("after.jpg", jpeg())}
            )
            return lambda: live.post(f"{url}/done", body, cookie=cookie, headers=headers)
        if action == "arrive":
            return lambda: live.post(f"{url}/visit", {"found": "到了"}, cookie=cookie)
        return lambda: live.post(f"{url}/act/{action}", {"note": note}, cookie=cookie)

    def burst(self, n, *buttons):
        """n presses at the same instant, going round the buttons."""
        return self.live.burst(n, lambda i: buttons[i % len(buttons)]())


@pytest.fixture
def press(live, world):
    return Press(live, world)


# Every move of the workflow's table (a self-loop moves nothing, so it has no race to lose),
# pressed by the role the page offers it to; the texts it sends.
MOVES = [
    ("received", "void", "staff", {}),
    ("received", "dispatch", "staff", {"case_dispatched": 1}),
    ("dispatched", "recall", "staff", {"case_withdrawn": 1}),
    ("dispatched", "accept", "lead", {}),
    ("dispatched", "return", "lead", {}),
    ("returned", "dispatch", "staff", {"case_dispatched": 1}),
    ("returned", "void", "staff", {}),
    ("accepted", "start", "worker", {}),
    ("accepted", "arrive", "worker", {}),
    ("in_progress", "extend", "worker", {}),
    ("in_progress", "park", "staff", {}),
    ("extended", "resume", "worker", {}),
    ("parked", "resume", "staff", {}),
    ("in_progress", "handle", "worker", {}),
    ("extended", "handle", "worker", {}),
    ("handled", "verify_pass", "staff", {"case_callback": 1}),
    ("handled", "verify_fail", "staff", {}),
    ("verified", "await_callback", "staff", {}),
    ("verified", "close", "staff", {}),
    ("verified", "reopen", "staff", {}),
    ("callback", "close", "resident", {}),
    ("callback", "reopen", "staff", {}),
    ("reopened", "dispatch", "staff", {"case_dispatched": 1}),
    ("reopened", "start", "worker", {}),
]


def test_every_move_of_the_table_is_raced_here():
    # settle_by_event is no one's button: it runs inside an event's finish, whose versioned
    # write is raced in tests/events (campaigns/services.py: event_moved).
    moves = {
        (src, action)
        for (src, action), rule in workflow.TABLE.items()
        if src != rule.to and action != "settle_by_event"
    }
    assert moves == {(src, action) for src, action, _who, _texts in MOVES}


@pytest.mark.parametrize(
    "status,action,who,texts", MOVES, ids=[f"{s}-{a}" for s, a, _w, _t in MOVES]
)
def test_many_presses_at_once_move_the_case_once(world, press, status, action, who, texts):
    case = world.case(status)
    events_before = count(CaseEvent, CaseEvent.case_id == case.id, CaseEvent.action == action)
    answers = press.burst(PRESSES, press.button(case, action, who))
    statuses = sorted(a.status for a in answers)
    if action == "arrive":
        # The first visit note moves the case; notes that come after it are visits of a job
        # in progress (no move, nothing to lose): each is kept. Only those that raced the
        # first one lose.
        assert statuses[0] == 302 and set(statuses) <= {302, 409}, statuses
        assert count(Visit, Visit.case_id == case.id) == statuses.count(302)
    else:
        assert statuses == [302] + [409] * (PRESSES - 1), statuses
    moved = [
        e
        for e in db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == action)
        )
    ]
    assert len(moved) - events_before == 1
    case = assert_trail_equals_state(case.id)
    assert case.status == workflow.TABLE[(status, action)].to or action == "verify_pass"
    for kind in ("case_dispatched", "case_callback", "case_withdrawn"):
        assert count(OutboxMessage, OutboxMessage.kind == kind) == texts.get(kind, 0), kind
    if action in ("close", "reopen"):
        assert count(Callback, Callback.case_id == case.id) == 1
    # Each loser is told who won and when, in Beijing time as every page writes times.
    winner = max(moved, key=lambda e: e.id)
    said = f"by {winner.actor_name} at {beijing(winner.at)}"
    for answer in answers:
        if answer.status == 409:
            assert said in answer.text.replace("&#39;", "'"), answer.text[:2000]


def test_six_dispatches_at_once_send_one_text(world, press):
    """The issue's case: six presses gave six 'dispatched' events and texted the lead three
    times."""
    case = world.case("received")
    answers = press.burst(6, press.button(case, "dispatch", "staff"))
    assert sorted(a.status for a in answers) == [302] + [409] * 5
    assert count(CaseEvent, CaseEvent.action == "dispatch") == 1
    texts = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.kind, m.recipient) for m in texts] == [("case_dispatched", world.lead.phone)]
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.action == "dispatch"))
    lost = next(a for a in answers if a.status == 409).text
    assert f"Already dispatched by 王伟 at {beijing(event.at)}." in lost
    assert_trail_equals_state(case.id)


def test_two_teams_at_once_one_case_one_team(world, live, make, other_lead):
    """Two dispatchers choosing two teams at the same moment: the case goes to one, and only
    that team's lead hears of it."""
    second = make.user("staff", community_=world.community, name="陈静")
    make.commit()
    case = world.case("received")
    url = f"/cases/{case.id}/dispatch"
    staff = [live.login(world.staff.phone), live.login(second.phone)]
    teams = [world.team.id, world.other_team.id]
    answers = live.burst(
        6, lambda i: live.post(url, {"team_id": teams[i % 2]}, cookie=staff[i % 2])
    )
    assert sorted(a.status for a in answers) == [302] + [409] * 5
    case = assert_trail_equals_state(case.id)
    texts = db.session.scalars(select(OutboxMessage)).all()
    lead = world.lead if case.team_id == world.team.id else other_lead
    assert [m.recipient for m in texts] == [lead.phone]


def test_verified_pressed_eight_times_texts_the_resident_once(world, press):
    case = world.case("handled")
    answers = press.burst(8, press.button(case, "verify_pass", "staff"))
    assert sorted(a.status for a in answers) == [302] + [409] * 7
    texts = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.kind, m.recipient) for m in texts] == [("case_callback", "13912345678")]
    case = assert_trail_equals_state(case.id)
    assert case.status == "callback"
    assert all("Already verified on site by 王伟 at" in a.text for a in answers if a.status == 409)


def test_accept_and_return_at_the_same_moment(world, press):
    """Both succeeded before, and the trail said returned while the case was accepted."""
    for _round in range(3):
        case = world.case("dispatched")
        answers = press.burst(
            2,
            press.button(case, "accept", "lead"),
            press.button(case, "return", "worker", "不归我们"),
        )
        assert sorted(a.status for a in answers) == [302, 409]
        case = assert_trail_equals_state(case.id)
        won = "accept" if case.status == "accepted" else "return"
        assert case.status in ("accepted", "returned")
        assert (
            count(
                CaseEvent, CaseEvent.case_id == case.id, CaseEvent.action.in_(["accept", "return"])
            )
            == 1
        )
        lost = next(a for a in answers if a.status == 409).text
        assert f"{workflow.DONE[won]} by" in lost


def test_call_back_answered_at_once_by_office_and_resident(world, press):
    case = world.case("callback")
    answers = press.burst(
        6, press.button(case, "close", "resident"), press.button(case, "reopen", "staff")
    )
    assert sorted(a.status for a in answers) == [302] + [409] * 5
    assert count(Callback) == 1
    case = assert_trail_equals_state(case.id)
    assert case.status in ("closed", "reopened")


def test_job_link_presses_race_like_signed_in_ones(world, live):
    case = world.case("dispatched")
    url = f"/j/{job_links.job_link_token(case)}/act/accept"
    answers = live.burst(5, lambda i: live.post(url, {}))
    assert sorted(a.status for a in answers) == [302] + [409] * 4
    assert count(CaseEvent, CaseEvent.action == "accept") == 1
    assert_trail_equals_state(case.id)


def test_six_assignments_at_once_give_the_job_to_one_member(world, live):
    """A lead's double taps, or two leads' pages, at once: the job goes to one member, the
    trail has one line, that member one text; the others hear who assigned it."""
    from coordinator.teams.models import TeamMember

    members = [
        TeamMember(team_id=world.team.id, name=f"师傅{i}", phone=f"1390000002{i}") for i in range(2)
    ]
    db.session.add_all(members)
    db.session.commit()
    ids = [m.id for m in members]
    case = world.case("dispatched")
    cookie = live.login(world.lead.phone)
    url, seen = f"/jobs/{case.id}/assign", str(case.version)
    answers = live.burst(
        6, lambda i: live.post(url, {"member_id": ids[i % 2], "seen": seen}, cookie=cookie)
    )
    assert sorted(a.status for a in answers) == [302] + [409] * 5
    assert count(CaseEvent, CaseEvent.action == "assign") == 1
    assert count(OutboxMessage, OutboxMessage.kind == "case_assigned") == 1
    db.session.expire_all()
    assert db.session.get(Case, case.id).assignee_id in ids
    lost = next(a for a in answers if a.status == 409).text
    assert "Already assigned by 张建国" in lost
    assert_trail_equals_state(case.id)


# ---------------------------------------------------------------- the same form sent twice


def report_form(world, key, **kw):
    data = {
        "category": "drain",
        "community_id": world.community.id,
        "compound_id": world.compound.id,
        "building_id": world.building.id,
        "entrance_id": "",
        "floor": "1",
        "household": "101",
        "reporter_name": "李阿姨",
        "reporter_phone": "13912345678",
        "description": "厨房下水道反水",
        "submission_key": key,
    }
    data.update(kw)
    return data


def key_in(html: str) -> str:
    return re.search(r'name="submission_key" type="hidden" value="([^"]+)"', html).group(1)


def test_report_sent_six_times_at_once_makes_one_case(world, live):
    key = key_in(live.get("/report").text)
    data = report_form(world, key)
    answers = live.burst(6, lambda i: live.post("/report", data))
    assert [a.status for a in answers] == [302] * 6
    assert count(Case) == 1
    token = db.session.scalar(select(Case.tracking_token))
    assert {a.headers["location"] for a in answers} == {f"/track/{token}"}
    # The back button and submit again: the same tracking page, still one case.
    again = live.post("/report", report_form(world, key, description="再提交一次"))
    assert again.status == 302 and again.headers["location"] == f"/track/{token}"
    assert count(Case) == 1 and count(CaseEvent) == 1


def test_staff_new_case_sent_twice_at_once_makes_one_case(world, live):
    staff = live.login(world.staff.phone)
    key = key_in(live.get("/cases/new", cookie=staff).text)
    data = report_form(world, key, channel="phone", hotline_ticket="", tier="general")
    answers = live.burst(4, lambda i: live.post("/cases/new", data, cookie=staff))
    assert [a.status for a in answers] == [302] * 4
    case_id = db.session.scalar(select(Case.id))
    assert count(Case) == 1
    assert {a.headers["location"] for a in answers} == {f"/cases/{case_id}"}


def test_each_form_has_its_own_key(world, live):
    first, second = key_in(live.get("/report").text), key_in(live.get("/report").text)
    assert first != second
    live.post("/report", report_form(world, first))
    live.post("/report", report_form(world, second))
    live.post("/report", report_form(world, ""))  # a form without a key is never merged
    live.post("/report", report_form(world, "\x00' or 1=1"))  # nor with one not ours
    assert count(Case) == 4
    assert count(Case, Case.submission_key.is_(None)) == 2


def test_a_new_key_replaces_one_that_is_not_ours(world, client):
    html = client.post("/report", data=report_form(world, "<bad key>", description="")).get_data(
        as_text=True
    )
    assert "&lt;bad key&gt;" not in html and len(key_in(html)) >= 16


def test_a_kept_key_after_a_refusal_still_makes_its_case(world, client):
    """Refused (no description), corrected and sent again: the key was never used."""
    key = secrets.token_urlsafe(16)
    assert client.post("/report", data=report_form(world, key, description="")).status_code == 422
    assert (
        key_in(
            client.post("/report", data=report_form(world, key, description="")).get_data(
                as_text=True
            )
        )
        == key
    )
    assert client.post("/report", data=report_form(world, key)).status_code == 302
    assert count(Case) == 1


# ---------------------------------------------------------------- the write and the words


def test_a_step_on_a_stale_read_is_refused_and_texts_nobody(world, web_app):
    """The conditional write itself, without threads: read, someone else moves the case, then
    our step (which the status we read allows) finds the version changed."""
    case = world.case("received")
    assert case.status == "received"  # read now, at this version
    with web_app.app_context():  # another dispatcher, in a session of their own, is first
        other = db.session.get(User, world.staff.id)
        services.dispatch(other, queries.get_case(other, case.id), world.team.id)
    with pytest.raises(Refused) as lost:
        services.dispatch(world.staff, case, world.other_team.id)
    assert lost.value.status == 409
    assert "Already dispatched by 王伟 at" in str(lost.value.message)
    assert [m.recipient for m in db.session.scalars(select(OutboxMessage))] == [world.lead.phone]
    assert assert_trail_equals_state(case.id).team_id == world.team.id


def lose_a_dispatch(client, auth, world, headers=None):
    case = world.case("received")
    services.dispatch(world.admin, case, world.team.id)
    auth.login(world.staff)
    return client.post(
        f"/cases/{case.id}/dispatch", data={"team_id": world.team.id}, headers=headers or {}
    ), case


def test_the_loser_sees_the_case_as_it_is_now(client, auth, world):
    response, case = lose_a_dispatch(client, auth, world)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.action == "dispatch"))
    assert f"Already dispatched by 刘洋 at {beijing(event.at)}." in html
    assert f"<h1>{case.number}" in html and "Dispatched" in html  # the page, not an error
    assert count(OutboxMessage) == 1


def test_the_loser_hears_it_through_htmx_too(client, auth, world):
    boosted, _case = lose_a_dispatch(
        client, auth, world, {"HX-Request": "true", "HX-Boosted": "true"}
    )
    assert boosted.status_code == 409 and "Already dispatched by 刘洋" in boosted.get_data(
        as_text=True
    )
    assert "<html" in boosted.get_data(as_text=True)  # htmx swaps the whole page
    part, _case = lose_a_dispatch(client, auth, world, {"HX-Request": "true", "HX-Target": "main"})
    assert part.status_code == 409 and part.headers["HX-Retarget"] == "#flash"
    body = part.get_data(as_text=True)
    assert "Already dispatched by 刘洋" in body and "<html" not in body


def test_the_loser_hears_it_in_chinese(client, auth, world, chinese):
    response, _case = lose_a_dispatch(client, auth, world)
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.action == "dispatch"))
    t = event.at + BEIJING
    assert (
        f"刘洋已于{t.year}年{t.month}月{t.day}日 {t.hour:02d}:{t.minute:02d}派单。"
        in response.get_data(as_text=True)
    )


def test_a_different_step_hears_what_happened_instead(client, auth, world):
    case = world.case("dispatched")
    services.act(world.lead, case, "accept")
    auth.login(world.worker)
    response = client.post(f"/jobs/{case.id}/act/return", data={"note": "不归我们"})
    assert response.status_code == 409
    assert "Cannot “Return” now: accepted by 张建国 at" in response.get_data(as_text=True)
    assert "the case is now “Accepted”" in response.get_data(as_text=True)


def seen_in(html: str) -> str:
    return re.search(r'name="seen" type="hidden" value="([^"]+)"', html).group(1)


def test_send_link_pressed_at_once_texts_the_team_once(world, live):
    case = world.case("dispatched")
    staff = live.login(world.staff.phone)
    url = f"/cases/{case.id}/send-link"
    seen = seen_in(live.get(f"/cases/{case.id}", cookie=staff).text)
    form = {"phone": "13900000099", "seen": seen}
    answers = live.burst(5, lambda i: live.post(url, form, cookie=staff))
    assert sorted(a.status for a in answers) == [302] + [409] * 4
    assert count(OutboxMessage, OutboxMessage.kind == "case_link") == 1
    # The same page's button once more (a late double tap): still one text, and who sent it.
    again = live.post(url, form, cookie=staff)
    assert again.status == 409 and "Already texted to the team by 王伟 at" in again.text
    # From the page as it is now, sending again is a new, deliberate text.
    seen = seen_in(live.get(f"/cases/{case.id}", cookie=staff).text)
    assert live.post(url, {**form, "seen": seen}, cookie=staff).status == 302
    assert count(OutboxMessage, OutboxMessage.kind == "case_link") == 2
    assert_trail_equals_state(case.id)
