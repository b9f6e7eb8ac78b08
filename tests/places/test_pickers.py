"""Pickers offer only what the person may use (issue 12: staff were offered all six
communities, then refused). Every form's community (and team) choices come from the domains'
scope rules (places.queries.community_choices, teams.queries.visible), and a value forged
outside them is refused at its field."""

import re

import pytest

from coordinator.extensions import db
from coordinator.teams.models import Team

# Each page with a community picker or filter, and the name of its field.
PAGES = [
    ("/cases/new", "community_id"),
    ("/cases", "community"),
    ("/events/new", "community_id"),
    ("/events", "community"),
    ("/events/records", "community"),
    ("/people/new", "community_id"),
    ("/teams/", "community"),
    ("/teams/new", "communities"),
    ("/plans/new", "community_id"),
    ("/campaigns/new", "communities"),
]


def offered(html: str, name: str) -> set[int]:
    """The community ids a page's picker offers (a select's options or a set of check boxes),
    without the "all" / "none" choice."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    if select:
        values = re.findall(r'<option[^>]*value="([^"]*)"', select.group(1))
    else:
        values = re.findall(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    return {int(v) for v in values if v not in ("", "0")}


@pytest.fixture
def two(make):
    ours, theirs = make.community("红联北村社区"), make.community("师大北路社区")
    make.compound(ours, "红联北村")
    make.compound(theirs, "师大北路小区")
    make.team("本社区队", skills=("drain",), communities=[ours])
    make.team("别的社区队", skills=("drain",), communities=[theirs])
    staff = make.user("staff", community_=ours, name="王伟")
    admin = make.user("admin", name="刘洋")
    make.commit()
    return ours, theirs, staff, admin


@pytest.mark.parametrize("path,name", PAGES)
def test_staff_are_offered_their_own_community_only(client, auth, two, path, name):
    ours, _theirs, staff, _admin = two
    auth.login(staff)
    html = client.get(path).get_data(as_text=True)
    assert offered(html, name) == {ours.id}, path


@pytest.mark.parametrize("path,name", PAGES)
def test_the_admin_is_offered_every_community(client, auth, two, path, name):
    ours, theirs, _staff, admin = two
    auth.login(admin)
    html = client.get(path).get_data(as_text=True)
    assert {ours.id, theirs.id} <= offered(html, name), path


def test_a_resident_reporting_is_offered_every_community(client, two):
    ours, theirs, _staff, _admin = two
    assert offered(client.get("/report").get_data(as_text=True), "community_id") == {
        ours.id,
        theirs.id,
    }


def test_staff_logging_a_case_start_in_their_community(client, auth, two):
    ours, _theirs, staff, _admin = two
    auth.login(staff)
    html = client.get("/cases/new").get_data(as_text=True)
    assert re.search(
        rf'<option selected value="{ours.id}">|<option value="{ours.id}" selected', html
    )


def test_the_campaign_team_picker_follows_the_teams_scope(client, auth, two):
    _ours, _theirs, staff, admin = two
    auth.login(staff)
    picker = client.get("/campaigns/new").get_data(as_text=True).split('name="team_id"', 1)[1]
    picker = picker.split("</select>", 1)[0]
    assert "本社区队" in picker and "别的社区队" not in picker
    client.post("/logout")
    auth.login(admin)
    picker = client.get("/campaigns/new").get_data(as_text=True).split('name="team_id"', 1)[1]
    assert "别的社区队" in picker.split("</select>", 1)[0]


def error_at(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="err-{field}">([^<]*)</p>', html)
    return found.group(1) if found else ""


@pytest.mark.parametrize(
    "path,data,field",
    [
        (
            "/cases/new",
            {"channel": "phone", "category": "drain", "tier": "general", "description": "漏水"},
            "community_id",
        ),
        (
            "/people/new",
            {
                "name": "某人",
                "phone": "13900001111",
                "role": "volunteer",
                "password": "abcd1234abcd",
            },
            "community_id",
        ),
        ("/events/new", {"title": "清理", "kind": "cleanup"}, "community_id"),
        ("/plans/new", {"title": "疏通"}, "community_id"),
        ("/teams/new", {"name": "新队", "kind": "handymen", "capacity": "3"}, "communities"),
    ],
)
def test_a_forged_community_is_refused_at_its_field(client, auth, two, path, data, field):
    _ours, theirs, staff, _admin = two
    auth.login(staff)
    if path == "/cases/new":  # a whole place of theirs: the compound agrees with the community
        data = {**data, "compound_id": theirs.compounds[0].id}
    answer = client.post(path, data={**data, field: theirs.id})
    assert answer.status_code == 422
    assert error_at(answer.get_data(as_text=True), field), path


def test_a_forged_team_is_refused_at_the_campaign_form(client, auth, two):
    _ours, _theirs, staff, _admin = two
    other = db.session.query(Team).filter_by(name="别的社区队").one()
    auth.login(staff)
    answer = client.post(
        "/campaigns/new",
        data={"title": "疏通", "category": "drain", "work_kind": "case", "team_id": other.id},
    )
    assert answer.status_code == 422
    assert error_at(answer.get_data(as_text=True), "team_id")
