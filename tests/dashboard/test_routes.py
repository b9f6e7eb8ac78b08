"""The dashboard over HTTP: who sees what, every number's link, constant statements, bad
parameters."""

import io
import re
from html import unescape

import pytest
from openpyxl import load_workbook

from coordinator import months

ANSWERS = {"contacted": "yes", "solved": "yes", "satisfaction": "satisfied", "note": ""}


@pytest.fixture
def two(world, make):
    """The world's community with cases, and another community with its own staff and case."""
    from coordinator.cases import services as cases

    other = make.community("别的社区")
    compound = make.compound(other, "别的小区")
    building = make.building(compound, "1号楼")
    other_staff = make.user("staff", community_=other, name="张敏")
    make.commit()
    closed = world.case("callback")
    cases.record_callback(world.staff, closed, ANSWERS)
    world.case("in_progress", tier="emergency")
    world.case(category="trees")
    cases.open_case(
        other_staff,
        world.case_data(
            community_id=other.id,
            compound_id=compound.id,
            building_id=building.id,
            entrance_id=building.entrances[0].id,
        ),
    )
    make.commit()
    return {"other": other, "other_staff": other_staff, "closed": closed}


def hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


def month_range():
    month = months.month_of()
    return month.isoformat(), months.last_day(month).isoformat()


