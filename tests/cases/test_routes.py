"""Routes: full pages and fragments, bad input, scope and links."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coordinator.cases import job_links, services
from coordinator.cases.models import Case, CaseEvent
from coordinator.extensions import db
from tests.conftest import field_errors
from tests.uploads.images import big_jpeg_bytes, fake_pdf, jpeg_with_gps, upload

HX = {"HX-Request": "true"}


def cases_count():
    return db.session.scalar(select(func.count(Case.id)))


def post_files(client, url, data):
    """A multipart POST; the test client spools big bodies to a file it never closes."""
    response = client.post(url, data=data, content_type="multipart/form-data")
    response.request.environ["wsgi.input"].close()
    return response


def form_of(world, **kw):
    data = {
        "channel": "phone",
        "hotline_ticket": "",
        "category": "drain",
        "tier": "general",
        "community_id": world.community.id,
        "compound_id": world.compound.id,
        "building_id": world.building.id,
        "entrance_id": "",
        "floor": "1",
        "household": "101",
        "reporter_name": "李阿姨",
        "reporter_phone": "139 1234 5678",
        "description": "厨房下水道反水",
    }
    data.update(kw)
    return data


# ---------------------------------------------------------------- intake


def test_staff_logs_a_case(client, auth, world):
    auth.login(world.staff)
    assert client.get("/cases/new").status_code == 200
    response = client.post("/cases/new", data=form_of(world))
    assert response.status_code == 302
    case = db.session.scalar(select(Case))
    assert response.headers["Location"].endswith(f"/cases/{case.id}")
    assert case.reporter_phone == "13912345678" and case.created_by_id == world.staff.id


@pytest.mark.parametrize(
    "change,field_text",
    [
        ({"compound_id": "", "building_id": ""}, "Choose a compound."),
        ({"reporter_phone": "12345"}, "Enter a mobile number"),
        ({"description": "堵" * 5000}, "At most 2000 characters."),
        ({"channel": "hotline_12345"}, "Enter the 12345 ticket number."),
        ({"building_id": "999999"}, "Choose a building of this compound."),
    ],
)
def test_bad_intake_is_422_with_message_and_kept_values(client, auth, world, change, field_text):
    auth.login(world.staff)
    data = form_of(world, **change)
    response = client.post("/cases/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert any(field_text in e for e in field_errors(html)), field_errors(html)
    assert "李阿姨" in html  # typed values kept
    assert cases_count() == 0


@pytest.mark.parametrize(
    "payload,name,status,message",
    [
        (big_jpeg_bytes(11), "big.jpg", 413, "larger than 10 MB"),
        (fake_pdf(), "scan.jpg", 422, "is not a photo"),
    ],
)
def test_bad_photo_is_refused_at_the_field(client, auth, world, payload, name, status, message):
    auth.login(world.staff)
    data = form_of(world)
    data["photos"] = [(io.BytesIO(payload), name)]
    response = post_files(client, "/cases/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert any(message in e for e in field_errors(html))
    assert "厨房下水道反水" in html and cases_count() == 0


def test_place_pickers_give_options(client, world):
    html = client.get(
        f"/cases/places/compound/options?community_id={world.community.id}",
        headers={**HX, "HX-Target": "compound_id"},
    ).get_data(as_text=True)
    assert "红联北村" in html and "<html" not in html
    html = client.get(f"/cases/places/entrance/options?building_id={world.building.id}").get_data(
        as_text=True
    )
    assert "1单元" in html and "2单元" in html


def test_public_report_gives_a_tracking_link(client, world):
    data = form_of(world)
    for key in ("channel", "hotline_ticket", "tier"):
        data.pop(key)
    data["reporter_phone"] = "13912345678"
    data["website"] = ""
    response = client.post("/report", data=data)
    case = db.session.scalar(select(Case))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/track/{case.tracking_token}")
    page = client.get(f"/track/{case.tracking_token}").get_data(as_text=True)
    assert case.number in page and "13912345678" not in page


def test_public_report_bad_input_and_honeypot(client, world):
    data = form_of(world, reporter_phone="010-6201", description="")
    response = client.post("/report", data=data)
    assert response.status_code == 422
    assert len(field_errors(response.get_data(as_text=True))) == 2
    data = form_of(world, reporter_phone="13912345678", website="http://spam.example")
    response = client.post("/report", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/report/sent")
    assert cases_count() == 0


def test_public_report_is_rate_limited(app, world, database_url, tmp_path):
    from coordinator import create_app
    from coordinator.extensions import limiter
    from tests.conftest import settings

    limited = create_app(
        settings(
            database_url,
            str(tmp_path),
            RATELIMIT_ENABLED=True,
            CASE_REPORT_RATE_LIMIT="2 per minute",
        )
    )
    try:
        with limited.app_context():
            client = limited.test_client()
            codes = [client.post("/report", data={"description": ""}).status_code for _ in range(3)]
            db.session.remove()
            db.engine.dispose()  # its own pool: close it, or PostgreSQL connections leak
    finally:
        limiter.init_app(app)  # the session's app again: limits off, as TestConfig says
    assert codes == [422, 422, 429]


# ---------------------------------------------------------------- the board


def test_board_full_page_and_fragment(client, auth, world):
    world.case("received", description="井盖松动")
    auth.login(world.staff)
    page = client.get("/cases").get_data(as_text=True)
    assert "井盖松动" in page and 'id="results"' in page and "every 30s" in page
    fragment = client.get("/cases?q=井盖", headers={**HX, "HX-Target": "results"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html and "井盖松动" in html


def test_staff_see_only_their_community(client, auth, world):
    case = world.case("received", description="本社区的事")
    auth.login(world.other_staff)
    assert "本社区的事" not in client.get("/cases?status=all").get_data(as_text=True)
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert client.post(f"/cases/{case.id}/act/void", data={"note": "x"}).status_code == 404


def test_team_side_cannot_open_the_board(client, auth, world):
    auth.login(world.worker)
    assert client.get("/cases").status_code == 403
    assert client.get(f"/cases/{world.case().id}").status_code == 403


def _board_queries(client, count_queries, url="/cases?status=all"):
    with count_queries() as q:
        assert client.get(url).status_code == 200
    return q.count


BOARD_URLS = [
    "/cases",
    "/cases?page=2",
    "/cases?status=all",
    "/cases?status=overdue&page=2",
    "/cases?q=反水",
    "/cases?q=%23123",
    "/cases?q=13912345678",
    "/cases?category=drain&channel=phone&since=2026-01-01&until=2030-01-01&team=1",
    "/cases?community=999&status=closed",
    "/cases?tier=emergency&status=all&dated=closed&since=2026-01-01",
]


def test_board_query_count_is_constant(client, auth, world, count_queries):
    """4 statements on the first page (the user, the filters' choices, the pinned new and
    overdue cases, the list), 3 on any other page or filter: whatever the data, staff or
    admin."""
    expected = [4] + [3] * (len(BOARD_URLS) - 1)
    for who in (world.admin, world.staff):
        auth.login(who)
        for _ in range(10):
            world.case("in_progress")
        world.case("received")
        few = [_board_queries(client, count_queries, url) for url in BOARD_URLS]
        for _ in range(60):
            services.open_case(world.staff, world.case_data())
        for case in [world.case("in_progress") for _ in range(3)]:
            case.due_at -= timedelta(days=30)
        db.session.commit()
        many = [_board_queries(client, count_queries, url) for url in BOARD_URLS]
        assert few == many == expected, who.name


def test_board_filters_by_urgency_place_and_closing_date(client, auth, world, make):
    """The dashboard's and hot spots' links land here: urgency, a compound or building (shown
    as a chip that undoes it, kept by the form as a hidden field), and dates that are the
    closing date rather than the logging date."""
    urgent = world.case("received", tier="emergency", description="燃气味道")
    world.case("received", description="普通的事")
    other = make.compound(world.community, name="别的院")
    elsewhere = world.case(
        "received",
        compound_id=other.id,
        building_id=None,
        entrance_id=None,
        floor=None,
        description="别处的事",
    )
    auth.login(world.staff)
    page = client.get("/cases?tier=emergency").get_data(as_text=True)
    assert "燃气味道" in page and "普通的事" not in page
    page = client.get(f"/cases?compound={world.compound.id}").get_data(as_text=True)
    assert "燃气味道" in page and "别处的事" not in page
    assert f'name="compound" value="{world.compound.id}"' in page and world.compound.name in page
    page = client.get(f"/cases?building={world.building.id}&status=all").get_data(as_text=True)
    assert "普通的事" in page and "别处的事" not in page
    # Logged today, closed never: found by logging date, not by closing date.
    today = urgent.created_at.date().isoformat()
    assert "燃气味道" in client.get(f"/cases?status=all&since={today}").get_data(as_text=True)
    closed_view = client.get(f"/cases?status=all&dated=closed&since={today}")
    assert closed_view.status_code == 200 and "燃气味道" not in closed_view.get_data(as_text=True)
    assert elsewhere.id and client.get("/cases?dated=nonsense&tier=x").status_code == 200


def test_board_escapes_what_people_typed(client, auth, world, make):
    """The rows are written with few escapes (board.html): every typed value still is one."""
    world.team.name = "<b>队</b>"
    make.commit()
    case = world.case(
        "in_progress", description="<script>alert(1)</script>", household="<i>101</i>"
    )
    case.due_at -= timedelta(days=30)
    db.session.commit()
    auth.login(world.staff)
    for url in ("/cases", "/cases?status=all&q=<script>"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<b>队" not in html and "<i>101" not in html and "&lt;i&gt;101" in html
        assert 'class="due late"' in html


# ---------------------------------------------------------------- the case page


def test_case_page_shows_suggestions_and_dispatches(client, auth, world):
    case = world.case("received")
    auth.login(world.staff)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "北京首华物业管理有限公司" in html and "0 of 5 jobs in hand" in html
    response = client.post(f"/cases/{case.id}/dispatch", data={"team_id": world.team.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "dispatched"


def test_illegal_transition_is_409(client, auth, world):
    case = world.case("received")
    auth.login(world.staff)
    response = client.post(f"/cases/{case.id}/act/verify_pass", data={"note": ""})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "received"


def test_void_needs_a_reason_at_the_field(client, auth, world):
    case = world.case("received")
    auth.login(world.staff)
    response = client.post(f"/cases/{case.id}/act/void", data={"note": ""})
    assert response.status_code == 422
    assert "Say why, in a few words." in field_errors(response.get_data(as_text=True))


def test_reveal_phone_fragment_is_logged(client, auth, world):
    case = world.case("received")
    auth.login(world.staff)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "139****5678" in page and "13912345678" not in page
    response = client.post(f"/cases/{case.id}/phone", headers={**HX, "HX-Target": "phone"})
    html = response.get_data(as_text=True)
    assert "tel:13912345678" in html and "<html" not in html
    assert (
        db.session.scalar(select(CaseEvent.actor_id).where(CaseEvent.action == "reveal_phone"))
        == world.staff.id
    )


def test_notice_page_prints_and_copies(client, auth, world):
    case = world.case("in_progress")
    auth.login(world.staff)
    response = client.post(
        f"/cases/{case.id}/notices", data={"entrance_id": "", "floors": "2-6", "extra": ""}
    )
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "notice-sheet" in html and 'data-copy="wechat-text"' in html and "2-6" in html


def test_link_bad_number_is_422(client, auth, world):
    case = world.case("received")
    auth.login(world.staff)
    response = client.post(
        f"/cases/{case.id}/links", data={"other_id": "99999", "kind": "duplicate_of"}
    )
    assert response.status_code == 422
    assert "No case with this number in your area." in field_errors(response.get_data(as_text=True))


def test_staff_record_a_phone_callback(client, auth, world):
    case = world.case("callback")
    auth.login(world.staff)
    response = client.post(
        f"/cases/{case.id}/callback",
        data={"contacted": "yes", "solved": "no", "satisfaction": "not"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "reopened"


# ---------------------------------------------------------------- field work


def test_worker_sees_own_jobs_only(client, auth, world):
    mine = world.case("dispatched", description="我的活")
    auth.login(world.other_worker)
    assert "我的活" not in client.get("/jobs").get_data(as_text=True)
    assert client.get(f"/jobs/{mine.id}").status_code == 404
    assert client.post(f"/jobs/{mine.id}/act/accept", data={}).status_code == 404
    auth.logout()
    auth.login(world.worker)
    assert "我的活" in client.get("/jobs").get_data(as_text=True)
    assert client.get(f"/jobs/{mine.id}").status_code == 200
    assert client.post(f"/jobs/{mine.id}/act/accept", data={}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, mine.id).status == "accepted"


def test_field_flow_with_visits_and_after_photo(client, auth, world):
    case = world.case("accepted")
    auth.login(world.worker)
    response = client.post(
        f"/jobs/{case.id}/visit",
        data={
            "found": "卫生间通了，厨房仍堵",
            "another_needed": "y",
            "photos": [(io.BytesIO(jpeg_with_gps()), "v1.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    response = client.post(f"/jobs/{case.id}/done", data={"root_cause": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Write down the cause" in " ".join(field_errors(html))
    response = client.post(
        f"/jobs/{case.id}/done",
        data={
            "root_cause": "头发",
            "follow_up": "维护",
            "note": "",
            "after_photo": (io.BytesIO(fake_pdf()), "after.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    response = client.post(
        f"/jobs/{case.id}/done",
        data={
            "root_cause": "头发",
            "follow_up": "维护",
            "note": "",
            "after_photo": (io.BytesIO(jpeg_with_gps()), "after.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "handled"


# ---------------------------------------------------------------- job links


def test_job_link_opens_and_acts_on_its_job(client, world):
    case = world.case("dispatched", description="链接里的活")
    token = job_links.job_link_token(case)
    assert "链接里的活" in client.get(f"/j/{token}").get_data(as_text=True)
    assert client.post(f"/j/{token}/act/accept", data={}).status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == "accepted"
    assert case.events[-1].actor_name.endswith("(job link)")


def test_job_link_refuses_tampering_other_cases_and_closed_jobs(client, world, web_app):
    a, b = world.case("dispatched"), world.case("dispatched")
    token = job_links.job_link_token(a)
    payload, rest = token.split(".", 1)
    forged = payload.replace(payload[2], "x" if payload[2] != "x" else "y", 1) + "." + rest
    for bad in (forged, token + "x", "nonsense"):
        response = client.get(f"/j/{bad}")
        assert response.status_code == 403
        assert "not valid" in response.get_data(as_text=True)
        assert client.post(f"/j/{bad}/act/accept", data={}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Case, b.id).status == "dispatched"
    web_app.config["CASE_LINK_MAX_AGE"] = -1
    try:
        response = client.get(f"/j/{token}")
        assert response.status_code == 403 and "expired" in response.get_data(as_text=True)
    finally:
        web_app.config["CASE_LINK_MAX_AGE"] = 3 * 86400
    closed = world.case("closed")
    closed_token = job_links.job_link_token(closed)
    response = client.get(f"/j/{closed_token}")
    assert response.status_code == 403 and "closed" in response.get_data(as_text=True)


def test_job_link_of_a_redispatched_case_is_dead(client, world):
    case = world.case("dispatched")
    token = job_links.job_link_token(case)
    services.act(world.lead, case, "return", "不归我们")
    services.dispatch(world.staff, case, world.other_team.id)
    assert client.get(f"/j/{token}").status_code == 403


@pytest.mark.parametrize("again", ["return", "reopen"])
def test_a_job_link_lives_for_its_own_dispatch_only(client, world, again):
    """Sent again to the same team (after a return, or a reopen), the case's earlier links
    stay closed; the new dispatch's link opens."""
    case = world.case("dispatched" if again == "return" else "reopened")
    old = job_links.job_link_token(case)
    assert client.get(f"/j/{old}").status_code == 200
    if again == "return":
        services.act(world.lead, case, "return", "先退回")
    services.dispatch(world.staff, case, world.team.id)
    assert case.team_id == world.team.id
    for url in (f"/j/{old}", f"/j/{old}/act/accept"):
        response = client.get(url) if url.endswith(old) else client.post(url, data={})
        assert response.status_code == 403 and "closed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "dispatched"
    new = job_links.job_link_token(db.session.get(Case, case.id))
    assert new != old and client.post(f"/j/{new}/act/accept", data={}).status_code == 302


