"""Campaign pages: the list, a campaign's page (constant statements), making one from a case,
a hot spot or a drive (live count, bad input, double submit), scope, found, case ↔ event."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from coordinator.campaigns import services
from coordinator.campaigns.models import Campaign, CampaignTarget, CaseEventLink
from coordinator.cases.models import Case
from coordinator.events.models import Event
from coordinator.extensions import db
from tests.campaigns.conftest import logged_case
from tests.conftest import field_errors


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _form(**kw):
    data = {
        "title": "主立管疏通专项行动",
        "category": "drain",
        "instructions": "检查主立管",
        "checklist": "查主立管\n清淤",
        "old": "y",
        "work_kind": "case",
        "team_id": "",
        "tier": "general",
        "submission_key": "a-one-time-key-0001",
    }
    data.update(kw)
    return data


def test_make_a_campaign_from_a_case(client, auth, place):
    community, old, new, team, admin, staff = place
    case = logged_case(old[0], staff)
    auth.login(admin)
    page = client.get(f"/campaigns/new?case={case.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "厨房下水道往上反水" in html and 'value="drain"' in html
    # The live count, as htmx asks for it when a field changes.
    fragment = client.get(
        "/campaigns/new/count?old=y", headers={"HX-Request": "true", "HX-Target": "live"}
    ).get_data(as_text=True)
    assert "<html" not in fragment and ">4<" in fragment and "老小区0" in fragment
    # The no-JavaScript count button: the form again, counted, nothing saved.
    counted = client.post(f"/campaigns/new?case={case.id}", data=_form(count="1"))
    assert counted.status_code == 200 and count(Campaign) == 0
    response = client.post(f"/campaigns/new?case={case.id}", data=_form())
    assert response.status_code == 303
    campaign = db.session.scalar(select(Campaign))
    assert campaign.source_case_id == case.id and len(campaign.targets) == 4
    # Sent again (double tap, back button): the same campaign, nothing more.
    again = client.post(f"/campaigns/new?case={case.id}", data=_form())
    assert again.status_code == 303 and again.headers["Location"] == response.headers["Location"]
    assert count(Campaign) == 1 and count(Case, Case.campaign_id.is_not(None)) == 4
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "0/4" in html and "老小区3" in html and f"/cases/{case.id}" in html and "清淤" in html


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 500}, "title"),
        ({"built_from": "99999999999999"}, "built_from"),
        ({"built_from": "1990", "built_to": "1980"}, "built_to"),
        ({"min_buildings": "-3"}, "min_buildings"),
        ({"deadline": "2001-01-01"}, "deadline"),
        ({"deadline": "31/02/2026"}, "deadline"),
        ({"work_kind": "event"}, "work_kind"),
        ({"category": "fireworks"}, "category"),
        ({"old": "", "built_from": "2030"}, "old"),  # no compound matches
        ({"team_id": "abc"}, "team_id"),
        ({"communities": "999"}, "communities"),
        ({"kinds": "castle"}, "kinds"),
    ],
)
def test_bad_input_is_422_at_the_field_and_saves_nothing(client, auth, place, bad, field):
    community, old, new, team, admin, staff = place
    auth.login(admin)
    response = client.post("/campaigns/new", data=_form(**bad))
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:2000]
    assert field_errors(html) and f'id="field-{field}"' in html
    assert f'class="field has-error" id="field-{field}"' in html
    assert count(Campaign) == 0 and count(Case) == 0
    if bad.get("title"):
        assert bad["title"][:100] in html  # what was typed is kept


def test_staff_make_campaigns_in_their_community_only(client, auth, place, make):
    community, old, new, team, admin, staff = place
    elsewhere = make.compound(make.community(), name="别处老小区", year_built=1970)
    make.commit()
    auth.login(staff)
    response = client.post("/campaigns/new", data=_form())
    assert response.status_code == 303
    campaign = db.session.scalar(select(Campaign))
    assert elsewhere.id not in {t.compound_id for t in campaign.targets}
    # Another community's staff: the campaign is not theirs (404), nor the list's.
    outsider = make.user("staff", community_=elsewhere.community)
    make.commit()
    auth.logout()
    auth.login(outsider)
    assert client.get(f"/campaigns/{campaign.id}").status_code == 404
    assert "主立管疏通专项行动" not in client.get("/campaigns").get_data(as_text=True)
    assert client.get("/campaigns/new?case=999999").status_code == 404


@pytest.mark.parametrize("role", ["volunteer", "resident", "worker", "lead"])
def test_other_roles_are_refused(client, auth, place, make, role):
    user = make.user(role)
    make.commit()
    auth.login(user)
    for path in ("/campaigns", "/campaigns/new", "/campaigns/new/count"):
        assert client.get(path).status_code in (403, 404), path


def test_campaign_page_statements_do_not_grow_with_compounds(
    client, auth, make, count_queries, drives
):
    community = make.community()
    compounds = [make.compound(community, name=f"小区{i:03d}") for i in range(60)]
    make.team(skills=("drain",), communities=[community], capacity=999)
    admin = make.user("admin")
    make.commit()
    small = services.launch(admin, services.Work("小", "drain"), compounds[:3])
    big = services.launch(admin, services.Work("大", "drain"), compounds[3:])
    auth.login(admin)
    counts = []
    for campaign in (small, big):
        client.get(f"/campaigns/{campaign.id}")
        with count_queries() as q:
            page = client.get(f"/campaigns/{campaign.id}")
        assert page.status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts
    with count_queries() as q:
        assert client.get("/campaigns?status=open").status_code == 200
    listed = q.count
    assert listed <= 4


def test_found_button_and_its_race(client, auth, place):
    community, old, new, team, admin, staff = place
    campaign = services.launch(admin, services.Work("检查", "drain"), old[:1])
    target_id = campaign.targets[0].id
    auth.login(staff)
    path = f"/campaigns/{campaign.id}/targets/{target_id}/found"
    assert client.post(path, data={"seen": "", "found": "yes"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(CampaignTarget, target_id).found is True
    client.post(path, data={"seen": "", "found": "no"})  # an old page: refused, unchanged
    db.session.expire_all()
    assert db.session.get(CampaignTarget, target_id).found is True
    assert "1" in client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)


def test_staff_mark_only_their_communitys_compounds(client, auth, place, make):
    community, old, new, team, admin, staff = place
    elsewhere = make.compound(make.community(), name="别处老小区", year_built=1970)
    make.team(skills=("drain",), compounds=[elsewhere])
    make.commit()
    campaign = services.launch(admin, services.Work("检查", "drain"), [old[0], elsewhere])
    theirs = next(t.id for t in campaign.targets if t.compound_id == elsewhere.id)
    auth.login(staff)
    html = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "别处老小区" not in html and old[0].name in html
    path = f"/campaigns/{campaign.id}/targets/{theirs}/found"
    assert client.post(path, data={"seen": "", "found": "yes"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(CampaignTarget, theirs).found is None


def test_event_campaign_from_a_drive_and_the_old_repeat_link(client, auth, drives, make):
    source = drives.drive()
    a = make.compound(source.community, name="文慧园路小区", has_bike_shed=True)
    staff = make.user("staff", community_=source.community)
    make.commit()
    auth.login(staff)
    old = client.get(f"/events/{source.id}/repeat")
    assert old.status_code == 301 and f"/campaigns/new?event={source.id}" in old.headers["Location"]
    html = client.get(f"/campaigns/new?event={source.id}").get_data(as_text=True)
    assert 'value="event"' in html
    day = (date.today() + timedelta(days=14)).isoformat()
    response = client.post(
        f"/campaigns/new?event={source.id}",
        data=_form(
            old="",
            category="bikes",
            work_kind="event",
            event_day=day,
            notice_days="7",
            communities=str(source.community_id),
            bike_shed="yes",
        ),
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:1500]
    copy = db.session.scalar(select(Event).where(Event.compound_id == a.id))
    assert copy.notice_date == date.fromisoformat(day) - timedelta(days=7)
    detail = client.get(f"/events/{source.id}").get_data(as_text=True)
    assert "/campaigns/" in detail


def test_the_campaign_form_names_the_copies_and_their_meeting_place(client, auth, drives, make):
    source = drives.drive(title="西土城路8号院废弃自行车清理（第二批）")
    source.meeting_place = "8号院车棚门口"
    a = make.compound(source.community, name="文慧园路小区", has_bike_shed=True)
    other_staff = make.user("staff", community_=source.community)
    staff = make.user("staff", community_=source.community)
    make.commit()
    auth.login(staff)
    html = client.get(f"/campaigns/new?event={source.id}").get_data(as_text=True)
    # Offered: the source's name and meeting place without its compound and its batch.
    assert 'name="copy_name"' in html and 'value="废弃自行车清理"' in html
    assert 'value="车棚门口"' in html
    day = (date.today() + timedelta(days=14)).isoformat()

    def launch(**fields):
        data = _form(
            old="",
            category="bikes",
            work_kind="event",
            event_day=day,
            communities=str(source.community_id),
            **fields,
        )
        return client.post(f"/campaigns/new?event={source.id}", data=data)

    response = launch(
        notice_days="10", bike_shed="yes", copy_name="秋季车棚清理", copy_meeting_place="南门车棚"
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:1500]
    copy = db.session.scalar(select(Event).where(Event.compound_id == a.id))
    assert copy.title == "文慧园路小区秋季车棚清理" and copy.meeting_place == "南门车棚"
    assert copy.notice_date == date.fromisoformat(day) - timedelta(days=10)
    # The community's first staff member organises its copy.
    assert copy.organiser_id == min(source.organiser_id, other_staff.id, staff.id)
    too_long = launch(copy_name="长" * 101)
    assert too_long.status_code == 422 and "长" * 101 in too_long.get_data(as_text=True)


def test_link_a_case_to_an_event_on_the_case_page(client, auth, drives, make):
    event = drives.drive()
    staff = make.user("staff", community_=event.community)
    make.commit()
    case = logged_case(event.compound, staff, token="t-sun")
    auth.login(staff)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert event.title in html and "/handled-by" in html
    response = client.post(f"/cases/{case.id}/handled-by", data={"event_id": str(event.id)})
    assert response.status_code == 303 and count(CaseEventLink) == 1
    assert f"/cases/{case.id}" in client.get(f"/events/{event.id}").get_data(as_text=True)
    client.post(f"/cases/{case.id}/handled-by", data={"event_id": "999999"})
    assert count(CaseEventLink) == 1


def test_the_board_opens_a_campaigns_cases_with_a_chip(client, auth, make):
    community = make.community()
    compounds = [make.compound(community, year_built=1980) for _ in range(3)]
    make.team(skills=("drain",), communities=[community], capacity=50)
    admin = make.user("admin")
    make.commit()
    campaign = services.launch(admin, services.Work("主立管疏通", "drain"), compounds[:2])
    other = services.launch(admin, services.Work("别的行动", "drain"), compounds[2:])
    auth.login(admin)
    detail = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert f"/cases?campaign={campaign.id}" in detail
    page = client.get(f"/cases?campaign={campaign.id}&status=all").get_data(as_text=True)
    ours = db.session.scalars(select(Case.id).where(Case.campaign_id == campaign.id)).all()
    theirs = db.session.scalars(select(Case.id).where(Case.campaign_id == other.id)).all()
    assert all(f'href="/cases/{i}"' in page for i in ours)
    assert not any(f'href="/cases/{i}"' in page for i in theirs)
    assert "主立管疏通" in page  # the chip that undoes the filter
