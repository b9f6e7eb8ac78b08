"""Unique keys under a burst of real HTTP requests: one row, the others a 409 at the field."""

import pytest
from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.teams.models import Team, TeamMember
from tests.conftest import field_errors


def test_the_same_member_added_five_times_at_once_is_added_once(app, live, make):
    team = make.team()
    lead = make.user("lead", team_=team)
    make.commit()
    cookie, url = live.login(lead.phone) + "; lang=en", f"/teams/{team.id}/members"
    answers = live.burst(
        5, lambda i: live.post(url, {"name": "吴师傅", "phone": "13900000021"}, cookie=cookie)
    )
    statuses = sorted(a.status for a in answers)
    assert statuses.count(302) == 1 and set(statuses) <= {302, 409, 422}, statuses
    for answer in answers:
        if answer.status != 302:
            assert "This number is already in the team." in field_errors(answer.text)
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count(TeamMember.id)).where(TeamMember.phone == "13900000021")
        )
        == 1
    )
    assert "吴师傅" in db.session.get(Team, team.id).search_text


@pytest.mark.parametrize("n", [6])
def test_one_new_team_name_sent_at_once_makes_one_team(app, live, make, n):
    staff = make.user("staff")
    make.commit()
    cookie = live.login(staff.phone) + "; lang=en"
    data = {
        "name": "红联北村水电队",
        "kind": "handymen",
        "capacity": "3",
        "skills": ["plumbing"],
        "communities": [str(staff.community_id)],
        "active": "y",
    }
    answers = live.burst(n, lambda i: live.post("/teams/new", data, cookie=cookie))
    statuses = sorted(a.status for a in answers)
    assert statuses.count(302) == 1 and set(statuses) <= {302, 409, 422}, statuses
    for answer in answers:
        if answer.status != 302:
            assert "A team with this name exists already." in field_errors(answer.text)
            assert 'value="红联北村水电队"' in answer.text
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Team.id))) == 1
