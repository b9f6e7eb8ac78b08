"""Campaigns pressed by several clients at once, over real HTTP (tests/live.py): the same form
sent many times makes one campaign (its one-time key), and an event finished twice at once
settles its linked case once and closes its campaign once."""

from sqlalchemy import func, select

from coordinator.campaigns.models import Campaign, CampaignTarget
from coordinator.cases import workflow
from coordinator.cases.models import Case, CaseEvent
from coordinator.extensions import db
from coordinator.notifications.models import OutboxMessage
from tests.campaigns.conftest import logged_case


def _count(model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_one_form_sent_many_times_at_once_makes_one_campaign(app, live, place):
    community, old, new, team, admin, staff = place
    cookie = live.login(staff.phone)
    form = {
        "title": "主立管疏通专项行动",
        "category": "drain",
        "old": "y",
        "work_kind": "case",
        "tier": "general",
        "submission_key": "one-key-for-all-of-them",
    }

    results = live.burst(6, lambda i: live.post("/campaigns/new", form, cookie=cookie))

    codes = sorted(r.status for r in results)
    assert set(codes) <= {303, 409} and 303 in codes, [r.text[:300] for r in results]
    locations = {r.headers.get("location") for r in results if r.status == 303}
    assert len(locations) == 1
    assert _count(Campaign) == 1 and _count(Case) == 4 and _count(CampaignTarget) == 4
    assert _count(OutboxMessage) == 1


def test_an_event_finished_twice_at_once_settles_its_case_once(app, live, drives, make):
    from coordinator.campaigns import services

    event = drives.drive()
    team = make.team(skills=("bikes",), communities=[event.community])
    staff = [make.user("staff", community_=event.community) for _ in range(2)]
    make.commit()
    case = logged_case(event.compound, staff[0], "bikes", "t-sun")
    workflow.transition(case, "dispatch", staff[0], team_id=team.id)
    db.session.commit()
    services.link_case(staff[0], case, event)
    case_id, path = case.id, f"/events/{event.id}/finish"
    cookies = [live.login(s.phone) for s in staff]

    results = live.burst(4, lambda i: live.post(path, {}, cookie=cookies[i % 2]))

    assert any(r.status in (200, 302, 303) for r in results), [r.status for r in results]
    db.session.expire_all()
    assert db.session.get(Case, case_id).status == "closed"
    settled = _count(CaseEvent, CaseEvent.case_id == case_id, CaseEvent.action == "settle_by_event")
    assert settled == 1
