"""The resident's side (issue 12): the tracking link texted at logging, my reports, the place
search by characters and pinyin initials, the rating's choices, the timeline in plain words
and the notices' words per category."""

import re

import pytest
from sqlalchemy import func, select

from coordinator.cases import queries, services, words
from coordinator.cases.models import Case
from coordinator.categories import CATEGORIES
from coordinator.extensions import db
from coordinator.filters import like_pattern
from coordinator.notifications.models import OutboxMessage
from coordinator.places import search
from coordinator.places import services as place_services
from coordinator.rules import Refused
from tests.cases.test_routes import HX
from tests.cases.test_routes import form_of as staff_form
from tests.uploads.images import jpeg_with_gps, upload


def texts(kind="case_tracking") -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def report_form(world, **kw):
    data = staff_form(world, reporter_phone="13912345678", website="", **kw)
    for key in ("channel", "hotline_ticket", "tier"):
        data.pop(key)
    return data


# ---------------------------------------------------------------- the link, texted at once


def test_a_case_logged_by_staff_texts_the_resident_their_link(client, auth, world):
    auth.login(world.staff)
    response = client.post("/cases/new", data=staff_form(world))
    assert response.status_code == 302
    case = db.session.scalar(select(Case))
    [message] = texts()
    assert message.recipient == "13912345678" and message.subject_id == case.id
    assert f"/track/{case.tracking_token}" in message.body
    assert case.number in message.body and "红联北村社区" in message.body
    assert message.user_id is None  # a resident without an account


def test_a_report_texts_its_link_and_its_page_shows_it(client, world):
    response = client.post("/report", data=report_form(world))
    case = db.session.scalar(select(Case))
    assert response.headers["Location"].endswith(f"/track/{case.tracking_token}")
    [message] = texts()
    assert message.recipient == "13912345678"
    assert message.body.endswith(f"/track/{case.tracking_token}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # The confirmation: the masked number it went to, and the link to copy.
    assert "139****5678" in page and "13912345678" not in page
    assert re.search(rf'id="tracking-link" value="http[^"]+/track/{case.tracking_token}"', page)
    assert 'data-copy="tracking-link"' in page


def test_a_report_joined_to_an_earlier_one_is_texted_too(client, world):
    earlier = world.case("dispatched")
    response = client.post("/report", data=report_form(world, follows=str(earlier.id)))
    assert response.status_code == 302
    [message] = texts()
    joined = db.session.scalar(select(Case).where(Case.id != earlier.id))
    assert f"/track/{joined.tracking_token}" in message.body


@pytest.mark.parametrize("phone", ["", "010-6201 0001"])
def test_no_mobile_number_no_text(client, auth, world, phone):
    auth.login(world.staff)
    assert (
        client.post("/cases/new", data=staff_form(world, reporter_phone=phone)).status_code == 302
    )
    assert db.session.scalar(select(func.count(Case.id))) == 1
    assert texts() == []


def test_whoever_logged_it_is_not_texted_their_own_finding(world):
    """A grid worker's patrol finding names them as the reporter: no text to themselves."""
    data = world.case_data(channel="patrol", reporter_phone=world.staff.phone)
    services.open_case(world.staff, data, tell_reporter=True)
    assert texts() == []


def test_the_text_goes_with_the_case_or_not_at_all(world):
    """Refused after the case was written (a join to a closed case): no case, no text."""
    closed = world.case("closed")
    before = db.session.scalar(select(func.count(Case.id)))
    with pytest.raises(Refused):
        services.open_case(
            world.staff, world.case_data(), joins=("duplicate_of", closed.id), tell_reporter=True
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count(Case.id))) == before
    assert texts() == []


def test_the_text_is_in_the_residents_language(client, auth, world, make, chinese):
    make.user("resident", name="李阿姨", phone_="13912345678").locale = "en"
    make.commit()
    auth.login(world.staff)
    client.post("/cases/new", data=staff_form(world))
    client.post("/cases/new", data=staff_form(world, reporter_phone="13912340000"))
    english, chinese_ = texts()
    assert english.body.startswith("红联北村社区 has received your report")
    assert chinese_.body.startswith("红联北村社区已收到您的反映") and "查看进度" in chinese_.body


