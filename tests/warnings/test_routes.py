"""Routes: who may open them, the form (typed, pasted and read, refused), the warning page,
and the board, case and job pages marking warning work."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.i18n import to_local, utcnow
from coordinator.warnings import services
from coordinator.warnings.models import WeatherWarning
from tests.conftest import field_errors
from tests.warnings.conftest import WIND_TEXT, warning_data

HX = {"HX-Request": "true"}


def warnings_count():
    return db.session.scalar(select(func.count()).select_from(WeatherWarning))


def local(dt):
    return to_local(dt).strftime("%Y-%m-%dT%H:%M")


def form_data(**kw):
    now = utcnow()
    data = {
        "text": "",
        "kind": "wind",
        "level": "yellow",
        "valid_from": local(now + timedelta(hours=6)),
        "valid_to": local(now + timedelta(hours=30)),
        "area": "本市大部分地区",
        "issued_at": "",
    }
    data.update(kw)
    return data


@pytest.mark.parametrize("role", ["resident", "volunteer", "worker", "lead"])
def test_only_the_office_opens_warnings(client, auth, make, town, role):
    who = make.user(role=role)
    make.commit()
    warning = services.record(town.admin, warning_data()).warning
    auth.login(who)
    for path in ("/warnings", "/warnings/new", f"/warnings/{warning.id}"):
        assert client.get(path).status_code == 403, path
    assert client.post("/warnings/new", data=form_data()).status_code == 403
    assert warnings_count() == 1


def test_signed_out_is_sent_to_sign_in(client):
    assert client.get("/warnings").status_code == 302


@pytest.mark.parametrize("who", ["admin", "staff"])
def test_the_office_records_a_warning_and_its_plans_make_work(client, auth, town, plan, who):
    plan()
    auth.login(getattr(town, who))
    response = client.post("/warnings/new", data=form_data())
    assert response.status_code == 302
    warning = db.session.scalar(select(WeatherWarning))
    assert response.headers["Location"].endswith(f"/warnings/{warning.id}")
    page = client.get(f"/warnings/{warning.id}").get_data(as_text=True)
    assert "大风黄色预警" in page and "warning-yellow" in page
    assert page.count('href="/cases/') == 3  # each compound's tree check
    for compound in town.trees:
        assert compound.name in page
    # The residents' text: the kind's advice, the times, the office's phone and name.
    text = re.search(r'<textarea id="wechat-text"[^>]*>([^<]*)</textarea>', page).group(1)
    assert text.startswith("【大风黄色预警】") and "大树" in text
    if who == "staff":
        assert "请拨打社区电话010-62010009" in text and text.endswith("——绿树社区")
    else:
        assert "请拨打街道电话" in text
    listing = client.get("/warnings").get_data(as_text=True)
    assert "大风黄色预警" in listing and "current" in listing


def test_pasting_the_text_fills_the_fields_to_check(client, auth, town):
    auth.login(town.staff)
    now = to_local(utcnow()) + timedelta(days=1)
    text = WIND_TEXT.format(y=now.year, m=now.month, d=now.day, d2=(now + timedelta(days=1)).day)
    blank = {k: "" for k in form_data()}
    response = client.post("/warnings/new", data={**blank, "text": text, "read": "1"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<option selected value="wind">' in page or 'value="wind" selected' in page
    assert re.search(r'value="yellow"[^>]*checked|checked[^>]*value="yellow"', page)
    assert f'value="{now:%Y-%m-%d}T14:00"' in page
    assert "本市大部分地区" in page
    assert field_errors(page) == []
    assert warnings_count() == 0  # reading saves nothing
    # As htmx reads it live: the fields alone.
    fragment = client.post(
        "/warnings/new",
        data={**blank, "text": text, "read": "1"},
        headers={**HX, "HX-Target": "fields"},
    ).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="fields"') and "<html" not in fragment


def test_a_text_that_says_nothing_fills_nothing(client, auth, town):
    auth.login(town.staff)
    data = {**form_data(kind="", level=""), "text": "你好", "read": "1"}
    response = client.post("/warnings/new", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "没有从原文读出内容" in page and field_errors(page) == []


@pytest.mark.parametrize(
    "change, field_id",
    [
        ({"valid_to": "PAST_FROM"}, "valid_to"),
        ({"valid_from": "9999-12-31T10:00"}, "valid_from"),
        ({"valid_from": "not a date"}, "valid_from"),
        ({"kind": "tornado"}, "kind"),
        ({"level": ""}, "level"),
        ({"valid_to": ""}, "valid_to"),
        ({"area": "区" * 300}, "area"),
        ({"text": "风" * 6000}, "text"),
        ({"issued_at": "0001-01-01T00:00"}, "issued_at"),
    ],
)
def test_bad_input_is_refused_at_its_field_with_what_was_typed_kept(
    client, auth, town, plan, change, field_id
):
    plan()
    auth.login(town.admin)
    data = form_data()
    if change.get("valid_to") == "PAST_FROM":
        change = {"valid_to": local(utcnow() + timedelta(hours=2))}
    data.update(change)
    response = client.post("/warnings/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    end = "</fieldset>" if field_id == "level" else "</div>"
    block = re.search(rf'id="field-{field_id}".*?{end}', page, re.S).group(0)
    assert 'class="error"' in block, field_id
    assert "本市大部分地区" in page or field_id == "area"
    assert warnings_count() == 0 and db.session.scalar(select(func.count(Case.id))) == 0


def test_nul_bytes_are_never_stored(client, auth, town):
    auth.login(town.admin)
    response = client.post(
        "/warnings/new", data=form_data(area="本市\x00西部", text="大风\x00黄色预警")
    )
    assert response.status_code == 302
    warning = db.session.scalar(select(WeatherWarning))
    assert "\x00" not in warning.area and "\x00" not in warning.text


def test_a_warning_out_of_reach_is_not_found(client, auth, town):
    auth.login(town.admin)
    assert client.get("/warnings/999999").status_code == 404


def test_the_list_is_paged_newest_first_in_constant_queries(client, auth, town, count_queries):
    auth.login(town.admin)

    def queries_for(url):
        with count_queries() as q:
            assert client.get(url).status_code == 200
        return q.count

    services.record(town.admin, warning_data())
    few = queries_for("/warnings")
    for i in range(30):
        services.record(town.admin, warning_data(hours_ahead=i + 1))
    assert queries_for("/warnings") == few
    assert queries_for("/warnings?page=2") == few
    page = client.get("/warnings").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'id="warning-(\d+)"', page)]
    assert ids == sorted(ids, reverse=True)


def test_the_board_marks_warning_work_in_constant_queries(client, auth, town, plan, count_queries):
    """The badge comes in the board's own statement: as many queries for one warning's work
    as for several warnings' and for none."""
    auth.login(town.admin)

    def board(url="/cases?status=all"):
        with count_queries() as q:
            response = client.get(url)
        assert response.status_code == 200
        return q.count, response.get_data(as_text=True)

    plan()
    services.record(town.admin, warning_data())
    one, page = board()
    assert page.count('class="badge warning-badge warning-yellow">大风黄色预警</span>') == 3
    plan(title="暴雨前雨水口检查", warning_kinds="rainstorm", min_level="blue")
    services.record(town.admin, warning_data(kind="rainstorm", level="red"))
    services.record(town.admin, warning_data(level="orange"))
    several, page = board()
    assert several == one
    assert "暴雨红色预警" in page and "大风橙色预警" in page
    first_page, page = board("/cases")  # the pinned lists carry the badge too
    assert "大风橙色预警" in page


