"""The job page with a weak signal, the server's side: a step, a visit or "done" sent again
with its one-time key (a phone replaying what it kept offline after the first answer was lost,
two tabs, a double tap) is taken once and answered as the first was; the service worker is
served from the root. The browser's side is tests/browser/test_offline_job.py."""

import io
import re
import secrets

import pytest
from sqlalchemy import func, select

from coordinator.cases import job_links, services
from coordinator.cases.models import Case, CaseEvent, Visit
from coordinator.extensions import db
from coordinator.notifications.models import OutboxMessage
from coordinator.uploads.models import Photo
from tests.cases.test_concurrency import assert_trail_equals_state, jpeg, multipart


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def key() -> str:
    return secrets.token_urlsafe(16)


def steps(case_id: int, action: str) -> int:
    return count(CaseEvent, CaseEvent.case_id == case_id, CaseEvent.action == action)


# ---------------------------------------------------------------- the services


def test_a_step_sent_twice_with_its_key_is_taken_once(world):
    case = world.case("dispatched")
    once = key()
    services.act(world.lead, case, "accept", "", once)
    again = services.act(world.lead, db.session.get(Case, case.id), "accept", "", once)
    assert again.status == "accepted"
    assert steps(case.id, "accept") == 1
    assert (
        db.session.scalar(select(CaseEvent.submission_key).where(CaseEvent.action == "accept"))
        == once
    )


def test_without_a_key_the_second_press_is_refused_as_before(world):
    case = world.case("dispatched")
    services.act(world.lead, case, "accept")
    with pytest.raises(services.Refused) as refused:
        services.act(world.lead, db.session.get(Case, case.id), "accept")
    assert refused.value.status == 409


def test_the_key_of_another_step_is_not_this_ones(world):
    """A form showing two buttons renders one key: the back button and the other button is a
    new step, not a replay of the first."""
    case = world.case("accepted")
    shared = key()
    services.act(world.worker, case, "start", "", shared)
    services.act(world.worker, db.session.get(Case, case.id), "extend", "等配件", shared)
    assert steps(case.id, "start") == 1 and steps(case.id, "extend") == 1
    assert db.session.get(Case, case.id).status == "extended"


@pytest.mark.parametrize("bad", ["", "short", "\x00' or 1=1 --", "x" * 33])
def test_a_key_not_ours_is_no_key(world, bad):
    case = world.case("dispatched")
    services.act(world.lead, case, "accept", "", bad)
    assert (
        db.session.scalar(select(CaseEvent.submission_key).where(CaseEvent.action == "accept"))
        is None
    )


def test_a_visit_sent_twice_is_one_visit_and_its_photos_once(world):
    case = world.case("accepted")
    data = {"found": "井盖下堵了", "submission_key": key()}
    from tests.uploads.images import upload

    first = services.add_visit(world.worker, case, data, [upload(jpeg())])
    # The case moved on since (done): the same visit sent again is still the one it made.
    services.finish(
        world.worker,
        db.session.get(Case, case.id),
        {"root_cause": "头发", "submission_key": key()},
        upload(jpeg()),
    )
    again = services.add_visit(
        world.worker, db.session.get(Case, case.id), data, [upload(jpeg()), upload(jpeg())]
    )
    assert again.id == first.id
    assert count(Visit) == 1 and steps(case.id, "arrive") == 1 and steps(case.id, "visit") == 1
    assert count(Photo, Photo.owner_type == "case_visit") == 1


def test_done_sent_twice_is_done_once(world):
    from tests.uploads.images import upload

    case = world.case("in_progress")
    data = {"root_cause": "头发", "follow_up": "", "note": "", "submission_key": key()}
    services.finish(world.worker, case, data, upload(jpeg()))
    services.finish(world.worker, db.session.get(Case, case.id), data, upload(jpeg()))
    assert steps(case.id, "handle") == 1
    assert count(Photo, Photo.kind == "after") == 1
    assert_trail_equals_state(case.id)