# ---------------------------------------------------------------- my reports


@pytest.fixture
def resident(make):
    user = make.user("resident", name="孙先生", phone_="13912345678")
    make.commit()
    return user


def test_my_reports_lists_a_residents_own_cases_only(client, auth, world, resident):
    mine = [world.case("received"), world.case("closed")]
    theirs = world.case("received", reporter_phone="13700000000")
    auth.login(resident)
    html = client.get("/me/reports").get_data(as_text=True)
    for case in mine:
        assert f'href="/track/{case.tracking_token}"' in html
    assert theirs.tracking_token not in html
    assert "Done, case closed" in html and "Reported, waiting for a team" in html
    home = client.get("/home").get_data(as_text=True)
    assert 'href="/me/reports"' in home and "My reports in hand" in home


def test_my_reports_empty_says_what_to_do(client, auth, resident):
    auth.login(resident)
    html = client.get("/me/reports").get_data(as_text=True)
    assert "You have not reported anything" in html and 'href="/report"' in html


def test_my_reports_pages_in_a_fixed_number_of_statements(
    client, auth, world, resident, count_queries
):
    def statements(url):
        with count_queries() as q:
            assert client.get(url).status_code == 200
        return q.count

    auth.login(resident)
    for _ in range(3):
        world.case("received")
    few = statements("/me/reports")
    for _ in range(queries.MY_REPORTS_PER_PAGE + 5):
        world.case("received")
    many = statements("/me/reports")
    assert few == many == 2  # the signed-in user, the page of reports
    page2 = client.get("/me/reports?page=2").get_data(as_text=True)
    assert page2.count('href="/track/') == 8 and 'rel="prev"' in page2


@pytest.mark.parametrize("role", ["staff", "admin", "lead", "worker", "volunteer"])
def test_my_reports_is_the_residents_page_only(client, auth, make, role):
    user = make.user(role)
    make.commit()
    auth.login(user)
    assert client.get("/me/reports").status_code == 403


def test_my_reports_asks_a_stranger_to_sign_in(client):
    response = client.get("/me/reports")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_report_comes_filled_for_a_signed_in_resident(client, auth, resident):
    auth.login(resident)
    html = client.get("/report").get_data(as_text=True)
    assert 'value="孙先生"' in html and 'value="13912345678"' in html
    assert 'href="/me/reports"' in html


# ---------------------------------------------------------------- place search


@pytest.fixture
def places(make, world):
    street = make.compound(world.community, "西土城路8号院", address="西土城路8号")
    other = make.community("志强北园社区")
    far = make.compound(other, "志强北园", address="志强园北街3号")
    make.building(street, "2号楼", entrances=1)
    make.commit()
    return street, far


def found_names(html: str) -> list[str]:
    return re.findall(r'class="place-pick"[^>]*>\s*<strong>([^<]+)</strong>', html)


@pytest.mark.parametrize(
    "typed",
    ["xtcl", "XTCL", "ｘｔｃｌ", "西土城", "xituchenglu", "xtcl8hy", "西土城路 8号", "tcl8"],
)
def test_place_search_by_characters_pinyin_and_initials(client, places, typed):
    html = client.get(
        "/cases/places/search/report", query_string={"place_query": typed}, headers=HX
    ).get_data(as_text=True)
    assert found_names(html) == ["西土城路8号院"]
    assert "<html" not in html and 'data-community="' in html and "西土城路8号" in html


def test_place_search_with_zh_initials_whole(client, places):
    for typed in ("zqby", "zhqby", "志强"):
        html = client.get(f"/cases/places/search/report?place_query={typed}").get_data(as_text=True)
        assert found_names(html) == ["志强北园"], typed


@pytest.mark.parametrize(
    "typed", ["qqqq", "%", "_", "%%%", "\\", "' OR 1=1 --", "x" * 500, "🙂", "<script>"]
)
def test_place_search_finds_nothing_safely(client, places, typed):
    response = client.get("/cases/places/search/report", query_string={"place_query": typed})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert found_names(html) == [] and "<script>" not in html
    assert "No compound or street matches" in html


