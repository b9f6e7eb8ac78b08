"""/patrols and its steps over HTTP: who may do what (scope 404, roles 403), each step posting
and coming back to the compound's card, bad input at the field with nothing half-saved, the
log and the coverage with their counts, and constant SQL per page."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.i18n import local_date, utcnow
from coordinator.patrols import services
from coordinator.patrols.models import PatrolCheck, PatrolVisit
from coordinator.uploads.models import Photo
from tests.conftest import field_errors
from tests.patrols.conftest import jpeg


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def start(client, place, compound=None):
    compound = compound or place.compound
    return client.post(
        "/patrols/visits", data={"grid_id": place.grid.id, "compound_id": compound.id}
    )


def visit_id() -> int:
    db.session.expire_all()
    return db.session.scalar(select(PatrolVisit.id).order_by(PatrolVisit.id.desc()))


def problem(
    client, vid, item="street_lights", note="路灯不亮", photo=True, name="p.jpg", data=None
):
    form = {"item": item, "result": "problem", "note": note}
    if photo:
        form["photo"] = (io.BytesIO(data if data is not None else jpeg()), name)
    return client.post(
        f"/patrols/visits/{vid}/checks", data=form, content_type="multipart/form-data"
    )


PAGES = ["/patrols", "/patrols/log", "/patrols/coverage"]


@pytest.mark.parametrize("role", ["volunteer", "resident", "lead", "worker"])
def test_others_are_refused(client, auth, make, role):
    user = make.user(role)
    make.commit()
    auth.login(user)
    for path in PAGES:
        assert client.get(path).status_code == 403
    assert client.post("/patrols/visits", data={"grid_id": 1, "compound_id": 1}).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/patrols")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_round_walks_start_check_leave(english, auth, place):
    client = english
    auth.login(place.worker)
    page = client.get("/patrols").get_data(as_text=True)
    assert "红联北村" in page and "红联商铺" in page and "红联新苑" not in page
    assert page.count("Start here") == 3
    response = start(client, place)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/patrols#compound-{place.compound.id}")
    vid = visit_id()
    page = client.get("/patrols").get_data(as_text=True)
    assert "On site since" in page and "Bike shed and abandoned bikes" in page
    ok = client.post(f"/patrols/visits/{vid}/checks", data={"item": "manholes", "result": "ok"})
    assert ok.status_code == 303
    response = problem(client, vid)
    assert response.status_code == 303
    case = db.session.scalar(select(Case))
    assert case.channel == "patrol" and case.category == "electrics"
    page = client.get("/patrols").get_data(as_text=True)
    assert f"/cases/{case.id}" in page and f"case #{case.id} opened" in page
    assert client.post(f"/patrols/visits/{vid}/leave").status_code == 303
    page = client.get("/patrols").get_data(as_text=True)
    assert "Patrolled" in page and "1 problem" in page
    # Leaving twice: 409, the time kept.
    assert client.post(f"/patrols/visits/{vid}/leave").status_code == 409


def test_double_submit_makes_one_case(client, auth, place):
    auth.login(place.worker)
    start(client, place)
    start(client, place)
    assert count(PatrolVisit) == 1
    vid = visit_id()
    assert problem(client, vid).status_code == 303
    assert problem(client, vid).status_code == 303
    assert count(Case) == 1 and count(PatrolCheck) == 1


def test_a_problem_without_a_note_is_422_at_the_field(english, auth, place):
    auth.login(place.worker)
    start(english, place)
    vid = visit_id()
    response = problem(english, vid, note="   ")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Say what the problem is." in field_errors(html)
    assert f'id="err-note-{vid}-street_lights"' in html
    assert count(Case) == 0 and count(PatrolCheck) == 0 and count(Photo) == 0


def test_a_bad_photo_is_422_at_the_field_the_note_kept(english, auth, place):
    auth.login(place.worker)
    start(english, place)
    vid = visit_id()
    response = problem(english, vid, note="井盖缺了一块", data=b"GIF89a not really", name="x.gif")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="err-photo-{vid}-street_lights"' in html
    assert "井盖缺了一块" in html  # what was typed is kept
    assert count(Case) == 0 and count(PatrolCheck) == 0 and count(Photo) == 0


def test_nul_bytes_and_odd_values_are_4xx(client, auth, place):
    auth.login(place.worker)
    start(client, place)
    vid = visit_id()
    response = problem(client, vid, note="坏\x00了")
    assert response.status_code in (303, 422)
    assert (
        client.post(
            f"/patrols/visits/{vid}/checks", data={"item": "\x00", "result": "ok"}
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"/patrols/visits/{vid}/checks", data={"item": "manholes", "result": "x"}
        ).status_code
        == 422
    )
    for data in (
        {"grid_id": "abc", "compound_id": "1"},
        {"grid_id": "99999999999999999999", "compound_id": "1"},
        {"grid_id": "\x00", "compound_id": ""},
    ):
        assert client.post("/patrols/visits", data=data).status_code == 404
    assert (
        client.get("/patrols/log?from=9999-99-99&to=\x00&worker=abc&grid=-1&page=x").status_code
        == 200
    )
    assert client.get("/patrols/coverage?week=0001-01-01").status_code == 200
    assert client.get("/patrols/coverage?week=2099-12-31").status_code == 200


def test_forged_compounds_and_grids_are_404(client, auth, place):
    auth.login(place.worker)
    # A compound of my community, but of another grid; a compound of another community.
    assert start(client, place, place.outside).status_code == 404
    assert start(client, place, place.elsewhere).status_code == 404
    # A grid that is not mine.
    response = client.post(
        "/patrols/visits", data={"grid_id": place.other_grid.id, "compound_id": place.outside.id}
    )
    assert response.status_code == 404
    assert count(PatrolVisit) == 0


def test_a_visit_of_someone_else_is_404(client, auth, place):
    visit = services.arrive(place.worker, place.grid, place.compound.id)
    vid = visit.id
    db.session.commit()
    for who in (place.colleague, place.other_staff):
        auth.login(who)
        assert (
            client.post(
                f"/patrols/visits/{vid}/checks", data={"item": "manholes", "result": "ok"}
            ).status_code
            == 404
        )
        assert client.post(f"/patrols/visits/{vid}/leave").status_code == 404
        auth.logout()
    auth.login(place.admin)  # the admin looks, does not walk
    assert client.post(f"/patrols/visits/{vid}/leave").status_code == 403
    assert count(PatrolCheck) == 0


def test_the_admin_looks_at_every_grid(english, auth, place):
    services.arrive(place.worker, place.grid, place.compound.id)
    db.session.commit()
    auth.login(place.admin)
    page = english.get("/patrols").get_data(as_text=True)
    assert "第一网格" in page and "第二网格" in page and "On site since" in page
    assert "Start here" not in page and "Leave this compound" not in page


def _week(place, days=3, first=0):
    """Visits on the last `days` days (from `first` days ago), a problem on today's."""
    now = utcnow()
    for ago in range(first, first + days):
        t = now - timedelta(days=ago)
        visit = services.arrive(place.worker, place.grid, place.compound.id, now=t)
        if ago == 0:
            services.check(place.worker, visit, "flyposting", False, "小广告", now=t)
        services.leave(place.worker, visit, now=t + timedelta(minutes=15))
    db.session.commit()


