import pytest

from coordinator.extensions import db
from coordinator.teams import services
from coordinator.teams.models import Team, TeamMember, TeamSkill, search_text_update
from coordinator.work import unit_of_work
from tests.conftest import field_errors

pytestmark = pytest.mark.usefixtures("english")
HX = {"HX-Request": "true", "HX-Target": "results"}


@pytest.fixture
def staff(make):
    community = make.community("红联北村社区")
    user = make.user("staff", community_=community)
    make.commit()
    return user


def good_team(community_id, **over):
    data = {
        "name": "红联北村水电队",
        "kind": "handymen",
        "phone": "010-62000000",
        "capacity": "4",
        "skills": ["plumbing", "electrics"],
        "communities": [str(community_id)],
        "description": "",
        "active": "y",
    }
    data.update(over)
    return data


def test_staff_creates_a_team_for_their_community(client, auth, staff):
    auth.login(staff)
    response = client.post("/teams/new", data=good_team(staff.community_id))
    assert response.status_code == 302
    team = db.session.query(Team).one()
    assert team.name == "红联北村水电队"
    assert sorted(team.skill_codes) == ["electrics", "plumbing"]
    assert [c.id for c in team.communities] == [staff.community_id]


@pytest.mark.parametrize(
    "override, message",
    [
        ({"name": ""}, "Enter the team's name."),
        ({"name": "长" * 81}, "At most 80 characters."),
        ({"phone": "12345"}, "Enter a mobile number (13800138000) or a landline (010-62000000)."),
        ({"capacity": "0"}, "Enter a number from 1 to 500."),
        ({"skills": []}, "Choose at least one skill."),
        ({"description": "字" * 2001}, "At most 2000 characters."),
    ],
)
def test_bad_input_is_shown_at_the_field_and_kept(client, auth, staff, override, message):
    auth.login(staff)
    data = good_team(staff.community_id, **override)
    response = client.post("/teams/new", data=data, headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert any(message in e for e in field_errors(html)) or message in html
    if data["name"]:
        assert f'value="{data["name"]}"' in html  # what was typed is kept
    assert db.session.query(Team).count() == 0


def test_duplicate_team_name_is_refused_at_the_field(client, auth, staff, make):
    make.team(name="北京首华物业管理有限公司")
    make.commit()
    auth.login(staff)
    response = client.post(
        "/teams/new", data=good_team(staff.community_id, name="北京首华物业管理有限公司")
    )
    assert response.status_code == 422
    assert "A team with this name exists already." in field_errors(response.get_data(as_text=True))
    assert db.session.query(Team).count() == 1


def test_staff_cannot_cover_another_community(client, auth, staff, make):
    other = make.community()
    make.commit()
    auth.login(staff)
    response = client.post(
        "/teams/new", data=good_team(staff.community_id, communities=[str(other.id)])
    )
    assert response.status_code == 422
    assert db.session.query(Team).count() == 0


def test_inline_validation_returns_only_the_field(client, auth, staff, make):
    make.team(name="北京首华物业管理有限公司")
    make.commit()
    auth.login(staff)
    response = client.post(
        "/teams/validate",
        data={"name": "北京首华物业管理有限公司"},
        headers={"HX-Request": "true", "HX-Target": "field_name"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and 'id="field-name"' in html
    assert "A team with this name exists already." in html


def seed_teams(community, n):
    for i in range(n):
        team = Team(name=f"队伍{i:05d}", kind="handymen", capacity=3)
        team.skills = [TeamSkill(skill="drain"), TeamSkill(skill="trees")]
        team.members = [
            TeamMember(name=f"成员{i}-{j}", phone=f"139{i:04d}{j:04d}", is_lead=j == 0)
            for j in range(3)
        ]
        team.communities = [community]
        db.session.add(team)
    db.session.execute(search_text_update())  # rows made in bulk, as bench/seed_teams.py does
    db.session.commit()


def test_team_list_query_count_does_not_grow(client, auth, make, count_queries):
    admin = make.user("admin")
    community = make.community()
    make.commit()
    auth.login(admin)
    seed_teams(community, 10)
    with count_queries() as small:
        assert client.get("/teams/").status_code == 200
    seed_teams_more = 990
    for start in range(10, 10 + seed_teams_more, 330):
        for i in range(start, start + 330):
            team = Team(name=f"队伍{i:05d}", kind="handymen", capacity=3)
            team.skills = [TeamSkill(skill="drain")]
            team.members = [TeamMember(name=f"成员{i}", phone=f"137{i:08d}", is_lead=True)]
            team.communities = [community]
            db.session.add(team)
        db.session.execute(search_text_update())
        db.session.commit()
    assert db.session.query(Team).count() == 1000
    with count_queries() as large:
        assert client.get("/teams/").status_code == 200
    with count_queries() as filtered:
        assert client.get("/teams/?q=队伍00&skill=drain&page=3").status_code == 200
    assert small.count == large.count == filtered.count


def test_search_finds_by_name_skill_and_member(client, auth, make):
    admin = make.user("admin")
    shouhua = make.team(name="北京首华物业管理有限公司", skills=["drain"])
    greenery = make.team(name="北京绿荫园林", skills=["trees"])
    make.commit()
    services.add_member(
        admin, greenery, {"name": "冯队长", "phone": "13900000041", "is_lead": True}
    )
    auth.login(admin)

    def names(query):
        html = client.get(f"/teams/?q={query}", headers=HX).get_data(as_text=True)
        return {t for t in (shouhua.name, greenery.name) if t in html}

    assert names("首华") == {shouhua.name}
    assert names("冯队") == {greenery.name}
    assert names("Trees") == {greenery.name}
    client.set_cookie("lang", "zh")
    assert names("绿化") == {greenery.name}  # the skill's Chinese name


def test_search_follows_members_added_and_removed_and_the_team_renamed(client, auth, make):
    """The list searches a text kept beside each team; every operation that changes a team's
    name or members updates it, in its own transaction."""
    admin = make.user("admin")
    community = make.community()
    east, west = make.team(name="东区维修队"), make.team(name="西区维修队", communities=[community])
    make.commit()
    auth.login(admin)

    def found(query):
        html = client.get(f"/teams/?q={query}", headers=HX).get_data(as_text=True)
        return {t for t in ("东区维修队", "西区维修队", "西区水电队") if t in html}

    assert (
        client.post(
            f"/teams/{east.id}/members", data={"name": "钱师傅", "phone": "13911112222"}
        ).status_code
        == 302
    )
    assert found("钱师") == {"东区维修队"} and found("1111222") == {"东区维修队"}
    member = db.session.scalars(db.select(TeamMember).filter_by(phone="13911112222")).one()
    assert client.post(f"/teams/{east.id}/members/{member.id}/remove").status_code == 302
    assert found("钱师") == set()
    edited = client.post(
        f"/teams/{west.id}/edit",
        data={
            "name": "西区水电队",
            "kind": "handymen",
            "capacity": "3",
            "skills": ["drain"],
            "communities": [str(community.id)],
            "active": "y",
        },
    )
    assert edited.status_code == 302
    assert found("水电") == {"西区水电队"} and found("维修") == {"东区维修队"}


def test_a_refused_member_change_leaves_the_search_text_as_it_was(app, make):
    team = make.team(name="东区维修队", members=1)
    lead = make.user("lead", team_=team)
    make.commit()
    before = team.search_text
    with pytest.raises(RuntimeError):
        with app.test_request_context():
            with unit_of_work():
                services.add_member(lead, team, {"name": "钱师傅", "phone": "13911112222"})
                raise RuntimeError("something later in the same use case failed")
    db.session.expire_all()
    assert db.session.get(Team, team.id).search_text == before
    assert "钱师傅" not in before


def test_search_takes_wildcards_literally(client, auth, make):
    admin = make.user("admin")
    make.team(name="百分百_保洁队")
    make.team(name="保洁二队")
    make.commit()
    auth.login(admin)
    assert "保洁二队" not in client.get("/teams/?q=%25", headers=HX).get_data(as_text=True)
    html = client.get("/teams/?q=百_保", headers=HX).get_data(as_text=True)
    assert "百分百_保洁队" in html and "保洁二队" not in html


def test_list_fragment_and_full_page(client, auth, make):
    admin = make.user("admin")
    make.team(name="北京首华物业管理有限公司")
    make.commit()
    auth.login(admin)
    page = client.get("/teams/?q=首华")
    fragment = client.get("/teams/?q=首华", headers=HX)
    assert "<html" in page.get_data(as_text=True)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "北京首华物业管理有限公司" in body
    assert "HX-Request" in fragment.headers["Vary"]
    boosted = client.get("/teams/?q=首华", headers={**HX, "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


def test_bad_filter_values_do_not_break_the_list(client, auth, make):
    admin = make.user("admin")
    make.commit()
    auth.login(admin)
    for query in (
        "kind=zzz",
        "community=abc",
        "skill=<script>",
        "page=-4",
        "page=x",
        "q=" + "x" * 500,
    ):
        assert client.get(f"/teams/?{query}").status_code == 200


def test_member_phones_are_masked_for_roles_that_do_not_need_them(client, auth, make):
    community = make.community()
    team = make.team(communities=[community], members=1)
    other_team = make.team()
    phone = team.members[0].phone
    staff = make.user("staff", community_=community)
    lead = make.user("lead", team_=team)
    make.commit()
    masked = f"{phone[:3]}****{phone[-4:]}"

    auth.login(staff)
    assert phone in client.get(f"/teams/{team.id}").get_data(as_text=True)
    auth.logout()
    auth.login(lead)
    assert phone in client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert client.get(f"/teams/{other_team.id}").status_code == 404
    auth.logout()
    admin_of_nothing = make.user("worker", team_=team)
    make.commit()
    auth.login(admin_of_nothing)
    html = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert phone in html  # own team: needs the numbers to reach each other
    assert masked not in html


def test_lead_adds_a_member_by_htmx_and_bad_phone_is_kept(client, auth, make):
    team = make.team()
    lead = make.user("lead", team_=team)
    make.commit()
    auth.login(lead)
    headers = {"HX-Request": "true", "HX-Target": "members"}
    bad = client.post(
        f"/teams/{team.id}/members", data={"name": "吴师傅", "phone": "1234"}, headers=headers
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'value="吴师傅"' in html and "<html" not in html
    good = client.post(
        f"/teams/{team.id}/members",
        data={"name": "吴师傅", "phone": "139 0000 0021"},
        headers=headers,
    )
    assert good.status_code == 200
    assert db.session.query(TeamMember).filter_by(phone="13900000021").one().name == "吴师傅"
