"""The job page as a field worker and a team lead use it (issue 12): one next step, one
deadline, a validation error where the eye is, a lead giving a job to a member, and job links
that credit the member they were issued to."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from coordinator.cases import job_links, services, workflow
from coordinator.cases.models import Case, CaseEvent
from coordinator.extensions import db
from coordinator.i18n import utcnow, when
from coordinator.notifications.models import OutboxMessage
from coordinator.teams.models import TeamMember
from tests.cases.test_routes import form_of
from tests.conftest import field_errors
from tests.uploads.images import jpeg_with_gps


@pytest.fixture
def crew(world):
    """赵师傅 (a worker with an account) and 钱师傅 (a phone only) join 张建国's team; the
    other team has a member too."""
    zhao = TeamMember(
        team_id=world.team.id, name="赵师傅", phone=world.worker.phone, user_id=world.worker.id
    )
    qian = TeamMember(team_id=world.team.id, name="钱师傅", phone="13900000011")
    outsider = TeamMember(team_id=world.other_team.id, name="外队师傅", phone="13900000099")
    db.session.add_all([zhao, qian, outsider])
    db.session.commit()
    return {"zhao": zhao, "qian": qian, "outsider": outsider}


def step_buttons(html: str) -> list[str]:
    """The step buttons of the job page (#steps), as the actions they post."""
    form = re.search(r'<form method="post" class="stack" id="steps".*?</form>', html, re.S)
    return re.findall(r'formaction="[^"]*/act/(\w+)"', form.group(0)) if form else []


def primary_steps(html: str) -> list[str]:
    return re.findall(r'class="primary" formaction="[^"]*/act/(\w+)"', html)


def trail(case_id: int) -> list[CaseEvent]:
    return db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    ).all()


def texts(kind: str, case_id: int) -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind, OutboxMessage.subject_id == case_id)
    ).all()


# ---------------------------------------------------------------- one next step


def test_only_the_next_steps_button(client, auth, world):
    case = world.case("dispatched")
    auth.login(world.worker)
    page = lambda: client.get(f"/jobs/{case.id}").get_data(as_text=True)  # noqa: E731
    html = page()
    assert primary_steps(html) == ["accept"] and step_buttons(html) == ["accept", "return"]
    client.post(f"/jobs/{case.id}/act/accept", data={})
    html = page()
    # Accepted: "on my way", not also "arrived" beside it.
    assert step_buttons(html) == ["start"]
    client.post(f"/jobs/{case.id}/act/start", data={})
    html = page()
    # On the way: "arrived"; more time is asked in the fold, with its own button.
    assert primary_steps(html) == ["arrive"] and step_buttons(html) == ["arrive", "extend"]
    fold = re.search(r'<details class="more".*?</details>', html, re.S).group(0)
    assert 'name="note"' in fold and "/act/extend" in fold
    assert client.post(f"/jobs/{case.id}/act/arrive", data={}).status_code == 302
    html = page()
    # Arrived: no "arrived" again; the visit note and "done" are next.
    assert primary_steps(html) == [] and step_buttons(html) == ["extend"]
    assert 'id="visit"' in html and 'id="done"' in html
    # Pressing it again anyway (an old page) is a 409 that moves nothing.
    before = len(trail(case.id))
    assert client.post(f"/jobs/{case.id}/act/arrive", data={}).status_code == 409
    assert len(trail(case.id)) == before


def test_a_visit_asking_for_another_brings_arrived_back(client, auth, world):
    case = world.case("in_progress")
    auth.login(world.worker)
    services.add_visit(world.worker, case, {"found": "看过了"})
    assert "arrive" not in workflow.actions_for(case, "worker")
    services.add_visit(world.worker, case, {"found": "还要再来", "another_needed": True})
    assert "arrive" in workflow.actions_for(case, "worker")
    assert step_buttons(client.get(f"/jobs/{case.id}").get_data(as_text=True))[0] == "arrive"