def test_the_log_lists_visits_with_time_on_site_and_problems(english, auth, place):
    _week(place)
    auth.login(place.worker)
    html = english.get("/patrols/log").get_data(as_text=True)
    assert html.count("15 minutes") == 3
    case_id = db.session.scalar(select(Case.id))
    assert f"/cases/{case_id}" in html and "小广告" in html
    # Staff of another community see none of it; the admin sees it all.
    auth.logout()
    auth.login(place.other_staff)
    assert "15 minutes" not in english.get("/patrols/log").get_data(as_text=True)
    auth.logout()
    auth.login(place.admin)
    html = english.get(f"/patrols/log?worker={place.worker.id}").get_data(as_text=True)
    assert html.count("15 minutes") == 3
    today = local_date(utcnow()).isoformat()
    html = english.get(f"/patrols/log?from={today}&to={today}").get_data(as_text=True)
    assert html.count("15 minutes") == 1
    html = english.get(f"/patrols/log?grid={place.other_grid.id}").get_data(as_text=True)
    assert "15 minutes" not in html


def test_coverage_puts_the_compounds_nobody_patrolled_first(english, auth, place):
    _week(place, days=1)
    auth.login(place.worker)
    html = english.get("/patrols/coverage").get_data(as_text=True)
    rows = re.findall(r'<tr class="(nobody|walked)">\s*<th scope="row">([^<]+)<', html)
    assert [kind for kind, _name in rows] == ["nobody"] * 3 + ["walked"]
    assert rows[-1][1] == "红联北村"
    assert "3 compounds nobody patrolled this week." in html
    assert "师大北路小区" not in html  # another community's
    assert "✓ 王伟" in html
    # The week before: nobody anywhere.
    monday = local_date(utcnow()) - timedelta(days=local_date(utcnow()).weekday() + 7)
    html = english.get(f"/patrols/coverage?week={monday.isoformat()}").get_data(as_text=True)
    assert "4 compounds nobody patrolled this week." in html


# The signed-in user, then: the round and its checks; the filters' workers and grids, the
# visits and their checks; the compounds and the week's visits.
STATEMENTS = {"/patrols": 3, "/patrols/log": 5, "/patrols/coverage": 3}


@pytest.mark.parametrize("path", PAGES)
def test_statements_per_page_are_constant(client, auth, place, count_queries, path):
    auth.login(place.worker)
    client.get(path)  # warm: the sign-in's own statements, caches
    _week(place, days=1)
    with count_queries() as few:
        assert client.get(path).status_code == 200
    _week(place, days=4, first=1)
    for compound in (place.bungalow, place.business):
        visit = services.arrive(place.worker, place.grid, compound.id)
        services.check(place.worker, visit, "rubbish", False, "垃圾")
    db.session.commit()
    with count_queries() as many:
        assert client.get(path).status_code == 200
    assert many.count == few.count == STATEMENTS[path], many.statements


def test_the_nav_and_home_offer_the_patrol(client, auth, place):
    auth.login(place.worker)
    html = client.get("/home").get_data(as_text=True)
    assert "今日巡查小区" in html and 'href="/patrols"' in html
    bar = html.split('class="bottombar', 1)[1].split("</nav>", 1)[0]
    in_bar, _more, behind_more = bar.partition('<details class="nav-more')
    # A phone: 巡查 among the four, 队伍 behind "more" (a wide screen has it in the bar too).
    assert "巡查" in in_bar and "/teams/" in behind_more
    assert in_bar.count("<a href=") <= 4


def test_fragments_are_the_card_in_place(client, auth, place):
    """htmx posts and selects the card from the page it is sent back to."""
    auth.login(place.worker)
    response = client.post(
        "/patrols/visits",
        data={"grid_id": place.grid.id, "compound_id": place.compound.id},
        headers={"HX-Request": "true", "HX-Target": f"compound-{place.compound.id}"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert f'id="compound-{place.compound.id}"' in response.get_data(as_text=True)
