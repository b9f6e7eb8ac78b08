"""/plans: who sees and changes what, the form (from a case too), bad input, pause/resume on
the version read, constant SQL per page."""

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from coordinator.campaigns.targets import Targets
from coordinator.extensions import db
from coordinator.plans import services
from coordinator.plans.models import Plan, PlanRun
from tests.conftest import field_errors

JAN = datetime(2026, 1, 1, 1, 0)


def good_form(**changes):
    data = {
        "title": "路灯每月巡检",
        "category": "electrics",
        "tier": "general",
        "instructions": "夜间巡查路灯",
        "checklist": "路灯\n楼道灯",
        "team_id": "0",
        "community_id": "0",
        "old": "",
        "bike_shed": "",
        "many_trees": "",
        "trigger": "schedule",
        "freq": "MONTHLY",
        "interval": "1",
        "month_day": "1",
        "month": "0",
        "starts_on": "2026-12-01",
        "at_time": "09:00",
        "lead_days": "3",
        "advanced": "",
        "min_level": "yellow",
    }
    data.update(changes)
    return data


def plans_count():
    return db.session.scalar(select(func.count()).select_from(Plan))


@pytest.mark.parametrize("role", ["volunteer", "resident", "lead", "worker"])
def test_others_are_refused(client, auth, make, role):
    user = make.user(role)
    make.commit()
    auth.login(user)
    assert client.get("/plans").status_code == 403
    assert client.get("/plans/new").status_code == 403


def test_admin_makes_a_plan_from_the_form(client, auth, place):
    auth.login(place.admin)
    assert client.get("/plans/new").status_code == 200
    response = client.post("/plans/new", data=good_form())
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    plan = db.session.scalar(select(Plan))
    assert plan.rrule == "FREQ=MONTHLY;BYMONTHDAY=1"
    assert plan.starts_at == datetime(2026, 12, 1, 1, 0)  # 09:00 Beijing
    assert plan.community_id is None and plan.lead_days == 3
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "每月" in page and "第1日" in page
    assert len(re.findall(r"<li>\d{4}年", page)) == 5  # the next five dates


def test_an_advanced_rule_and_a_warning_plan(client, auth, place):
    auth.login(place.admin)
    response = client.post(
        "/plans/new", data=good_form(advanced="RRULE:FREQ=MONTHLY;BYDAY=-1FR", month_day="")
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Plan.rrule)) == "FREQ=MONTHLY;BYDAY=-1FR"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "每月、在最后一个周五" in page and "FREQ" not in page
    response = client.post(
        "/plans/new",
        data=good_form(
            title="大风前树木枯枝检查",
            category="trees",
            trigger="warning",
            warning_kinds=["wind"],
            many_trees="yes",
        ),
    )
    assert response.status_code == 302
    plan = db.session.scalar(select(Plan).where(Plan.trigger == "warning"))
    assert (plan.warning_kinds, plan.min_level, plan.rrule) == ("wind", "yellow", "")
    assert Targets.from_json(plan.criteria).many_trees is True
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "大风" in page


