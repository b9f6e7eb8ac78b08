"""Staff act in their own community (DOMAIN.md): on a team shared with other communities they
change only their community's part of its area; its details and members are not theirs."""

import pytest

from coordinator.extensions import db
from coordinator.rules import Refused
from coordinator.teams import services
from coordinator.teams.models import Team, TeamMember
from tests.conftest import field_errors

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def shared(make):
    """A property firm across two communities, by a whole community and by a compound."""
    ours, theirs, third = (
        make.community("红联北村社区"),
        make.community("师大北路社区"),
        make.community("文慧园路社区"),
    )
    our_compound = make.compound(ours, "红联北村")
    their_compound = make.compound(third, "文慧园路小区")
    team = make.team(
        name="北京首华物业管理有限公司",
        communities=[ours, theirs],
        compounds=[their_compound],
        members=2,
    )
    staff = make.user("staff", community_=ours)
    make.commit()
    return {
        "team": team,
        "staff": staff,
        "ours": ours,
        "theirs": theirs,
        "third": third,
        "our_compound": our_compound,
        "their_compound": their_compound,
    }


def _coverage(team_id):
    db.session.expire_all()
    team = db.session.get(Team, team_id)
    return {c.name for c in team.communities}, {c.name for c in team.compounds}


def test_staff_resaving_a_shared_team_keeps_the_other_communities(client, auth, shared):
    team = shared["team"]
    auth.login(shared["staff"])
    form = client.get(f"/teams/{team.id}/edit").get_data(as_text=True)
    assert 'name="name"' not in form and 'name="communities"' in form
    assert "师大北路社区" in form and "文慧园路社区 · 文慧园路小区" in form  # shown, kept
    # The staff member narrows their own part to one compound and saves.
    answer = client.post(
        f"/teams/{team.id}/edit",
        data={"compounds": [str(shared["our_compound"].id)], "name": "改掉的名字"},
    )
    assert answer.status_code == 302
    assert _coverage(team.id) == ({"师大北路社区"}, {"红联北村", "文慧园路小区"})
    assert db.session.get(Team, team.id).name == "北京首华物业管理有限公司"


def test_staff_dropping_their_community_leaves_the_rest(client, auth, shared):
    team = shared["team"]
    auth.login(shared["staff"])
    answer = client.post(f"/teams/{team.id}/edit", data={})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/teams/")
    assert _coverage(team.id) == ({"师大北路社区"}, {"文慧园路小区"})


def test_staff_cannot_reach_beyond_their_community_through_the_coverage_form(client, auth, shared):
    team = shared["team"]
    auth.login(shared["staff"])
    answer = client.post(f"/teams/{team.id}/edit", data={"communities": [str(shared["third"].id)]})
    assert answer.status_code == 422
    assert _coverage(team.id) == ({"红联北村社区", "师大北路社区"}, {"文慧园路小区"})


def test_staff_cannot_edit_a_shared_teams_details_or_members(client, auth, shared, make):
    team, staff = shared["team"], shared["staff"]
    member = team.members[0]
    with pytest.raises(Refused) as refused:
        services.save_team(
            staff,
            {
                "name": "别的名字",
                "kind": "property",
                "capacity": 3,
                "skills": ["drain"],
                "communities": [],
            },
            team,
        )
    assert refused.value.status == 403
    auth.login(staff)
    detail = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert "Edit coverage in your community" in detail and "Remove" not in detail
    assert member.phone in detail  # a dispatcher of a community it serves needs the numbers
    added = client.post(
        f"/teams/{team.id}/members", data={"name": "吴师傅", "phone": "13900000021"}
    )
    removed = client.post(f"/teams/{team.id}/members/{member.id}/remove")
    assert added.status_code == 403 and removed.status_code == 403
    db.session.expire_all()
    assert {m.phone for m in db.session.get(Team, team.id).members} == {
        m.phone for m in team.members
    }
    assert db.session.query(TeamMember).filter_by(phone="13900000021").count() == 0


def test_a_subdistrict_wide_team_is_shared_too(make):
    communities = [make.community() for _ in range(3)]
    team = make.team(communities=communities)
    staff = make.user("staff", community_=communities[0])
    make.commit()
    assert not services.can_edit(staff, team) and not services.can_manage_members(staff, team)
    assert services.can_edit_coverage(staff, team)


def test_the_lead_of_a_shared_team_still_manages_its_members(client, auth, shared, make):
    team = shared["team"]
    lead = make.user("lead", team_=team)
    make.commit()
    auth.login(lead)
    answer = client.post(
        f"/teams/{team.id}/members", data={"name": "吴师傅", "phone": "13900000021"}
    )
    assert answer.status_code == 302


def test_staff_edit_their_own_communitys_team_in_full(client, auth, make):
    ours = make.community("红联北村社区")
    compound = make.compound(ours, "红联北村")
    team = make.team(name="红联北村能工巧匠服务队", communities=[ours], members=1)
    staff = make.user("staff", community_=ours)
    make.commit()
    auth.login(staff)
    answer = client.post(
        f"/teams/{team.id}/edit",
        data={
            "name": "红联北村水电队",
            "kind": "handymen",
            "capacity": "4",
            "skills": ["plumbing"],
            "compounds": [str(compound.id)],
            "active": "y",
        },
    )
    assert answer.status_code == 302
    assert _coverage(team.id) == (set(), {"红联北村"})
    assert db.session.get(Team, team.id).name == "红联北村水电队"
    member = db.session.get(Team, team.id).members[0]
    assert client.post(f"/teams/{team.id}/members/{member.id}/remove").status_code == 302


def test_admin_sets_the_whole_coverage(client, auth, shared, make):
    admin = make.user("admin")
    make.commit()
    auth.login(admin)
    team = shared["team"]
    answer = client.post(
        f"/teams/{team.id}/edit",
        data={
            "name": team.name,
            "kind": "property",
            "capacity": "5",
            "skills": ["drain"],
            "communities": [str(shared["third"].id)],
            "active": "y",
        },
    )
    assert answer.status_code == 302, field_errors(answer.get_data(as_text=True))
    assert _coverage(team.id) == ({"文慧园路社区"}, set())


def test_staff_on_a_subdistrict_wide_team_see_no_member_buttons_and_are_refused(client, auth, make):
    """Issue 12: a team serving the whole subdistrict (the tree-trimming contractor covering
    all six communities) is the admin's and its lead's to staff: community staff see its
    members' numbers but no add or remove, the routes refuse, and its edit page is their
    community's coverage only."""
    communities = [make.community() for _ in range(6)]
    team = make.team(name="北京绿荫园林绿化工程有限公司", communities=communities, members=2)
    staff = make.user("staff", community_=communities[0])
    make.commit()
    member = team.members[1]
    auth.login(staff)
    page = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert "/remove" not in page and f"/teams/{team.id}/members" not in page
    assert member.phone in page
    assert (
        client.post(f"/teams/{team.id}/members/{member.id}/remove").status_code
        == client.post(
            f"/teams/{team.id}/members", data={"name": "吴师傅", "phone": "13900000022"}
        ).status_code
        == 403
    )
    edit = client.get(f"/teams/{team.id}/edit").get_data(as_text=True)
    assert 'name="name"' not in edit and 'name="communities"' in edit
    db.session.expire_all()
    assert len(db.session.get(Team, team.id).members) == 2
