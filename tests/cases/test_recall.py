"""Recall or reassign a case its team has not accepted yet (issue 12): the office takes it back
to be dispatched again, or sends it to another team in one step. The team hears it is
withdrawn, its job links close, the trail says who and why, and a team accepting at the same
moment wins or loses as a whole (over real HTTP, like test_concurrency.py)."""

import pytest
from sqlalchemy import func, select

from coordinator.cases import job_links, services, workflow
from coordinator.cases.models import Case, CaseEvent
from coordinator.extensions import db
from coordinator.notifications.models import OutboxMessage
from coordinator.rules import Refused
from tests.cases.test_concurrency import assert_trail_equals_state


def texts() -> list[tuple[str, str]]:
    return [
        (m.kind, m.recipient)
        for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    ]


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def dispatched(world):
    case = world.case("dispatched")
    db.session.query(OutboxMessage).delete()
    db.session.commit()
    return case


# ---------------------------------------------------------------- services


def test_recall_takes_the_case_back_and_tells_the_team(world):
    case = dispatched(world)
    services.recall(world.staff, case, "居民说已经自己修好了一半，先等等")
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == workflow.RECEIVED and case.team_id is None
    assert case.dispatched_at is None and case.due_at is None
    event = case.events[-1]
    assert (event.action, event.from_status, event.to_status) == (
        "recall",
        "dispatched",
        "received",
    )
    assert event.actor_name == "王伟" and event.team_id == world.team.id  # the team it left
    assert "自己修好" in event.note
    assert texts() == [("case_withdrawn", world.lead.phone)]
    assert_trail_equals_state(case.id)


def test_a_recall_needs_a_reason(world):
    case = dispatched(world)
    with pytest.raises(Refused) as refused:
        services.recall(world.staff, case, "  ")
    assert refused.value.field == "note" and refused.value.status == 422
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "dispatched" and texts() == []


def test_reassign_sends_it_to_another_team_in_one_step(world, other_lead):
    case = dispatched(world)
    services.reassign(world.admin, case, world.other_team.id, "换一个近的队")
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == workflow.DISPATCHED and case.team_id == world.other_team.id
    assert case.events[-1].action == "reassign" and case.events[-1].team_id == world.other_team.id
    assert texts() == [("case_withdrawn", world.lead.phone), ("case_dispatched", other_lead.phone)]
    assert_trail_equals_state(case.id)


def test_reassign_refuses_the_same_team_and_teams_that_may_not_take_it(world, make):
    case = dispatched(world)
    elsewhere = make.team("远处的队", skills=("drain",), communities=[make.community("别处")])
    no_skill = make.team("电工队", skills=("electrics",), communities=[world.community])
    make.commit()
    for team_id, words in (
        (world.team.id, "with this team already"),
        (elsewhere.id, "does not cover"),
        (no_skill.id, "skill"),
        (999999, "not taking work"),
    ):
        with pytest.raises(Refused) as refused:
            services.reassign(world.staff, case, team_id)
        assert refused.value.field == "team_id" and words in str(refused.value.message)
    db.session.expire_all()
    assert db.session.get(Case, case.id).team_id == world.team.id and texts() == []


@pytest.mark.parametrize("status", ["received", "returned", "accepted", "in_progress", "closed"])
def test_only_a_case_not_yet_accepted_can_be_recalled_or_reassigned(world, status):
    case = world.case(status)
    with pytest.raises(Refused) as recalled:
        services.recall(world.staff, case, "理由")
    with pytest.raises(Refused) as reassigned:
        services.reassign(world.staff, case, world.other_team.id)
    assert recalled.value.status == reassigned.value.status == 409


def test_the_team_cannot_recall_and_staff_elsewhere_cannot_either(world):
    case = dispatched(world)
    with pytest.raises(Refused) as by_lead:
        services.recall(world.lead, case, "理由")
    assert by_lead.value.status == 403
    with pytest.raises(Refused) as by_other_staff:
        services.recall(world.other_staff, case, "理由")
    assert by_other_staff.value.status == 403
    assert texts() == []


