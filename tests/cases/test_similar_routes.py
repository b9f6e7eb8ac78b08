"""Similar cases on the pages: the intake panel (full page and htmx fragment), joining a report
to a case with one tap, the case page's panel, and /report's "already reported here" that shows
no one's personal data."""

import pytest
from sqlalchemy import func, select

from coordinator.cases.models import Case, CaseLink
from coordinator.extensions import db
from tests.cases.test_routes import HX, form_of
from tests.conftest import field_errors

PANEL = {**HX, "HX-Target": "similar"}


def count(model=Case):
    return db.session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- /cases/new


def test_intake_panel_as_fragment(client, auth, world):
    original = world.case(description="下水道堵了反味")
    auth.login(world.staff)
    data = {k: form_of(world)[k] for k in ("community_id", "compound_id", "building_id")}
    data.update(category="drain", description="厨房下水道反水", check="1")
    response = client.post("/cases/new", data=data, headers=PANEL)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert f"#{original.id}" in html and "Same building, same category" in html
    assert "Similar description (" in html
    assert f'value="duplicate_of:{original.id}"' in html
    assert f'value="same_root_cause:{original.id}"' in html
    assert count() == 1  # looking saves nothing


def test_intake_panel_without_js_and_with_errors(client, auth, world):
    original = world.case()
    auth.login(world.staff)
    # The no-JavaScript "check for similar cases" button: the whole page, the form as typed.
    page = client.post("/cases/new", data=form_of(world, check="1"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html and "李阿姨" in html
    assert f'value="duplicate_of:{original.id}"' in html
    # A form that comes back with errors shows the panel too.
    bad = client.post("/cases/new", data=form_of(world, description=""))
    assert bad.status_code == 422 and f'value="duplicate_of:{original.id}"' in bad.get_data(
        as_text=True
    )
    assert count() == 1


def test_intake_panel_says_when_there_is_none(client, auth, world):
    auth.login(world.staff)
    html = client.post("/cases/new", data=form_of(world, check="1"), headers=PANEL).get_data(
        as_text=True
    )
    assert "No similar case at this place" in html


@pytest.mark.parametrize("kind", ["duplicate_of", "same_root_cause"])
def test_one_tap_logs_the_report_joined(client, auth, world, kind):
    original = world.case("dispatched")
    auth.login(world.staff)
    data = form_of(world, reporter_name="王大爷", join=f"{kind}:{original.id}")
    response = client.post("/cases/new", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{original.id}")
    joined = db.session.scalar(select(Case).where(Case.id != original.id))
    assert joined.status == "void" and joined.reporter_name == "王大爷"
    link = db.session.scalar(select(CaseLink))
    assert (link.case_id, link.other_id, link.kind) == (joined.id, original.id, kind)
    # The original's page lists it; the duplicate's resident's link shows the original.
    page = client.get(f"/cases/{original.id}").get_data(as_text=True)
    assert f"#{joined.id}" in page and "Linked from" in page
    track = client.get(f"/track/{joined.tracking_token}").get_data(as_text=True)
    assert "The earlier report you follow" in track and "Joined to an earlier report" in track
    assert "李阿姨" not in track and "13912345678" not in track and "厨房下水道反水" not in track


@pytest.mark.parametrize(
    "join,message",
    [
        ("duplicate_of:abc", "Choose how the cases are linked."),
        ("copy_of:1", "Choose how the cases are linked."),
        ("duplicate_of:999999", "No such case to join here."),
    ],
)
def test_bad_join_is_422_at_the_panel_with_values_kept(client, auth, world, join, message):
    world.case()
    auth.login(world.staff)
    response = client.post("/cases/new", data=form_of(world, join=join, reporter_name="王大爷"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_errors(html) and "王大爷" in html
    assert count() == 1 and count(CaseLink) == 0


def test_joining_a_closed_case_is_refused(client, auth, world):
    closed = world.case("closed")
    auth.login(world.staff)
    response = client.post("/cases/new", data=form_of(world, join=f"duplicate_of:{closed.id}"))
    assert response.status_code == 422
    assert any("is closed" in e for e in field_errors(response.get_data(as_text=True)))
    assert count() == 1


def test_joining_another_communitys_case_is_refused(client, auth, world, make):
    elsewhere = make.compound(world.other_staff.community, "别处")
    make.commit()
    auth.login(world.admin)
    theirs = client.post(
        "/cases/new",
        data=form_of(
            world,
            community_id=world.other_staff.community_id,
            compound_id=elsewhere.id,
            building_id="",
        ),
    )
    assert theirs.status_code == 302
    other_id = db.session.scalar(select(Case.id))
    auth.logout()
    auth.login(world.staff)
    response = client.post("/cases/new", data=form_of(world, join=f"duplicate_of:{other_id}"))
    assert response.status_code == 422 and count(CaseLink) == 0


def test_intake_statements_constant(client, auth, world, count_queries):
    world.case()
    auth.login(world.staff)
    data = form_of(world, check="1")
    with count_queries() as few:
        client.post("/cases/new", data=data, headers=PANEL)
    for i in range(20):
        world.case(description=f"厨房下水道反水{i}")
    with count_queries() as many:
        client.post("/cases/new", data=data, headers=PANEL)
    assert few.count == many.count


# ---------------------------------------------------------------- the case page


def test_case_page_panel_links_with_one_tap(client, auth, world):
    case = world.case()
    other = world.case(description="下水道堵了反味")
    auth.login(world.staff)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="similar"' in html and f"#{other.id}" in html
    assert f'name="other_id" value="{other.id}"' in html
    response = client.post(
        f"/cases/{case.id}/links", data={"other_id": other.id, "kind": "same_root_cause"}
    )
    assert response.status_code == 302
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Linked already." in html


def test_case_page_statements_constant(client, auth, world, count_queries):
    url = f"/cases/{world.case().id}"
    auth.login(world.staff)
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for i in range(20):
        world.case(description=f"厨房下水道反水{i}")
    with count_queries() as many:
        client.get(url)
    assert few.count == many.count


# ---------------------------------------------------------------- /report


def report_form(world, **kw):
    data = form_of(world, reporter_phone="13600002222", reporter_name="居民甲", **kw)
    for key in ("channel", "hotline_ticket", "tier"):
        data.pop(key)
    data["website"] = ""
    return data


def test_report_shows_already_reported_without_anyones_data(client, world):
    original = world.case("in_progress", household="302", description="厨房下水道反水很臭")
    query = (
        f"community_id={world.community.id}&compound_id={world.compound.id}"
        f"&building_id={world.building.id}&category=drain"
    )
    response = client.get(f"/report/similar?{query}", headers={**HX, "HX-Target": "already"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "Already reported here" in html and "Being handled" in html and "3号楼" in html
    assert f'name="follows" value="{original.id}"' in html
    for private in (
        "李阿姨",
        "13912345678",
        "139****5678",
        "302",
        "厨房下水道反水很臭",
        "北京首华",
    ):
        assert private not in html, private
    # Without JavaScript: the whole page, the form as sent (POST keeps it out of the address).
    page = client.post("/report/similar", data=report_form(world, check="1"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html and "居民甲" in html
    assert "李阿姨" not in html and "厨房下水道反水很臭" not in html
    assert count() == 1


def test_resident_follows_a_case(client, world):
    original = world.case("dispatched")
    response = client.post("/report", data=report_form(world, follows=str(original.id)))
    assert response.status_code == 302
    mine = db.session.scalar(select(Case).where(Case.id != original.id))
    assert mine.status == "received" and mine.reporter_name == "居民甲"
    assert db.session.scalar(select(CaseLink.other_id)) == original.id
    track = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The earlier report you follow" in track and "Being handled" in track
    assert "李阿姨" not in track and "13912345678" not in track


def test_resident_cannot_follow_a_case_not_shown_here(client, world, make):
    other = make.building(world.compound, "9号楼")
    make.commit()
    hidden = world.case(building_id=other.id, entrance_id=None)
    response = client.post("/report", data=report_form(world, follows=str(hidden.id)))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "No such case to join here." in field_errors(html)
    assert "居民甲" in html and count() == 1
    response = client.post("/report", data=report_form(world, follows="１２"))
    assert response.status_code == 422 and count() == 1


def test_public_lookup_is_rate_limited(app, world, database_url, tmp_path):
    from coordinator import create_app
    from coordinator.extensions import limiter
    from tests.conftest import settings

    url = f"/report/similar?compound_id={world.compound.id}&category=drain"
    limits = dict(RATELIMIT_ENABLED=True, CASE_SIMILAR_RATE_LIMIT="2 per minute")
    limited = create_app(settings(database_url, str(tmp_path), **limits))
    try:
        with limited.app_context():
            client = limited.test_client()
            codes = [client.get(url).status_code for _ in range(3)]
            db.session.remove()
            db.engine.dispose()
    finally:
        limiter.init_app(app)
    assert codes == [200, 200, 429]