def test_admin_sees_every_community_in_full(client, auth, world, two):
    auth.login(world.admin)
    page = client.get("/dashboard/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "红联北村社区" in html and "别的社区" in html
    since, until = month_range()
    links = hrefs(html)
    for community in (world.community, two["other"]):
        assert f"/cases?community={community.id}&since={since}&until={until}&status=all" in links


def test_every_number_links_to_the_board_with_its_filter(client, auth, world, two):
    auth.login(world.staff)
    html = client.get("/dashboard/").get_data(as_text=True)
    links = hrefs(html)
    since, until = month_range()
    base = f"/cases?community={world.community.id}&since={since}&until={until}"
    expected = [
        f"{base}&status=all",  # received
        f"{base}&status=closed&dated=closed",  # closed
        f"/cases?community={world.community.id}&status=overdue",  # overdue
        f"{base}&status=all&tier=emergency&dated=handled",  # a tier's hand-overs
        f"{base}&status=all&category=drain&dated=handled",  # a category's hand-overs
        f"{base}&status=all&category=trees",  # a category's cases received
    ]
    for link in expected:
        assert link in links, link
    # Following a number shows the cases it counts.
    board = client.get(f"{base}&status=all&category=trees").get_data(as_text=True)
    assert board.count('class="title"') >= 1
    closed = client.get(f"{base}&status=closed&dated=closed").get_data(as_text=True)
    assert f"#{two['closed'].id}" in closed


def test_staff_see_only_the_others_composite_and_rank(client, auth, world, two):
    auth.login(world.staff)
    html = client.get("/dashboard/").get_data(as_text=True)
    other = two["other"].id
    assert "别的社区" in html  # for comparison
    assert f"community={other}" not in html  # no link into another community's cases
    row = re.search(rf'<tr data-community="{other}">(.*?)</tr>', html, re.S).group(1)
    assert row.count("<td") == 3  # name, composite, rank
    assert client.get(f"/dashboard/?community={other}").status_code == 404
    assert client.get(f"/dashboard/charts/rates.svg?community={other}").status_code == 404
    month = months.label(months.month_of())
    book = load_workbook(io.BytesIO(client.get(f"/dashboard/{month}.xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    theirs = next(r for r in rows if r[0] == "别的社区")
    assert theirs[1:5] == (None, None, None, None) and theirs[7:] == (None, None, None)


@pytest.mark.parametrize("role", ["resident", "volunteer", "lead", "worker"])
def test_other_roles_are_refused(client, auth, world, make, role):
    user = make.user(role, team_=world.team if role in ("lead", "worker") else None)
    make.commit()
    auth.login(user)
    month = months.label(months.month_of())
    for url in ("/dashboard/", "/dashboard/charts/rates.svg", f"/dashboard/{month}.xlsx"):
        assert client.get(url).status_code == 403, url


def test_signed_out_is_sent_to_sign_in(client):
    assert client.get("/dashboard/").status_code == 302


def test_the_months_xlsx_has_the_rates_per_community(client, auth, world, two):
    auth.login(world.admin)
    month = months.label(months.month_of())
    answer = client.get(f"/dashboard/{month}.xlsx")
    assert answer.status_code == 200
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(answer.data)).active.iter_rows(values_only=True))
    mine = next(r for r in rows if r[0] == "红联北村社区")
    # call-backs, response, resolution, satisfaction, composite, rank, received, closed
    assert mine[1:9] == (1, 100.0, 100.0, 100.0, 100.0, 1, 3, 1)
    theirs = next(r for r in rows if r[0] == "别的社区")
    assert theirs[1] == 0 and theirs[2] is None and theirs[5] is None  # — not 0


def test_the_page_says_when_its_figures_were_computed(client, auth, world, two):
    auth.login(world.admin)
    client.set_cookie("lang", "en")
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "This month&#39;s figures: live, as of" in html or "This month's figures" in html


@pytest.mark.parametrize(
    "query",
    [
        "?month=9999-99",
        "?month=%00",
        "?month=2026-13",
        "?month=1999-12",
        "?month=2020-01",
        "?month=" + "9" * 500,
        "?month=2026-1",
        "?community=abc",
        "?community=-1",
        "?community=99999999999999999999",
        "?community=%00",
        "?community=0",
    ],
)
def test_bad_parameters_are_4xx_never_500(client, auth, world, query):
    auth.login(world.admin)
    status = client.get("/dashboard/" + query).status_code
    assert status in (200, 404), (query, status)
    if query not in ("?month=%00", "?community=%00"):  # werkzeug drops the NUL: no parameter
        assert status == 404
    assert client.get("/dashboard/charts/rates.svg" + query).status_code in (200, 404)


@pytest.mark.parametrize("month", ["9999-99", "%00", "2026-13", "abc", "1999-01", "x" * 300])
def test_bad_xlsx_months_are_404(client, auth, world, month):
    auth.login(world.admin)
    assert client.get(f"/dashboard/{month}.xlsx").status_code == 404
    assert client.get("/dashboard/charts/pie.svg").status_code == 404


def test_charts_are_svg_with_an_etag(client, auth, world, two):
    auth.login(world.staff)
    html = client.get("/dashboard/").get_data(as_text=True)
    urls = [unescape(u) for u in re.findall(r'<img src="(/dashboard/charts/[^"]+)"', html)]
    assert len(urls) == 2
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
        assert b"<svg" in answer.data and b"<script" not in answer.data
        etag = answer.headers["ETag"]
        assert etag.strip('"') in url  # the page names the chart by its figures
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304


def _dashboard_queries(client, count_queries, url):
    with count_queries() as q:
        assert client.get(url).status_code == 200
    return q.count


def test_query_count_is_constant_in_the_data_size(client, auth, world, two, count_queries):
    urls = ["/dashboard/", f"/dashboard/?community={world.community.id}"]
    month = months.label(months.month_of())
    for who in (world.admin, world.staff):
        auth.login(who)
        few = [_dashboard_queries(client, count_queries, u) for u in urls]
        few_xlsx = _dashboard_queries(client, count_queries, f"/dashboard/{month}.xlsx")
        for status in ("received", "closed", "in_progress", "reopened") * 3:
            world.case(status, category="paving")
        many = [_dashboard_queries(client, count_queries, u) for u in urls]
        assert many == few
        assert _dashboard_queries(client, count_queries, f"/dashboard/{month}.xlsx") == few_xlsx
        assert max(few) <= 9


def test_the_home_page_offers_this_months_callbacks(client, auth, world, two):
    auth.login(world.staff)
    html = client.get("/home").get_data(as_text=True)
    assert 'href="/dashboard/"' in html  # the nav entry and the number's link
    assert "Call-backs this month" in html


def test_a_frozen_month_says_so_and_keeps_its_figures(client, auth, world, two, clock):
    from datetime import timedelta

    from coordinator.cases import services as cases

    month = months.month_of()
    later = months.bounds(month)[1] + timedelta(hours=2)
    clock.set(later)
    auth.login(world.admin)
    client.set_cookie("lang", "en")
    url = f"/dashboard/?month={months.label(month)}&community={world.community.id}"
    before = client.get(url).get_data(as_text=True)  # the first read of the month freezes
    assert "frozen" in before
    # An old case edited later: a call-back on it now (its `at` is in the frozen month).
    case = world.case("callback")
    cases.record_callback(world.staff, case, ANSWERS)
    after = client.get(url).get_data(as_text=True)
    table = re.search(r'<table class="data" id="rates-table">.*?</table>', after, re.S).group(0)
    assert table == re.search(
        r'<table class="data" id="rates-table">.*?</table>', before, re.S
    ).group(0)