BAD = [
    ({"advanced": "FREQ=HOURLY"}, "advanced"),
    ({"advanced": "FREQ=DAILY;INTERVAL=0"}, "advanced"),
    ({"advanced": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "advanced"),
    ({"advanced": "garbage\x00"}, "advanced"),
    ({"interval": "0"}, "interval"),
    ({"interval": "1" + "0" * 30}, "interval"),
    ({"interval": "x"}, "interval"),
    ({"month_day": "0"}, "month_day"),
    ({"month_day": "32"}, "month_day"),
    ({"starts_on": "9999-12-31"}, "starts_on"),
    ({"starts_on": "0001-01-01"}, "starts_on"),
    ({"starts_on": ""}, "starts_on"),
    ({"lead_days": "-1"}, "lead_days"),
    ({"lead_days": "9" * 20}, "lead_days"),
    ({"title": ""}, "title"),
    ({"title": "计划\x00"}, None),
    ({"trigger": "warning"}, "warning_kinds"),
    ({"team_id": "999999"}, "team_id"),
    ({"min_buildings": "0"}, "min_buildings"),
]


@pytest.mark.parametrize("changes, field", BAD)
def test_bad_input_is_a_422_at_the_field_with_the_values_kept(client, auth, place, changes, field):
    auth.login(place.admin)
    response = client.post("/plans/new", data=good_form(**changes))
    page = response.get_data(as_text=True)
    if field is None:  # NUL bytes are dropped by the input layer: saved without them
        assert response.status_code in (302, 422)
        assert "\x00" not in (db.session.scalar(select(Plan.title)) or "")
        return
    assert response.status_code == 422
    assert f'id="err-{field}"' in page
    assert 'value="路灯每月巡检"' in page or changes.get("title") == ""
    assert plans_count() == 0


def test_a_plan_from_ms_lis_case(client, auth, place, make):
    from coordinator.cases import workflow
    from coordinator.cases.models import Case

    case = Case(
        category="drain",
        tier="utilities",
        channel="phone",
        community_id=place.community.id,
        compound_id=place.old[0].id,
        description="厨房下水道往上反水",
        tracking_token="t-li",
        root_cause="头发、塑料袋",
        follow_up="管道日常维护",
    )
    db.session.add(case)
    workflow.opened(case, place.staff)
    db.session.commit()
    auth.login(place.staff)
    page = client.get(f"/plans/new?case={case.id}").get_data(as_text=True)
    assert "老旧小区" in page and "定期维护" in page
    assert 'value="6"' in page and 'value="14"' in page  # every 6 months, 14 days ahead
    assert "头发、塑料袋" in page
    assert (
        'checked id="old"' in page
        or 'id="old" checked' in page
        or re.search(r'<input[^>]*checked[^>]*name="old"', page)
    )
    # another community's case is not offered
    auth.logout()
    auth.login(place.other_staff)
    page = client.get(f"/plans/new?case={case.id}").get_data(as_text=True)
    assert "厨房下水道" not in page


def test_staff_see_their_and_the_subdistricts_plans_and_change_only_theirs(
    client, auth, place, plan_of
):
    mine = plan_of(community=place.community, title="本社区计划")
    theirs = plan_of(community=place.other, title="别的社区计划")
    shared = plan_of(title="街道计划")
    auth.login(place.staff)
    page = client.get("/plans").get_data(as_text=True)
    assert "本社区计划" in page and "街道计划" in page and "别的社区计划" not in page
    assert client.get(f"/plans/{theirs.id}").status_code == 404
    assert client.get(f"/plans/{theirs.id}/edit").status_code == 404
    assert client.post(f"/plans/{theirs.id}/pause", data={"version": 1}).status_code == 404
    assert client.get(f"/plans/{shared.id}").status_code == 200
    assert f"/plans/{shared.id}/edit" not in client.get(f"/plans/{shared.id}").get_data(
        as_text=True
    )
    assert client.get(f"/plans/{shared.id}/edit").status_code == 404
    assert client.get(f"/plans/{mine.id}/edit").status_code == 200
    # staff's new plans are their community's: another's id is no choice of theirs
    forged = client.post("/plans/new", data=good_form(community_id=str(place.other.id)))
    assert forged.status_code == 422 and plans_count() == 3
    client.post("/plans/new", data=good_form(community_id=str(place.community.id)))
    made = db.session.scalar(select(Plan).where(Plan.title == "路灯每月巡检"))
    assert made.community_id == place.community.id


def test_pause_and_resume_on_the_version_read(client, auth, place, plan_of):
    plan = plan_of()
    auth.login(place.admin)
    assert client.post(f"/plans/{plan.id}/pause", data={"version": plan.version}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).active is False
    stale = client.post(f"/plans/{plan.id}/resume", data={"version": 1})
    assert stale.status_code == 409
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).active is False
    fresh = db.session.get(Plan, plan.id).version
    assert client.post(f"/plans/{plan.id}/resume", data={"version": fresh}).status_code == 302


def test_an_edit_on_an_old_version_is_409(client, auth, place, plan_of):
    plan = plan_of()
    auth.login(place.admin)
    response = client.post(f"/plans/{plan.id}/edit", data=good_form(version="0"))
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).title == "老旧小区主立管定期维护"


