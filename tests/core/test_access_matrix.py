"""Deny by default, tested over every route of the app: each role is let in, sent to sign in,
or refused with 403; nothing answers 500."""

import re

import pytest
from flask import url_for
from werkzeug.routing import IntegerConverter

from coordinator import access
from coordinator.access import PUBLIC

ROLES = ["anonymous", *access.ROLES]


def every_rule(app):
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.rule
    )


def test_every_view_declares_who_may_open_it(app):
    undeclared = [
        r.endpoint
        for r in every_rule(app)
        if getattr(app.view_functions[r.endpoint], "allowed_roles", None) is None
    ]
    assert undeclared == []


@pytest.fixture
def world(make):
    """One of everything, so that every URL parameter can name a real row."""
    community = make.community("红联北村社区")
    compound = make.compound(community, "红联北村")
    make.building(compound)
    team = make.team(communities=[community], members=2)
    users = {
        role: make.user(
            role,
            community_=community if role != "admin" else None,
            team_=team if role in access.TEAM_SIDE else None,
        )
        for role in access.ROLES
    }
    make.commit()
    return {
        "community_id": community.id,
        "compound_id": compound.id,
        "team_id": team.id,
        "user_id": users["volunteer"].id,
        "member_id": team.members[0].id,
        "users": users,
    }


def url_for_rule(rule, world) -> str:
    values = {}
    for arg in rule.arguments:
        converter = rule._converters[arg].__class__.__name__
        if arg in world:
            values[arg] = world[arg]
        elif converter == "AnyConverter":
            values[arg] = sorted(rule._converters[arg].items)[0]
        elif isinstance(rule._converters[arg], IntegerConverter):  # converters.Id too
            values[arg] = 1
        else:
            values[arg] = "x"
    return url_for(rule.endpoint, **values)


def test_role_route_matrix(app, client, auth, world):
    failures = []
    for role in ROLES:
        if role != "anonymous":
            auth.login(world["users"][role])
        for rule in every_rule(app):
            with app.test_request_context():
                url = url_for_rule(rule, world)
            method = "GET" if "GET" in rule.methods else "POST"
            response = client.open(url, method=method)
            declared = app.view_functions[rule.endpoint].allowed_roles
            status = response.status_code
            if status >= 500:
                failures.append(f"{role} {method} {url}: {status}")
            elif declared == PUBLIC:
                continue
            elif role == "anonymous":
                if status != 302 or "/login" not in response.headers["Location"]:
                    failures.append(f"{role} {method} {url}: {status}, not sent to sign in")
            elif role not in declared:
                if status != 403:
                    failures.append(f"{role} {method} {url}: {status}, expected 403")
            elif status == 403:
                failures.append(f"{role} {method} {url}: 403 though the role is allowed")
            if rule.endpoint == "auth.logout" and role != "anonymous":
                auth.login(world["users"][role])  # signing out is in the map too
        if role != "anonymous":
            auth.logout()
    assert failures == []


@pytest.mark.parametrize(
    "role, path, expected",
    [
        ("volunteer", "/teams/", 403),
        ("resident", "/people", 403),
        ("resident", "/places/", 403),
        ("worker", "/people", 403),
        ("worker", "/teams/new", 403),
        ("staff", "/people", 200),
        ("staff", "/places/", 200),
        ("admin", "/places/communities/new", 200),
        ("staff", "/places/communities/new", 403),
    ],
)
def test_roles_reach_what_their_row_says(client, auth, make, role, path, expected):
    user = make.user(role)
    make.commit()
    auth.login(user)
    assert client.get(path).status_code == expected


def test_scoped_rows_outside_the_area_are_not_found(client, auth, make):
    mine, other = make.community(), make.community()
    other_compound = make.compound(other)
    my_team = make.team(communities=[mine])
    other_team = make.team(communities=[other])
    staff = make.user("staff", community_=mine)
    worker = make.user("worker", team_=my_team)
    make.commit()

    auth.login(staff)
    assert client.get(f"/places/communities/{mine.id}").status_code == 200
    assert client.get(f"/places/communities/{other.id}").status_code == 404
    assert client.get(f"/places/compounds/{other_compound.id}").status_code == 404
    assert client.get(f"/teams/{my_team.id}").status_code == 200
    assert client.get(f"/teams/{other_team.id}").status_code == 404
    auth.logout()

    auth.login(worker)
    assert client.get(f"/teams/{my_team.id}").status_code == 200
    assert client.get(f"/teams/{other_team.id}").status_code == 404
    listing = client.get("/teams/").get_data(as_text=True)
    assert my_team.name in listing and other_team.name not in listing


def test_htmx_request_without_session_is_told_to_navigate(client):
    response = client.get("/teams/", headers={"HX-Request": "true", "HX-Target": "results"})
    assert response.status_code == 401
    assert re.match(r"/login\?next=", response.headers["HX-Redirect"])