def test_recall_closes_the_teams_job_link(world):
    case = dispatched(world)
    token = job_links.job_link_token(case)
    assert job_links.read_job_link(token)[0].id == case.id
    services.recall(world.staff, case, "先不派")
    with pytest.raises(Refused) as closed:
        job_links.read_job_link(token)
    assert closed.value.status == 403


def test_reassign_closes_the_old_teams_link_and_a_new_one_works(world, other_lead):
    case = dispatched(world)
    old = job_links.job_link_token(case)
    services.reassign(world.staff, case, world.other_team.id)
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    with pytest.raises(Refused):
        job_links.read_job_link(old)
    _case, guest = job_links.read_job_link(job_links.job_link_token(case))
    assert guest.team_id == world.other_team.id


def test_a_recalled_case_can_be_dispatched_again(world):
    case = dispatched(world)
    services.recall(world.staff, case, "先不派")
    services.dispatch(world.staff, db.session.get(Case, case.id), world.other_team.id)
    db.session.expire_all()
    assert db.session.get(Case, case.id).team_id == world.other_team.id
    assert_trail_equals_state(case.id)


# ---------------------------------------------------------------- routes


def test_the_case_page_offers_recall_and_reassign_with_only_the_teams_that_may_take_it(
    world, client, auth, make
):
    make.team("远处的队", skills=("drain",), communities=[make.community("别处")])
    make.commit()
    case = dispatched(world)
    auth.login(world.staff)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'action="/cases/{case.id}/recall"' in html
    assert f'action="/cases/{case.id}/reassign"' in html
    picker = html.split('name="reassign-team_id"', 1)[1].split("</select>", 1)[0]
    assert world.other_team.name in picker
    assert world.team.name not in picker and "远处的队" not in picker


@pytest.mark.parametrize("status", ["received", "accepted", "in_progress"])
def test_the_page_offers_neither_once_accepted_or_before_dispatch(world, client, auth, status):
    case = world.case(status)
    auth.login(world.staff)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "/recall" not in html and "/reassign" not in html