# ---------------------------------------------------------------- the routes, one after another


def visit_form(once, **kw):
    return {"found": "到了，井盖下堵了", "submission_key": once, **kw}


def test_a_replayed_visit_answers_as_the_first(client, auth, world):
    case = world.case("accepted")
    auth.login(world.worker)
    once = key()
    answers = [
        client.post(
            f"/jobs/{case.id}/visit",
            data=visit_form(once, photos=[(io.BytesIO(jpeg()), "v.jpg")]),
            content_type="multipart/form-data",
        )
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [302] * 3
    assert {a.headers["Location"] for a in answers} == {f"/jobs/{case.id}"}
    assert count(Visit) == 1 and count(Photo) == 1
    assert steps(case.id, "arrive") == 1


def test_a_replayed_done_answers_as_the_first_and_a_later_one_is_refused(client, auth, world):
    case = world.case("in_progress")
    auth.login(world.worker)
    once = key()

    def done(k):
        return client.post(
            f"/jobs/{case.id}/done",
            data={
                "root_cause": "头发",
                "submission_key": k,
                "after_photo": (io.BytesIO(jpeg()), "a.jpg"),
            },
            content_type="multipart/form-data",
        )

    assert [done(once).status_code for _ in range(2)] == [302, 302]
    assert steps(case.id, "handle") == 1
    # Another "done" (a new filling, a new key) is a second press: refused in words.
    refused = done(key())
    assert refused.status_code == 409
    assert "Already marked as done" in refused.get_data(as_text=True)


def test_a_replayed_step_through_a_job_link(client, world):
    case = world.case("dispatched")
    url = f"/j/{job_links.job_link_token(case)}/act/accept"
    once = key()
    assert [client.post(url, data={"submission_key": once}).status_code for _ in range(3)] == [
        302
    ] * 3
    assert steps(case.id, "accept") == 1


def test_the_job_page_gives_each_form_a_key_and_the_offline_panel(client, auth, world):
    case = world.case("in_progress")
    auth.login(world.worker)
    html = client.get(f"/jobs/{case.id}").get_data(as_text=True)
    keys = [k for k in html.split('name="submission_key" type="hidden" value="')[1:]]
    assert len(keys) == 3 and len({k.split('"')[0] for k in keys}) == 3
    assert 'id="pending"' in html and "data-offline" in html
    assert f'data-viewer="u{world.worker.id}"' in html
    assert 'data-sw="/sw.js?jobs=/jobs/&amp;link=/j/&amp;' in html


def test_a_job_links_panel_names_no_account(client, world):
    case = world.case("in_progress")
    html = client.get(f"/j/{job_links.job_link_token(case)}").get_data(as_text=True)
    assert 'data-viewer=""' in html and "link=/j/" in html


def test_the_service_worker_is_served_from_the_root_to_anyone(client):
    answer = client.get("/sw.js")
    assert answer.status_code == 200
    assert answer.mimetype == "text/javascript"
    assert answer.headers["Cache-Control"] == "no-cache"
    assert "job-pages-v1" in answer.get_data(as_text=True)
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    again = client.get("/sw.js", headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304


# ---------------------------------------------------------------- the same submission at once


PRESSES = 6


@pytest.fixture
def worker_cookie(live, world):
    return live.login(world.worker.phone)


def test_one_visit_sent_six_times_at_once(world, live, worker_cookie):
    """The first visit also moves the case (arrived): the copies lose that race or the key's,
    and each answers as the first did."""
    case = world.case("accepted")
    url = f"/jobs/{case.id}/visit"  # the threads only send (nothing read from the database)
    body, headers = multipart(visit_form(key()), {"photos": ("v.jpg", jpeg())})
    answers = live.burst(
        PRESSES, lambda i: live.post(url, body, cookie=worker_cookie, headers=headers)
    )
    assert [a.status for a in answers] == [302] * PRESSES, [a.text[:300] for a in answers]
    assert count(Visit) == 1 and count(Photo) == 1
    assert steps(case.id, "arrive") == 1 and steps(case.id, "visit") == 1
    assert_trail_equals_state(case.id)


def test_one_visit_of_a_job_in_progress_sent_six_times_at_once(world, live, worker_cookie):
    """In progress, a visit moves nothing: only the key's unique index stands between copies."""
    case = world.case("in_progress")
    url = f"/jobs/{case.id}/visit"
    body, headers = multipart(visit_form(key()), {})
    answers = live.burst(
        PRESSES, lambda i: live.post(url, body, cookie=worker_cookie, headers=headers)
    )
    assert [a.status for a in answers] == [302] * PRESSES, [a.text[:300] for a in answers]
    assert count(Visit) == 1 and steps(case.id, "visit") == 1


def test_done_sent_six_times_at_once_through_a_link(world, live):
    case = world.case("in_progress")
    token = job_links.job_link_token(case)
    body, headers = multipart(
        {"root_cause": "头发", "submission_key": key()}, {"after_photo": ("a.jpg", jpeg())}
    )
    answers = live.burst(PRESSES, lambda i: live.post(f"/j/{token}/done", body, headers=headers))
    assert [a.status for a in answers] == [200] * PRESSES, [a.text[:300] for a in answers]
    assert steps(case.id, "handle") == 1 and count(Photo, Photo.kind == "after") == 1
    # The texts about the case are those of before "done" (its dispatch): no copy adds one.
    assert count(OutboxMessage, OutboxMessage.kind != "case_dispatched") == 0
    assert_trail_equals_state(case.id)


def test_accept_sent_six_times_at_once_with_one_key(world, live):
    case = world.case("dispatched")
    lead = live.login(world.lead.phone)
    url, once = f"/jobs/{case.id}/act/accept", key()
    answers = live.burst(PRESSES, lambda i: live.post(url, {"submission_key": once}, cookie=lead))
    assert [a.status for a in answers] == [302] * PRESSES
    assert steps(case.id, "accept") == 1
    assert_trail_equals_state(case.id)


# ---------------------------------------------------------------- the page goes on offline


def ahead_of(html: str) -> dict:
    """The job page's elements that the offline script shows or hides as steps are kept:
    {id: (hidden?, data-offline-after, data-offline-until)}, plus the big button's."""
    found = {}
    for tag in re.findall(r"<(?:form|div|button)\b[^>]*data-offline-(?:after|until)[^>]*>", html):
        name = re.search(r'id="([^"]+)"', tag) or re.search(r"/act/(\w+)", tag)
        after = re.search(r'data-offline-after="([^"]*)"', tag)
        until = re.search(r'data-offline-until="([^"]*)"', tag)
        found[name.group(1)] = (
            " hidden" in tag,
            after.group(1) if after else None,
            until.group(1) if until else None,
        )
    return found


def test_an_accepted_job_carries_its_next_steps_hidden_for_the_team(client, auth, world):
    case = world.case("accepted")
    auth.login(world.worker)
    html = client.get(f"/jobs/{case.id}").get_data(as_text=True)
    assert ahead_of(html) == {
        "start": (False, None, "start arrive visit"),  # the big button, shown
        "step-arrive": (True, "start", "arrive visit"),
        "done-step": (True, "start arrive visit", None),
    }
    # Hidden by the attribute itself: without script the page is as it was (one step).
    assert re.search(r'<form [^>]*id="step-arrive"[^>]*\shidden', html)
    assert re.search(r'<div id="done-step" hidden', html)
    assert f'formaction="/jobs/{case.id}/act/arrive" data-offline-step="arrive"' in html
    assert 'id="done"' in html and 'data-offline-step="handle"' in html
    assert 'data-offline-step="visit"' in html
    # Each form its own one-time key (steps, arrive, visit, done).
    keys = re.findall(r'name="submission_key" type="hidden" value="([^"]+)"', html)
    assert len(keys) == 4 == len(set(keys))


def test_a_job_link_carries_the_same_steps_with_its_own_addresses(client, world):
    case = world.case("accepted")
    token = job_links.job_link_token(case)
    html = client.get(f"/j/{token}").get_data(as_text=True)
    assert set(ahead_of(html)) == {"start", "step-arrive", "done-step"}
    assert f'formaction="/j/{token}/act/arrive"' in html and f'action="/j/{token}/done"' in html


def test_on_the_way_arrived_is_next_and_done_is_shown_as_before(client, auth, world):
    case = world.case("in_progress")
    auth.login(world.worker)
    html = client.get(f"/jobs/{case.id}").get_data(as_text=True)
    assert ahead_of(html) == {"arrive": (False, None, "arrive visit")}
    assert 'id="done-step">' in html  # shown: no hidden, nothing it waits for


@pytest.mark.parametrize("status", ["dispatched", "extended", "parked"])
def test_no_steps_ahead_off_the_way(client, auth, world, status):
    case = world.case(status)
    auth.login(world.lead)
    html = client.get(f"/jobs/{case.id}").get_data(as_text=True)
    assert ahead_of(html) == {} and 'id="step-' not in html


def test_on_site_nothing_is_ahead(client, auth, world):
    case = world.case("in_progress")
    services.act(world.worker, case, "arrive")
    auth.login(world.worker)
    html = client.get(f"/jobs/{case.id}").get_data(as_text=True)
    assert ahead_of(html) == {} and 'id="done"' in html


def test_steps_ahead_read_the_table_for_the_role(world):
    from coordinator import access
    from coordinator.cases.offline import NOTHING_AHEAD, steps_ahead

    accepted = world.case("accepted")
    ahead = steps_ahead(accepted, access.WORKER, "start")
    assert [s.action for s in ahead.later] == ["arrive"]
    assert ahead.done_after == ("start", "arrive", "visit")
    # The office takes none of these steps: nothing ahead for it (it never sees this page).
    assert steps_ahead(accepted, access.STAFF, "start") == steps_ahead(
        accepted, access.WORKER, "accept"
    )
    assert steps_ahead(accepted, access.STAFF, "start").later == ()
    assert steps_ahead(accepted, access.WORKER, None) == NOTHING_AHEAD
    # Reopened, the team starts again: "arrived" and done follow as for an accepted job.
    reopened = world.case("reopened")
    assert steps_ahead(reopened, access.WORKER, "start").done_after[0] == "start"


def test_every_page_names_who_is_signed_in_for_sending(client, auth, world):
    assert 'id="offline-sender" hidden data-viewer=""' in client.get("/login").get_data(
        as_text=True
    )
    auth.login(world.worker)
    html = client.get("/jobs").get_data(as_text=True)
    assert (
        f'id="offline-sender" hidden data-viewer="u{world.worker.id}" data-signin="/login"' in html
    )


def test_kept_steps_sent_after_the_office_parked_the_job_are_refused_in_words(client, auth, world):
    """What a phone sends in order when the signal returns ("arrived", then done) after the
    office parked the job meanwhile: each is refused with a 409 that says why, none is taken."""
    case = world.case("in_progress")
    services.act(world.staff, case, "park", "冬季施工")
    auth.login(world.worker)
    arrive = client.post(f"/jobs/{case.id}/act/arrive", data={"submission_key": key()})
    done = client.post(
        f"/jobs/{case.id}/done",
        data={
            "root_cause": "头发",
            "submission_key": key(),
            "after_photo": (io.BytesIO(jpeg()), "a.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert (arrive.status_code, done.status_code) == (409, 409)
    for answer in (arrive, done):
        assert "flash-error" in answer.get_data(as_text=True)
    assert steps(case.id, "arrive") == steps(case.id, "handle") == 0
    assert count(Photo, Photo.kind == "after") == 0