def test_the_page_shows_runs_and_failed_reasons(client, auth, place, plan_of):
    plan = plan_of(rrule="FREQ=MONTHLY", lead_days=3)
    services.run_due(now=datetime(2026, 4, 2))
    auth.login(place.admin)
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert page.count('class="card run run-missed"') == 3
    assert page.count('class="card run run-created"') == 1
    assert "/campaigns/" in page and "3项工作" in page and "已完成0/3" in page


def test_sql_per_page_is_constant_in_the_number_of_runs(
    client, auth, place, plan_of, count_queries
):
    plan = plan_of(rrule="FREQ=DAILY", lead_days=0, targets=Targets(built_from=2090))
    for i in range(3):
        plan_of(title=f"计划{i}")
    url = f"/plans/{plan.id}"
    auth.login(place.admin)
    services.run_due(now=JAN + timedelta(days=2))
    client.get(url)
    with count_queries() as few:
        client.get(url)
    with count_queries() as few_list:
        client.get("/plans")
    services.run_due(now=JAN + timedelta(days=40))
    services.run_due(now=JAN + timedelta(days=200))
    more = [plan_of(title=f"更多{i}") for i in range(5)]
    services.run_due(now=JAN + timedelta(days=200))
    assert db.session.scalar(select(func.count()).select_from(PlanRun)) > 40
    with count_queries() as many:
        client.get(url)
    with count_queries() as many_list:
        client.get("/plans")
    assert many.count == few.count, "\n".join(s[:90] for s in many.statements)
    assert many_list.count == few_list.count
    assert more


def test_a_warning_plans_runs_show_on_its_page(client, auth, place, plan_of):
    from coordinator.warnings.models import WeatherWarning

    plan = plan_of(
        trigger="warning",
        rrule="",
        starts_at=None,
        warning_kinds="wind",
        min_level="yellow",
        title="大风前树木枯枝检查",
        category="trees",
        team=False,
    )
    warning = WeatherWarning(
        kind="wind", level="yellow", valid_from=JAN, valid_to=JAN + timedelta(hours=12)
    )
    db.session.add(warning)
    db.session.commit()
    # What the warnings domain does when such a warning is recorded.
    outcome = services.run_occurrence(
        plan, JAN - timedelta(hours=6), warning_id=warning.id, due_at=JAN
    )
    assert outcome == "created"  # no team has the skill: the cases wait to be dispatched
    assert services.run_occurrence(plan, JAN, warning_id=warning.id, due_at=JAN) is None
    auth.login(place.admin)
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "大风" in page and "黄色" in page and "run-created" in page
    listing = client.get("/plans").get_data(as_text=True)
    assert "大风前树木枯枝检查" in listing


def test_the_edit_form_shows_the_plans_rule(client, auth, place, plan_of):
    simple = plan_of(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO")
    advanced = plan_of(rrule="FREQ=MONTHLY;BYDAY=-1FR", title="每月最后一个周五")
    auth.login(place.admin)
    page = client.get(f"/plans/{simple.id}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="interval"[^>]*value="2"', page)
    assert re.search(r'<input[^>]*checked[^>]*value="MO"', page)
    assert 'value="FREQ' not in page  # simple choices, the advanced field empty
    page = client.get(f"/plans/{advanced.id}/edit").get_data(as_text=True)
    assert 'value="FREQ=MONTHLY;BYDAY=-1FR"' in page
    # Its targets come back as they were chosen (old compounds of the one community).
    page = client.get(f"/plans/{simple.id}/edit").get_data(as_text=True)
    assert "checked" in re.search(r'<input[^>]*name="old"[^>]*>', page).group(0)
    assert re.search(rf'<input[^>]*checked[^>]*value="{place.community.id}"', page)
    response = client.post(
        f"/plans/{advanced.id}/edit",
        data=good_form(advanced="FREQ=MONTHLY;BYDAY=-1FR", version=str(advanced.version)),
    )
    assert response.status_code == 302


def test_a_warning_plan_ignores_the_hidden_schedule_fields(client, auth, place):
    auth.login(place.admin)
    response = client.post(
        "/plans/new",
        data=good_form(
            trigger="warning", warning_kinds=["wind"], interval="0", starts_on="9999-01-01"
        ),
    )
    assert response.status_code == 302
    plan = db.session.scalar(select(Plan))
    assert (plan.trigger, plan.rrule, plan.starts_at) == ("warning", "", None)