def test_recall_over_http_redirects_and_the_board_shows_it_new_again(world, client, auth):
    case = dispatched(world)
    auth.login(world.staff)
    answer = client.post(f"/cases/{case.id}/recall", data={"recall-note": "居民取消"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "received"
    assert texts() == [("case_withdrawn", world.lead.phone)]


def test_recall_without_a_reason_says_so_at_the_field(world, client, auth):
    case = dispatched(world)
    auth.login(world.staff)
    answer = client.post(f"/cases/{case.id}/recall", data={"recall-note": ""})
    assert answer.status_code == 422
    assert 'id="err-recall-note"' in answer.get_data(as_text=True)
    assert texts() == []


def test_reassign_to_a_forged_team_is_refused_at_the_field(world, client, auth, make):
    elsewhere = make.team("远处的队", skills=("drain",), communities=[make.community("别处")])
    make.commit()
    case = dispatched(world)
    auth.login(world.staff)
    answer = client.post(f"/cases/{case.id}/reassign", data={"reassign-team_id": elsewhere.id})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'id="err-reassign-team_id"' in html
    assert texts() == []


@pytest.mark.parametrize("path", ["recall", "reassign"])
def test_staff_of_another_community_get_404_and_the_team_side_403(world, client, auth, path):
    case = dispatched(world)
    data = {"recall-note": "x", "reassign-team_id": world.other_team.id}
    auth.login(world.other_staff)
    assert client.post(f"/cases/{case.id}/{path}", data=data).status_code == 404
    client.post("/logout")
    auth.login(world.lead)
    assert client.post(f"/cases/{case.id}/{path}", data=data).status_code == 403
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "dispatched" and texts() == []


@pytest.mark.parametrize("action", ["recall", "reassign"])
def test_the_plain_step_route_is_no_way_around_the_texts(world, client, auth, action):
    case = dispatched(world)
    auth.login(world.staff)
    answer = client.post(f"/cases/{case.id}/act/{action}", data={"note": "x"})
    assert answer.status_code == 403
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "dispatched"


def test_the_admin_reassigns_in_any_community(world, client, auth, other_lead):
    case = dispatched(world)
    auth.login(world.admin)
    answer = client.post(
        f"/cases/{case.id}/reassign",
        data={"reassign-team_id": world.other_team.id, "reassign-note": "就近"},
    )
    assert answer.status_code == 302
    assert texts() == [("case_withdrawn", world.lead.phone), ("case_dispatched", other_lead.phone)]


# ---------------------------------------------------------------- races over real HTTP


def test_recall_and_accept_at_the_same_moment_one_wins(world, live):
    """The office recalls as the team accepts: one of them moves the case; the other gets a
    409 in words and sends nothing."""
    staff, lead = live.login(world.staff.phone), live.login(world.lead.phone)

    def press_one(i, case_id):
        if i == 0:
            return live.post(f"/cases/{case_id}/recall", {"recall-note": "取消"}, cookie=staff)
        return live.post(f"/jobs/{case_id}/act/accept", {}, cookie=lead)

    for _round in range(3):
        case_id = dispatched(world).id  # read here: the threads only send requests
        answers = live.burst(2, lambda i, case_id=case_id: press_one(i, case_id))
        assert sorted(a.status for a in answers) == [302, 409], [a.status for a in answers]
        case = assert_trail_equals_state(case_id)
        assert case.status in ("received", "accepted")
        lost = next(a for a in answers if a.status == 409).text
        if case.status == "received":
            assert "recalled by 王伟" in lost
            assert texts() == [("case_withdrawn", world.lead.phone)]
        else:
            assert "accepted by 张建国" in lost
            assert texts() == []  # the recall that lost texted no one
        db.session.query(OutboxMessage).delete()
        db.session.commit()


def test_reassign_and_accept_at_the_same_moment_one_wins(world, live, other_lead):
    staff, lead = live.login(world.staff.phone), live.login(world.lead.phone)
    case_id, other = dispatched(world).id, world.other_team.id
    presses = [
        lambda: live.post(f"/cases/{case_id}/reassign", {"reassign-team_id": other}, cookie=staff),
        lambda: live.post(f"/jobs/{case_id}/act/accept", {}, cookie=lead),
    ]
    answers = live.burst(2, lambda i: presses[i]())
    assert sorted(a.status for a in answers) == [302, 409]
    case = assert_trail_equals_state(case_id)
    if case.status == "accepted":
        assert case.team_id == world.team.id and texts() == []
    else:
        assert case.team_id == world.other_team.id
        assert [kind for kind, _phone in texts()] == ["case_withdrawn", "case_dispatched"]


def test_six_reassigns_at_once_move_it_once(world, live, other_lead):
    staff = live.login(world.staff.phone)
    case, other = dispatched(world), world.other_team.id
    url = f"/cases/{case.id}/reassign"
    answers = live.burst(6, lambda i: live.post(url, {"reassign-team_id": other}, cookie=staff))
    statuses = sorted(a.status for a in answers)
    # The first moves it; the rest either lost the race (409) or came after it and were told
    # the case is with that team already (422 at the field): none moves it again or texts.
    assert statuses[0] == 302 and statuses.count(302) == 1 and set(statuses) <= {302, 409, 422}
    assert count(CaseEvent, CaseEvent.case_id == case.id, CaseEvent.action == "reassign") == 1
    assert len(texts()) == 2
    assert_trail_equals_state(case.id)


@pytest.mark.parametrize("move", ["recall", "reassign"])
def test_the_team_pressing_accept_after_the_office_took_the_job_hears_who_took_it(
    world, client, auth, other_lead, move
):
    """The late press of a race (the office's recall or reassign committed first): a 409 that
    says who moved the job and when, not a 404, and no text; a stranger still gets a 404."""
    case = dispatched(world)
    if move == "recall":
        services.recall(world.staff, case, "派错了")
    else:
        services.reassign(world.staff, case, world.other_team.id)
    db.session.commit()
    before = texts()
    auth.login(world.lead)
    answer = client.post(f"/jobs/{case.id}/act/accept", data={})
    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    assert world.staff.name in html and ("recalled" in html or "reassigned" in html)
    assert texts() == before
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == (
        "received" if move == "recall" else "dispatched"
    )
    client.post("/logout")
    auth.login(world.other_worker)  # never had it: not theirs, as before
    if move == "recall":
        assert client.post(f"/jobs/{case.id}/act/accept", data={}).status_code == 404