def test_dispatch_form_refuses_a_team_elsewhere_at_the_field(client, auth, world, make):
    elsewhere = make.team("别处的队", skills=("drain",), communities=[make.community()])
    make.commit()
    case = world.case("received")
    auth.login(world.admin)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "别处的队" not in html  # not offered
    response = client.post(f"/cases/{case.id}/dispatch", data={"team_id": elsewhere.id})
    assert response.status_code == 422
    assert "This team does not cover the place of this case." in field_errors(
        response.get_data(as_text=True)
    )


def test_send_link_from_the_case_page(client, auth, world):
    case = world.case("dispatched")
    auth.login(world.staff)
    bad = client.post(f"/cases/{case.id}/send-link", data={"phone": "123"})
    assert bad.status_code == 422
    ok = client.post(f"/cases/{case.id}/send-link", data={"phone": "13900000099"})
    assert ok.status_code == 302


# ---------------------------------------------------------------- the resident's link


def test_resident_rates_on_the_tracking_link(client, world):
    case = world.case("callback")
    url = f"/track/{case.tracking_token}"
    assert "How did it go?" in client.get(url).get_data(as_text=True)
    bad = client.post(url, data={"contacted": "yes"})
    assert bad.status_code == 422 and len(field_errors(bad.get_data(as_text=True))) == 2
    assert (
        client.post(
            url, data={"contacted": "yes", "solved": "yes", "satisfaction": "satisfied"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "closed"
    assert client.get("/track/not-a-token").status_code == 404


def test_photos_follow_the_case_scope(client, auth, world):
    case = services.open_case(world.staff, world.case_data(), [upload(jpeg_with_gps())])
    auth.login(world.staff)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    url = re.search(r'src="(/photos/\d+/thumb)"', html).group(1)
    response = client.get(url)
    response.close()
    assert response.status_code == 200
    auth.logout()
    auth.login(world.other_staff)
    assert client.get(url).status_code == 404


def test_team_page_shows_the_record(client, auth, world):
    world.case("closed")
    auth.login(world.staff)
    html = client.get(f"/teams/{world.team.id}").get_data(as_text=True)
    assert "median hours to resolve" in html and "jobs done" in html


def test_the_board_speaks_chinese_by_default(client, auth, world, chinese):
    world.case("received")
    auth.login(world.staff)
    html = client.get("/cases").get_data(as_text=True)
    assert "新登记，尚未派单" in html and "登记诉求" in html


def test_board_dates_are_local_days_and_blank_choices_are_none(client, auth, world):
    """From/To are Beijing calendar days: a case logged at 00:30 on 1 Dec local (16:30 UTC
    on 30 Nov) is in "since 1 Dec", not in "until 30 Nov". "dated" of spaces is no choice."""
    from datetime import datetime

    case = world.case("received", description="午夜的事")
    case.created_at = datetime(2026, 11, 30, 16, 30)
    db.session.commit()
    auth.login(world.staff)
    since = client.get("/cases?status=all&since=2026-12-01").get_data(as_text=True)
    until = client.get("/cases?status=all&until=2026-11-30").get_data(as_text=True)
    assert "午夜的事" in since and "午夜的事" not in until
    assert client.get("/cases?dated=%20%09%E3%80%80&since=2026-12-01").status_code == 200
