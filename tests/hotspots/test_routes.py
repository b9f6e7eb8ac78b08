"""/hotspots: who sees what, every number a link to the board that lists that many cases,
periods and bad input, the compound rows opening in place, constant SQL per page."""

import re
from html import unescape

import pytest

from coordinator.hotspots import services


def cells(html: str) -> list[tuple[str, int]]:
    """(link, number) of every cell of the heat grid."""
    grid = html.split('<table class="heat">', 1)[1].split("</table>", 1)[0]
    body = grid.split("<tfoot>", 1)[0]
    return [
        (unescape(href), int(n))
        for href, n in re.findall(r'<td class="heat-[0-9a-z]+"><a href="([^"]+)">(\d+)</a>', body)
    ]


def board_rows(client, url: str) -> int:
    page = client.get(url).get_data(as_text=True)
    return len(re.findall(r'<tr id="case-\d+">', page))


@pytest.mark.parametrize("role", ["volunteer", "resident", "lead", "worker"])
def test_others_are_refused(client, auth, make, role):
    user = make.user(role)
    make.commit()
    auth.login(user)
    assert client.get("/hotspots").status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/hotspots")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_sees_every_community_staff_their_own(client, auth, place):
    place.case()
    place.case(building=False, compound=place.elsewhere, category="paving")
    auth.login(place.admin)
    page = client.get("/hotspots").get_data(as_text=True)
    assert "红联北村" in page and "师大北路小区" in page
    auth.logout()
    auth.login(place.staff)
    page = client.get("/hotspots").get_data(as_text=True)
    assert "红联北村" in page and "师大北路小区" not in page
    assert f"compound={place.elsewhere.id}" not in page


def test_every_cell_opens_the_board_with_as_many_cases(client, auth, place, days_ago):
    place.case()
    place.case()
    place.case(category="trees")
    place.case(building=place.other_building)
    place.case(building=False, compound=place.older, category="bikes")
    place.case(at=days_ago(200))  # outside the period: counted nowhere on the page
    services.rebuild()
    auth.login(place.staff)
    html = client.get("/hotspots?period=month").get_data(as_text=True)
    found = cells(html)
    assert len(found) == 3 * 11  # three compounds, ten categories and the total
    assert sum(n for _url, n in found) == 2 * 5
    for url, n in found:
        assert url.startswith("/cases?compound=") and "status=all" in url and "since=" in url
        assert board_rows(client, url) == n, url
    # A compound's row opens its buildings, whose cells link by building.
    opened = client.get(f"/hotspots?period=month&compound={place.old.id}").get_data(as_text=True)
    assert 'aria-expanded="true"' in opened
    building_cells = [(u, n) for u, n in cells(opened) if "building=" in u]
    assert len(building_cells) == 2 * 11
    for url, n in building_cells:
        assert board_rows(client, url) == n, url


def test_repeats_link_to_the_building_and_category(client, auth, place, days_ago):
    for n in (60, 30, 0):
        place.case(at=days_ago(n) if n else None)
    services.rebuild()
    auth.login(place.admin)
    html = client.get("/hotspots?period=3").get_data(as_text=True)
    section = html.split('class="card repeat"', 1)[1].split("</li>", 1)[0]
    assert "红联北村 1号楼" in section and "3 次" in section
    url = unescape(re.search(r'href="([^"]+)"', section).group(1))
    assert f"building={place.building.id}" in url and "category=drain" in url
    assert board_rows(client, url) == 3


def test_the_fragment_is_the_grid(client, auth, place):
    place.case()
    auth.login(place.admin)
    response = client.get(
        f"/hotspots?period=month&compound={place.old.id}",
        headers={"HX-Request": "true", "HX-Target": "grid"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and '<table class="heat">' in body
    assert "<html" not in body and "1号楼" in body


@pytest.mark.parametrize(
    "query, field",
    [
        ("period=7", "period"),
        ("period=range&from=2026-13&to=2026-12", "from"),
        ("period=range&from=abc&to=2026-12", "from"),
        ("period=range&from=2026-05&to=2026-01", "to"),
        ("period=range&from=2000-01&to=2026-01", "to"),
        ("period=range&from=2026-01", "to"),
        ("period=range&from=%00&to=%FF", "from"),
        ("period=" + "9" * 500, "period"),
    ],
)
def test_bad_periods_say_why_at_the_field(client, auth, place, query, field):
    auth.login(place.admin)
    response = client.get(f"/hotspots?{query}")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="err-{field}"' in body and 'class="heat"' not in body


def test_a_range_keeps_what_was_typed(client, auth, place):
    auth.login(place.admin)
    body = client.get("/hotspots?period=range&from=2026-02&to=2026-01").get_data(as_text=True)
    assert 'value="2026-02"' in body and 'value="2026-01"' in body
    ok = client.get("/hotspots?period=range&from=2025-12&to=2026-02")
    assert ok.status_code == 200 and "since=2025-12-01" in unescape(ok.get_data(as_text=True))
    assert "until=2026-02-28" in unescape(ok.get_data(as_text=True))


@pytest.mark.parametrize("compound", ["abc", "-1", "99999999999999999999", "0", "999"])
def test_odd_compounds_are_ignored(client, auth, place, compound):
    auth.login(place.staff)
    response = client.get(f"/hotspots?compound={compound}")
    assert response.status_code == 200 and 'aria-expanded="true"' not in response.get_data(
        as_text=True
    )


def test_another_communitys_compound_does_not_open(client, auth, place):
    place.case(building=False, compound=place.elsewhere)
    auth.login(place.staff)
    body = client.get(f"/hotspots?compound={place.elsewhere.id}").get_data(as_text=True)
    assert "师大北路小区" not in body and "5号楼" not in body


def test_statements_per_page_do_not_grow_with_the_data(client, auth, place, count_queries):
    auth.login(place.admin)
    url = f"/hotspots?period=12&compound={place.old.id}"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for i in range(4):
        place.case(category=["drain", "trees", "bikes", "paving"][i])
        place.case(building=place.other_building, category="drain")
        place.case(building=place.older_building, category="bikes")
        place.case(building=False, compound=place.elsewhere, category="other")
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count <= 8, many.statements


def test_the_office_finds_it_from_home(client, auth, place, make):
    auth.login(place.staff)
    assert 'href="/hotspots"' in client.get("/home").get_data(as_text=True)
    auth.logout()
    volunteer = make.user("volunteer")
    make.commit()
    auth.login(volunteer)
    assert 'href="/hotspots"' not in client.get("/home").get_data(as_text=True)
