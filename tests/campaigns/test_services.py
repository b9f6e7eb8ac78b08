"""Campaign services: targets, one transaction over many compounds, drive copies, closing,
found / not found, a case settled by the event that handled it."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from coordinator.campaigns import services, targets
from coordinator.campaigns.models import Campaign, CampaignTarget, CaseEventLink
from coordinator.cases import workflow
from coordinator.cases.models import Case, CaseEvent
from coordinator.events import services as events
from coordinator.events.models import Event
from coordinator.extensions import db
from coordinator.notifications.models import OutboxMessage
from coordinator.rules import Refused
from coordinator.work import Conflict
from tests.campaigns.conftest import logged_case


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_targets_by_every_attribute(place, make):
    community, old, new, _team, admin, staff = place
    other = make.compound(make.community(), year_built=1975, many_trees=True, building_count=9)
    make.commit()
    T = targets.Targets
    assert targets.count(T(old=True), admin) == 5
    assert targets.count(T(old=True), staff) == 4  # staff: their community only
    assert targets.count(T(built_from=1982, built_to=1983), admin) == 2
    assert targets.count(T(bike_shed=True, communities=(community.id,)), admin) == 2
    assert [c.id for c in targets.compounds(T(many_trees=True), admin)] == [other.id]
    assert targets.count(T(min_buildings=5), admin) == 1
    assert targets.count(T(kinds=("compound",), communities=(community.id,)), admin) == 5
    assert targets.count(T(), staff) == 5 and new.id in {
        c.id for c in targets.compounds(T(), staff)
    }


def test_a_refusal_at_compound_57_of_100_leaves_nothing(make):
    community = make.community()
    compounds = [make.compound(community, name=f"小区{i:03d}") for i in range(100)]
    team = make.team(skills=("drain",), compounds=compounds[:56] + compounds[57:], capacity=999)
    admin = make.user("admin")
    make.commit()
    # The chosen team does not cover compound 57: refused there, and nothing is left of the
    # 56 compounds' work made before it (no campaign, case, trail, target or text).
    work = services.Work("主立管疏通", "drain", team_id=team.id)
    with pytest.raises(Refused) as refused:
        services.launch(admin, work, compounds)
    assert "小区056" in str(refused.value.message)
    assert (count(Campaign), count(Case), count(CampaignTarget), count(OutboxMessage)) == (0,) * 4
    assert count(CaseEvent) == 0
    # By matching, compound 57 (no team covers it) waits to be dispatched; the rest go out.
    campaign = services.launch(admin, services.Work("主立管疏通", "drain"), compounds)
    waiting = db.session.scalars(
        select(Case).where(Case.campaign_id == campaign.id, Case.status == "received")
    ).all()
    assert [c.compound_id for c in waiting] == [compounds[56].id]
    assert count(Case) == 100


def test_launch_texts_each_team_once_and_keeps_the_source(place, make):
    community, old, _new, team, admin, _staff = place
    campaign = services.launch(
        admin,
        services.Work("主立管疏通", "drain", checklist="查主立管"),
        old,
        criteria=targets.Targets(old=True),
        source_spot="compound=1&category=drain",
    )
    assert campaign.source_spot == "compound=1&category=drain"
    assert count(OutboxMessage) == 1  # one text for the team's four jobs
    assert {c.channel for c in db.session.scalars(select(Case))} == {"campaign"}


def _finish_case(case: Case, admin, lead):
    for action, who in (("accept", lead), ("start", lead), ("handle", lead)):
        workflow.transition(case, action, who)
    workflow.transition(case, "verify_pass", admin)
    workflow.transition(case, "close", admin)
    db.session.commit()


def test_closes_when_all_its_cases_are_closed_or_void(place, make):
    community, old, _new, team, admin, _staff = place
    lead = make.user("lead", team_=team)
    make.commit()
    campaign = services.launch(admin, services.Work("主立管疏通", "drain"), old[:2])
    first, second = db.session.scalars(
        select(Case).where(Case.campaign_id == campaign.id).order_by(Case.id)
    ).all()
    _finish_case(first, admin, lead)
    db.session.refresh(campaign)
    assert campaign.status == "open"
    done = db.session.scalar(select(CampaignTarget).where(CampaignTarget.case_id == first.id))
    assert done.done_at is not None
    # The second is returned and voided: all work is done, the campaign closes.
    workflow.transition(second, "return", lead, "不归我们")
    workflow.transition(second, "void", admin, "重复")
    db.session.commit()
    db.session.refresh(campaign)
    assert campaign.status == "closed" and campaign.closed_at is not None


def test_event_campaign_copies_the_drive_per_compound(drives, make):
    source = drives.drive(title="西土城路8号院车棚废弃自行车集中清理（第二批）")
    source.meeting_place = "8号院车棚门口"
    other_community = make.community()
    a = make.compound(source.community, name="文慧园路小区", has_bike_shed=True)
    b = make.compound(other_community, name="志强北园", has_bike_shed=True)
    their_staff = make.user("staff", community_=other_community)
    admin = make.user("admin")
    make.commit()
    day = date.today() + timedelta(days=20)
    drive = services.Drive(source=source, day=day, notice_days=5)
    campaign = services.launch(
        admin, services.Work("废弃自行车集中清理", "bikes"), [source.compound, a, b], drive=drive
    )
    assert campaign.work_kind == "event" and campaign.source_event_id == source.id
    copies = {
        e.compound_id: e
        for e in db.session.scalars(select(Event).where(Event.campaign_id == campaign.id))
    }
    assert set(copies) == {source.compound_id, a.id, b.id}
    copy = copies[b.id]
    assert copy.title == "志强北园车棚废弃自行车集中清理"
    # The source's meeting place without its own compound's name ("8号院"), which is not here.
    assert copy.meeting_place == "车棚门口" and copy.notice_date == day - timedelta(days=5)
    assert copy.place.endswith("志强北园 · 车棚门口")
    assert copy.organiser_id == their_staff.id and copy.status == "draft"
    assert [(r.name, r.capacity) for r in copy.roles] == [("搬运", 8), ("登记车辆", 2)]
    assert count(CampaignTarget, CampaignTarget.campaign_id == campaign.id) == 3
    assert count(Case) == 0


def test_a_drive_copy_takes_the_name_and_meeting_place_the_organiser_gave(drives, make):
    source = drives.drive(title="西土城路8号院车棚废弃自行车集中清理（第二批）")
    source.meeting_place = "8号院车棚门口"
    source.bring = "手套"
    source.roles[1].registers_bikes = True
    a = make.compound(source.community, name="文慧园路小区", has_bike_shed=True)
    admin = make.user("admin")
    make.commit()
    assert services.copy_name(source) == "车棚废弃自行车集中清理"
    assert services.copy_meeting_place(source) == "车棚门口"
    day = date.today() + timedelta(days=20)
    drive = services.Drive(
        source=source, day=day, notice_days=7, name="废弃自行车清理日", meeting_place="东门车棚"
    )
    campaign = services.launch(
        admin, services.Work("废弃自行车集中清理", "bikes"), [a], drive=drive
    )
    copy = db.session.scalar(
        select(Event).where(Event.campaign_id == campaign.id, Event.compound_id == a.id)
    )
    assert copy.title == "文慧园路小区废弃自行车清理日" and copy.meeting_place == "东门车棚"
    assert copy.notice_date == day - timedelta(days=7) and copy.bring == "手套"
    assert [r.registers_bikes for r in copy.roles] == [False, True]


def test_campaign_of_drives_closes_when_each_is_done_or_cancelled(drives, make):
    source = drives.drive()
    a = make.compound(source.community, name="文慧园路小区")
    admin = make.user("admin")
    make.commit()
    drive = services.Drive(source=source, day=date.today() + timedelta(days=14))
    campaign = services.launch(
        admin, services.Work("清理", "bikes"), [source.compound, a], drive=drive
    )
    campaign_id = campaign.id
    copy = db.session.scalar(select(Event).where(Event.compound_id == a.id))
    events.finish(admin, db.session.get(Event, source.id))
    assert db.session.get(Campaign, campaign_id).status == "open"
    events.cancel(admin, copy, "下雨")
    found = db.session.get(Campaign, campaign_id)
    assert found.status == "closed" and found.closed_at is not None


def test_a_finished_event_settles_the_cases_it_handled(drives, make):
    event = drives.drive()
    team = make.team(skills=("bikes",), communities=[event.community])
    admin = make.user("admin")
    staff = make.user("staff", community_=event.community)
    make.commit()
    case = logged_case(event.compound, staff, "bikes", "t-sun", "车棚里堆满废弃自行车")
    workflow.transition(case, "dispatch", staff, team_id=team.id)
    make.commit()
    services.link_case(staff, case, event)
    with pytest.raises(Refused):
        services.link_case(staff, case, event)  # linked already: 409
    other = drives.drive(compound=make.compound(name="别处"))
    with pytest.raises(Refused) as refused:
        services.link_case(staff, case, other)
    assert refused.value.field == "event_id"
    events.finish(admin, event)
    closed = db.session.get(Case, case.id)
    assert closed.status == "closed" and closed.closed_at is not None
    last = db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id.desc())
    )
    assert last.action == "settle_by_event" and event.title in last.note
    assert count(CaseEventLink) == 1
    # Nobody may take the step on a page.
    assert "settle_by_event" not in workflow.actions_for(closed, "admin")


def test_found_is_a_conditional_write(place):
    community, old, _new, _team, admin, _staff = place
    campaign = services.launch(admin, services.Work("检查", "drain"), old[:1])
    target = campaign.targets[0]
    services.mark_found(admin, campaign, target.id, "", "yes")
    db.session.refresh(target)
    assert target.found is True
    with pytest.raises(Conflict):  # a page that still showed "not known"
        services.mark_found(admin, campaign, target.id, "", "no")
    services.mark_found(admin, campaign, target.id, "yes", "no")
    db.session.refresh(target)
    assert target.found is False


def test_copy_title_drops_the_batch_and_names_the_compound():
    assert services.copy_title("西土城路8号院清理（第二批）", "西土城路8号院", "志强北园") == (
        "志强北园清理"
    )
    assert services.copy_title("车棚清理(2)", "", "志强北园") == "志强北园车棚清理"


def test_hot_spots_do_not_count_planned_work(place):
    from coordinator.hotspots import services as hotspots
    from coordinator.hotspots.models import PlaceMonthCount

    community, old, _new, _team, admin, _staff = place
    services.launch(admin, services.Work("主立管疏通", "drain"), old)
    assert count(PlaceMonthCount) == 0
    hotspots.rebuild()
    assert count(PlaceMonthCount) == 0