def test_the_board_shows_warning_works_deadline_before_the_team_accepts(client, auth, town, plan):
    from coordinator.i18n import when

    plan()
    services.record(town.admin, warning_data())
    case = db.session.scalar(select(Case).where(Case.campaign_id.is_not(None)))
    assert case.status == "dispatched" and case.due_at is None and case.deadline_at is not None
    auth.login(town.admin)
    page = client.get("/cases?status=all").get_data(as_text=True)
    assert f'<span class="due">{when(case.deadline_at)}前</span>' in page


def test_the_case_and_job_pages_show_the_warning(client, auth, town, plan, make):
    plan()
    recorded = services.record(town.admin, warning_data())
    case = db.session.scalar(select(Case).where(Case.campaign_id.is_not(None)))
    auth.login(town.staff)
    assert "大风黄色预警" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    auth.logout()
    lead = make.user(role="lead", team_=town.team)
    make.commit()
    auth.login(lead)
    assert "大风黄色预警" in client.get("/jobs").get_data(as_text=True)
    assert "大风黄色预警" in client.get(f"/jobs/{case.id}").get_data(as_text=True)
    assert recorded.runs


def test_staff_see_every_warning_but_only_their_communitys_cases(client, auth, town, plan, make):
    plan()
    warning = services.record(town.admin, warning_data()).warning
    stranger = make.user(role="staff", community_=make.community())
    make.commit()
    auth.login(stranger)
    page = client.get(f"/warnings/{warning.id}").get_data(as_text=True)
    assert "大风黄色预警" in page and "已生成 3 项工作" in page
    assert 'href="/cases/' not in page and "没有涉及本社区" in page
    for compound in town.trees:
        assert compound.name not in page