def test_place_search_empty_says_nothing(client, places):
    html = client.get("/cases/places/search/report?place_query=+").get_data(as_text=True)
    assert html.strip() == ""


def test_place_search_is_one_statement(client, places, count_queries):
    with count_queries() as q:
        client.get("/cases/places/search/report?place_query=xtcl")
    assert q.count == 1


def test_office_search_looks_in_the_staffs_own_community(client, auth, world, places):
    auth.login(world.staff)
    html = client.get("/cases/places/search/new?place_query=zqby").get_data(as_text=True)
    assert found_names(html) == []
    html = client.get("/cases/places/search/new?place_query=xtcl").get_data(as_text=True)
    assert found_names(html) == ["西土城路8号院"] and 'formaction="/cases/new"' in html
    auth.logout()
    auth.login(world.admin)
    html = client.get("/cases/places/search/new?place_query=zqby").get_data(as_text=True)
    assert found_names(html) == ["志强北园"]


def test_place_search_without_javascript_find_then_pick(client, world, places):
    street, _far = places
    # The search button: the form comes back as typed, with the places to pick from.
    data = report_form(world, community_id="", compound_id="", building_id="")
    page = client.post("/report/similar", data={**data, "place_query": "xtcl", "find": "1"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and found_names(html) == ["西土城路8号院"]
    assert 'formaction="/report/similar"' in html and "厨房下水道反水" in html
    # A place's button: the pickers take it, its buildings are offered, the search is done.
    page = client.post("/report/similar", data={**data, "place_query": "xtcl", "pick": street.id})
    html = page.get_data(as_text=True)
    assert re.search(rf'<option selected value="{street.id}">西土城路8号院', html)
    assert re.search(rf'<option selected value="{world.community.id}">', html)
    assert ">2号楼</option>" in html and found_names(html) == []
    assert db.session.scalar(select(func.count(Case.id))) == 0  # nothing saved


@pytest.mark.parametrize("junk", ["", "abc", "-1", "99999999999999999999", "0"])
def test_a_pick_of_no_place_changes_nothing(client, world, places, junk):
    data = report_form(world, place_query="", pick=junk)
    page = client.post("/report/similar", data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(rf'<option selected value="{world.compound.id}">红联北村', html)


def test_enter_in_the_search_box_without_javascript_shows_the_places(client, world, places):
    """Enter presses the form's send button: the report is not saved without a compound, and
    the places found for the box are there to pick from."""
    data = report_form(world, community_id="", compound_id="", building_id="", place_query="西土城")
    page = client.post("/report", data=data)
    assert page.status_code == 422
    assert found_names(page.get_data(as_text=True)) == ["西土城路8号院"]


def test_staff_intake_find_and_pick(client, auth, world, places):
    street, _far = places
    auth.login(world.staff)
    data = staff_form(world, compound_id="", building_id="", place_query="xtcl8", find="1")
    html = client.post("/cases/new", data=data).get_data(as_text=True)
    assert found_names(html) == ["西土城路8号院"]
    data = staff_form(world, compound_id="", building_id="", pick=str(street.id))
    html = client.post("/cases/new", data=data).get_data(as_text=True)
    assert re.search(rf'<option selected value="{street.id}">', html)


def test_the_search_key_is_kept_when_a_compound_is_written(world, places):
    street, _far = places
    assert "xtcl8hy" in street.search_key.split(search.SEPARATOR)
    place_services.save_compound(
        {
            "community_id": street.community_id,
            "name": "学院南路32号院",
            "kind": "compound",
            "address": "",
            "year_built": 1982,
            "has_bike_shed": True,
            "many_trees": False,
        },
        street,
    )
    db.session.expire_all()
    assert "xynl32hy" in db.session.get(type(street), street.id).search_key
    assert "xtcl" not in db.session.get(type(street), street.id).search_key


def test_search_forms_of_a_name():
    assert search.forms_of("志强北园") == ["志强北园", "zhiqiangbeiyuan", "zqby", "zhqby"]
    assert search.forms_of("  ") == []
    assert search.query_of("Ｘ T c L") == "xtcl" and len(search.query_of("a" * 99)) == 40
    assert like_pattern("50%_\\") == "%50\\%\\_\\\\%"


# ---------------------------------------------------------------- the rating's choices


def test_rating_choices_are_large_labelled_targets(client, world):
    case = world.case("callback")
    html = client.get(f"/track/{case.tracking_token}").get_data(as_text=True)
    form = html[html.index('<form method="post" class="stack card"') :]
    form = form[: form.index("</form>")]
    assert "<ul" not in form and "<li" not in form  # no bulleted list
    assert form.count('<fieldset class="choices"') == 3
    assert "<legend>How satisfied are you?" in form
    # Each choice is one label holding its radio and its words, beside each other.
    assert re.search(
        r'<label class="choice"><input id="satisfaction-0" name="satisfaction" required '
        r'type="radio" value="satisfied"> <span>Satisfied</span></label>',
        form,
    )
    assert form.count('<label class="choice">') == 2 + 2 + 3


def test_a_rating_error_stays_by_its_choices(client, world):
    case = world.case("callback")
    bad = client.post(f"/track/{case.tracking_token}", data={"contacted": "yes"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert re.search(r'<input checked id="contacted-0" name="contacted" [^>]*value="yes">', html)
    assert 'aria-describedby="err-solved"' in html and 'id="err-solved"' in html


def test_check_boxes_keep_their_own_rendering(client, auth, world):
    auth.login(world.admin)
    html = client.get("/teams/new").get_data(as_text=True)
    assert '<div class="checks"><ul' in html and 'type="checkbox"' in html


# ---------------------------------------------------------------- the timeline


def _li_story(world):
    """Ms Li's case: two visits, a notice, done, checked, rated satisfied."""
    case = world.case("accepted")
    services.act(world.worker, case, "start")
    services.add_visit(world.worker, case, {"found": "内部：室外井堵", "another_needed": True})
    services.create_notice(world.staff, case, {"entrance_id": None, "floors": ""})
    services.add_visit(world.worker, case, {"found": "主管道疏通", "another_needed": False})
    services.finish(world.worker, case, {"root_cause": "头发、湿巾"}, upload(jpeg_with_gps()))
    services.verify(world.staff, case, True, "内部核查备注")
    services.record_callback(
        services.resident(case),
        case,
        {"contacted": "yes", "solved": "yes", "satisfaction": "satisfied", "note": "谢谢"},
        by_resident=True,
    )
    return case


def test_the_timeline_in_a_residents_words(client, world):
    case = _li_story(world)
    html = client.get(f"/track/{case.tracking_token}").get_data(as_text=True)
    steps = html[html.index('id="steps"') :]
    titles = re.findall(r"<li><strong>([^<]+)</strong>", steps)
    assert titles == [
        "We received your report",
        "Passed to 北京首华物业管理有限公司 to deal with",
        "北京首华物业管理有限公司 took on the job",
        "A worker is on the way",
        "Visit 1: a worker came to look and to fix it",
        "Another visit is needed",
        "The neighbours affected were given a notice",
        "Visit 2: a worker came to look and to fix it",
        "The team has finished: the community office will check it",
        "The community office checked the work on site",
        "Done: the case is closed",
    ]
    assert '<span class="detail">Your answer: Satisfied</span>' in steps
    # Nobody's notes, no office-only steps, no empty visit rows.
    for hidden in (
        "内部",
        "主管道疏通",
        "头发",
        "Visit recorded",
        "Ask for call-back",
        "Call-back",
    ):
        assert hidden not in steps


def test_an_arrival_without_a_visit_is_a_step_of_its_own(world):
    case = world.case("in_progress")
    services.act(world.worker, case, "arrive")
    steps = [s.title for s in queries.resident_steps(case)]
    assert steps[-1] == "A worker has arrived" and len(steps) == 5


def test_the_timeline_of_a_report_joined_by_the_office(client, world):
    earlier = world.case("dispatched")
    joined = services.open_case(world.staff, world.case_data(), joins=("duplicate_of", earlier.id))
    html = client.get(f"/track/{joined.tracking_token}").get_data(as_text=True)
    steps = html[html.index('id="steps"') :]
    assert re.findall(r"<li><strong>([^<]+)</strong>", steps) == [
        "We received your report",
        "Joined to an earlier report",
    ]
    followed = html[html.index('id="followed"') : html.index('id="steps"')]
    assert "Passed to 北京首华物业管理有限公司 to deal with" in followed
    assert "Duplicate of" not in html


def test_every_step_has_words():
    for action, label in words.STEPS.items():
        assert (
            str(label)
            and "%(team)s" not in str(label)
            or action
            in (
                "dispatch",
                "reassign",
                "accept",
            )
        )


def test_a_recall_and_a_reassign_read_as_the_office_finding_the_team(world, other_lead):
    case = world.case("dispatched")
    services.recall(world.staff, case, "派错了")
    services.dispatch(world.staff, case, world.team.id)
    services.reassign(world.staff, case, world.other_team.id, "换一个近的队")
    db.session.expire_all()
    steps = [s.title for s in queries.resident_steps(db.session.get(Case, case.id))]
    assert steps[-3:] == [
        "The office is finding the right team for it",
        "Passed to a service team to deal with",  # the first team no longer has it
        f"Passed to {world.other_team.name} to deal with",
    ]
    assert not any("派错了" in s or "换一个" in s for s in steps)  # the office's reasons


# ---------------------------------------------------------------- notices


def test_a_notice_says_what_is_happening_for_its_category(world):
    drain = world.case("in_progress")
    notice = services.create_notice(world.staff, drain, {"entrance_id": None, "floors": "1-3"})
    assert "The drains and sewage pipes of your building are being cleared." in notice.text
    assert "do not pour grease" in notice.text and "a problem that affects you" not in notice.text
    entrance = world.building.entrances[0]
    trees = world.case("in_progress", category="trees")
    notice = services.create_notice(
        world.staff, trees, {"entrance_id": entrance.id, "floors": "", "extra": "请挪车。"}
    )
    assert "The trees around your entrance are being trimmed" in notice.text
    assert "请挪车。" in notice.text and "do not park" not in notice.text


def test_notices_in_chinese_per_category(world, chinese):
    case = world.case("in_progress")
    notice = services.create_notice(world.staff, case, {"entrance_id": None, "floors": ""})
    assert "您所在楼的下水管道正在疏通。" in notice.text
    assert "一个影响到您的问题" not in notice.text and "报告时间：" in notice.text
    assert notice.title == "致红联北村 3号楼居民的通知"


def test_every_category_has_its_sentences():
    assert set(words.HAPPENING) == set(CATEGORIES) == set(words.MEANWHILE)
    for text in words.HAPPENING.values():
        assert "%(here)s" in text.msgid


def test_place_search_is_rate_limited_for_strangers(app, places, make, database_url, tmp_path):
    """A search a keystroke is allowed plenty; a script walking the subdistrict is stopped.
    Staff are not: a whole office shares one address."""
    from coordinator import create_app
    from coordinator.extensions import db, limiter
    from tests.conftest import settings
    from tests.factories import PASSWORD

    limits = dict(RATELIMIT_ENABLED=True, PLACE_SEARCH_RATE_LIMIT="3 per minute")
    limited = create_app(settings(database_url, str(tmp_path), **limits))
    try:
        with limited.app_context():
            client = limited.test_client()
            codes = [
                client.get("/cases/places/search/report?place_query=xtcl", headers=HX).status_code
                for _ in range(4)
            ]
            staff = make.user("staff")
            make.commit()
            signed_in = client.post("/login", data={"phone": staff.phone, "password": PASSWORD})
            assert signed_in.status_code == 302
            office = [
                client.get("/cases/places/search/new?place_query=xtcl", headers=HX).status_code
                for _ in range(4)
            ]
            db.session.remove()
            db.engine.dispose()
    finally:
        limiter.init_app(app)
    assert codes == [200, 200, 200, 429]
    assert office == [200] * 4