def test_the_fold_asks_for_a_reason_and_keeps_it_open(client, auth, world):
    case = world.case("in_progress")
    auth.login(world.worker)
    response = client.post(f"/jobs/{case.id}/act/extend", data={"note": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<details class="more" open>' in html
    assert re.search(r'<textarea[^>]*autofocus[^>]*name="note"', html)


# ---------------------------------------------------------------- one deadline


def test_the_deadline_is_shown_before_accepting_and_stays_put(client, auth, world, chinese):
    case = world.case("dispatched", tier="utilities")
    auth.login(world.worker)

    def deadline():
        html = client.get(f"/jobs/{case.id}").get_data(as_text=True)
        return re.search(r'<p class="deadline" id="deadline">(.*?)</p>', html, re.S).group(1)

    assert "接单后 24 小时内完成" in deadline()
    assert "24 小时内完成" in client.get("/jobs").get_data(as_text=True)
    client.post(f"/jobs/{case.id}/act/accept", data={})
    db.session.expire_all()
    due = db.session.get(Case, case.id).due_at
    with client.application.test_request_context():
        written = when(due)
    accepted = deadline()
    assert f"{written} 前完成" in accepted
    client.post(f"/jobs/{case.id}/act/start", data={})
    db.session.expire_all()
    assert db.session.get(Case, case.id).due_at == due
    assert f"{written} 前完成" in deadline()


def test_a_fixed_deadline_sooner_than_the_limit_is_shown_as_a_time(client, auth, world):
    case = world.case("dispatched", tier="general")
    case.deadline_at = utcnow() + timedelta(hours=5)
    db.session.commit()
    auth.login(world.worker)
    html = client.get(f"/jobs/{case.id}").get_data(as_text=True)
    assert "Done by" in html and "of accepting" not in html


def test_reopening_restarts_the_clock_and_on_my_way_leaves_it(world):
    case = world.case("callback")
    old_due = case.due_at
    services.act(world.staff, case, "reopen", "不满意")
    reopened_due = case.due_at
    assert reopened_due > old_due and case.is_overdue(utcnow()) is False
    services.act(world.worker, case, "start")
    assert case.status == "in_progress" and case.due_at == reopened_due


# ---------------------------------------------------------------- the first error


def test_done_without_the_photo_lands_at_the_photo(client, auth, world):
    case = world.case("in_progress")
    auth.login(world.worker)
    response = client.post(
        f"/jobs/{case.id}/done",
        data={"root_cause": "头发", "follow_up": "维护"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count("autofocus") == 1
    photo = re.search(r'<input type="file" id="after_photo"[^>]*>', html).group(0)
    assert "autofocus" in photo and 'aria-invalid="true"' in photo
    assert "Add a photo of the result." in field_errors(html)
    assert "头发" in html  # what was typed is kept


def test_only_the_first_invalid_field_is_focused(client, auth, world):
    auth.login(world.staff)
    response = client.post(
        "/cases/new",
        data=form_of(world, compound_id="", description=""),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count(" autofocus") == 1
    focused = re.search(r"<(?:input|select|textarea)[^>]*autofocus[^>]*>", html).group(0)
    assert 'name="compound_id"' in focused  # the first field with an error, in page order


# ---------------------------------------------------------------- photo slots


def test_photo_inputs_are_camera_slots(client, auth, world):
    case = world.case("in_progress")
    auth.login(world.worker)
    html = client.get(f"/jobs/{case.id}").get_data(as_text=True)
    visit = re.findall(r'<input type="file"[^>]*name="photos"[^>]*>', html)
    after = re.findall(r'<input type="file"[^>]*name="after_photo"[^>]*>', html)
    assert len(visit) == 3 and len(after) == 1
    for tag in visit + after:
        assert 'accept="image/*"' in tag and 'capture="environment"' in tag
        assert "multiple" not in tag  # one photo a control
    assert 'data-max="6"' in html
    # The slots share the field's name: two photos in two slots make one visit with both.
    response = client.post(
        f"/jobs/{case.id}/visit",
        data={
            "found": "两张照片",
            "photos": [
                (io.BytesIO(jpeg_with_gps()), "1.jpg"),
                (io.BytesIO(jpeg_with_gps()), "2.jpg"),
                (io.BytesIO(b""), ""),  # the third slot, left empty
            ],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    from coordinator.uploads.models import Photo

    assert len(db.session.scalars(select(Photo).where(Photo.owner_type == "case_visit")).all()) == 2


# ---------------------------------------------------------------- a lead assigns


def test_a_lead_gives_a_job_to_a_member(client, auth, world, crew):
    case = world.case("dispatched")
    auth.login(world.lead)
    html = client.get(f"/jobs/{case.id}").get_data(as_text=True)
    assert f'action="/jobs/{case.id}/assign"' in html
    assert "钱师傅" in html and "外队师傅" not in html
    response = client.post(
        f"/jobs/{case.id}/assign",
        data={"member_id": crew["zhao"].id, "seen": str(case.version)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.assignee_id == crew["zhao"].id
    last = trail(case.id)[-1]
    assert (last.action, last.note, last.actor_id) == ("assign", "赵师傅", world.lead.id)
    (text,) = texts("case_assigned", case.id)
    assert text.recipient == world.worker.phone and text.user_id == world.worker.id
    assert f"/jobs/{case.id}" in text.body and "/j/" not in text.body
    # The lead sees who has it, on the list and the page.
    listing = client.get("/jobs").get_data(as_text=True)
    assert "赵师傅" in listing


def test_a_member_without_an_account_is_texted_a_link_in_their_name(client, auth, world, crew):
    case = world.case("accepted")
    auth.login(world.lead)
    client.post(
        f"/jobs/{case.id}/assign", data={"member_id": crew["qian"].id, "seen": str(case.version)}
    )
    (text,) = texts("case_assigned", case.id)
    token = re.search(r"/j/([\w\-.]+)", text.body).group(1)
    auth.logout()
    assert client.post(f"/j/{token}/act/start", data={}).status_code == 302
    last = trail(case.id)[-1]
    assert last.action == "start" and last.actor_name == "钱师傅 (job link)"


def test_the_member_sees_the_job_first(client, auth, world, crew):
    first = world.case("in_progress", description="先来的活")
    mine = world.case("dispatched", description="派给我的活")
    first.due_at = utcnow() + timedelta(hours=1)  # the most urgent, by its deadline
    db.session.commit()
    services.assign(world.lead, mine, crew["zhao"].id)
    auth.login(world.worker)
    html = client.get("/jobs").get_data(as_text=True)
    assert html.index("派给我的活") < html.index("先来的活")


@pytest.mark.parametrize(
    "who, member, status, expected",
    [
        ("worker", "zhao", "dispatched", 403),  # a field worker cannot assign
        ("staff", "zhao", "dispatched", 403),  # nor the office
        ("lead", "outsider", "dispatched", 422),  # only members of the lead's own team
        ("lead", "qian", "handled", 409),  # only open jobs
        ("lead", "qian", "parked", 409),
    ],
)
def test_assignment_scope(client, auth, world, crew, who, member, status, expected):
    case = world.case(status)
    auth.login(getattr(world, who))
    response = client.post(f"/jobs/{case.id}/assign", data={"member_id": crew[member].id})
    assert response.status_code == expected
    db.session.expire_all()
    assert db.session.get(Case, case.id).assignee_id is None
    assert not [e for e in trail(case.id) if e.action == "assign"]


def test_a_lead_of_another_team_finds_no_such_job(client, auth, world, crew, make):
    case = world.case("dispatched")
    other_lead = make.user("lead", team_=world.other_team, name="外队队长")
    make.commit()
    auth.login(other_lead)
    response = client.post(f"/jobs/{case.id}/assign", data={"member_id": crew["outsider"].id})
    assert response.status_code == 404


def test_two_assignments_from_one_page_one_wins(client, auth, world, crew):
    """The page's version: the second press of the same page (or a second lead's) is a 409
    naming who assigned it, and changes nothing."""
    case = world.case("dispatched")
    seen = str(case.version)
    auth.login(world.lead)
    first = client.post(
        f"/jobs/{case.id}/assign", data={"member_id": crew["zhao"].id, "seen": seen}
    )
    second = client.post(
        f"/jobs/{case.id}/assign", data={"member_id": crew["qian"].id, "seen": seen}
    )
    assert (first.status_code, second.status_code) == (302, 409)
    assert "Already assigned by 张建国" in second.get_data(as_text=True)
    # The page it answers with is the case as it is now: pressing from it again assigns.
    fresh = re.search(r'name="seen" type="hidden" value="(\d+)"', second.get_data(as_text=True))
    db.session.expire_all()
    assert fresh.group(1) == str(db.session.get(Case, case.id).version)
    db.session.expire_all()
    assert db.session.get(Case, case.id).assignee_id == crew["zhao"].id
    assert len([e for e in trail(case.id) if e.action == "assign"]) == 1
    assert len(texts("case_assigned", case.id)) == 1


def test_a_new_dispatch_clears_the_assignment(world, crew):
    case = world.case("dispatched")
    services.assign(world.lead, case, crew["qian"].id)
    services.act(world.lead, case, "return", "不归我们")
    services.dispatch(world.staff, case, world.team.id)
    assert case.assignee_id is None


# ---------------------------------------------------------------- job links credit the member


def test_a_members_link_credits_the_member(client, world, crew):
    case = world.case("dispatched")
    token = job_links.job_link_token(case, crew["zhao"])
    assert client.post(f"/j/{token}/act/accept", data={}).status_code == 302
    last = trail(case.id)[-1]
    assert last.action == "accept"
    assert last.actor_name == "赵师傅 (job link)" and last.actor_id == world.worker.id


def test_an_old_link_naming_no_member_still_works_for_the_team(client, world, crew):
    case = world.case("dispatched")
    token = job_links.job_link_token(case)  # the format before issue 12: no member
    assert client.post(f"/j/{token}/act/accept", data={}).status_code == 302
    last = trail(case.id)[-1]
    assert last.actor_name == f"{world.team.name} (job link)" and last.actor_id is None


def test_a_members_link_closes_when_they_leave_or_the_job_goes_to_another(client, world, crew):
    case = world.case("dispatched")
    qian_link = job_links.job_link_token(case, crew["qian"])
    zhao_link = job_links.job_link_token(case, crew["zhao"])
    services.assign(world.lead, case, crew["zhao"].id)
    response = client.get(f"/j/{qian_link}")
    assert response.status_code == 403 and "another member" in response.get_data(as_text=True)
    assert client.get(f"/j/{zhao_link}").status_code == 200
    db.session.delete(db.session.get(TeamMember, crew["zhao"].id))
    db.session.commit()
    response = client.get(f"/j/{zhao_link}")
    assert response.status_code == 403 and "left the team" in response.get_data(as_text=True)


def test_a_link_sent_to_a_members_phone_names_them(client, auth, world, crew):
    case = world.case("accepted")
    url = services.send_job_link(world.staff, case, crew["qian"].phone)
    token = url.rsplit("/j/", 1)[1]
    client.post(f"/j/{token}/act/start", data={})
    assert trail(case.id)[-1].actor_name == "钱师傅 (job link)"
    sent = [e for e in trail(case.id) if e.action == "link_sent"][0]
    assert sent.note.startswith("钱师傅 ")


# ---------------------------------------------------------------- the dispatch text


def test_the_dispatch_text_says_where_to_open_the_job(world, crew, make):
    case = world.case("received")
    services.dispatch(world.staff, case, world.team.id)
    (text,) = texts("case_dispatched", case.id)
    # The lead has an account: "my jobs", signed in as themselves.
    assert "My jobs" in text.body and f"/jobs/{case.id}" in text.body
    # A team with only its own phone gets a link to the job.
    phone_team = make.team("电话队", skills=("drain",), communities=[world.community])
    phone_team.phone = "13900000077"
    make.commit()
    other = world.case("received")
    services.dispatch(world.staff, other, phone_team.id)
    (text,) = texts("case_dispatched", other.id)
    token = re.search(r"/j/([\w\-.]+)", text.body).group(1)
    case_of_link, guest = job_links.read_job_link(token)
    assert case_of_link.id == other.id and guest.name == "电话队 (job link)"


def test_a_member_removed_from_the_team_leaves_the_job_to_the_team(world, crew):
    from coordinator.teams import services as teams_services

    case = world.case("accepted")
    services.assign(world.lead, case, crew["qian"].id)
    teams_services.remove_member(world.admin, world.team, crew["qian"].id)
    db.session.expire_all()
    assert db.session.get(Case, case.id).assignee_id is None
