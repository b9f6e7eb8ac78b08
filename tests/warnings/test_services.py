"""Recording a warning runs the plans bound to it: which plans, exactly once, due before the
warning starts, and a plan that cannot make its work never loses the warning."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coordinator.campaigns.models import Campaign, CampaignTarget
from coordinator.campaigns.targets import Targets
from coordinator.cases import services as cases
from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.plans.models import PlanRun
from coordinator.rules import Refused
from coordinator.warnings import services
from coordinator.warnings.models import WeatherWarning
from tests.warnings.conftest import warning_data


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def cases_of(warning_id):
    return db.session.scalars(
        select(Case)
        .join(Campaign, Campaign.id == Case.campaign_id)
        .where(Campaign.warning_id == warning_id)
    ).all()


def test_a_yellow_wind_warning_makes_the_tree_checks(town, plan):
    tree_plan = plan()
    recorded = services.record(town.staff, warning_data())
    made = cases_of(recorded.warning.id)
    assert {c.compound_id for c in made} == {c.id for c in town.trees}  # not the bare one
    assert {(c.channel, c.status, c.team_id, c.category) for c in made} == {
        ("plan", "dispatched", town.team.id, "trees")
    }
    [run] = recorded.runs
    assert (run.plan_id, run.outcome, run.work_count) == (tree_plan.id, "created", 3)
    campaign = db.session.get(Campaign, run.campaign_id)
    assert campaign.warning_id == recorded.warning.id
    assert "大风" in campaign.title or "wind" in campaign.title.lower()
    assert count(CampaignTarget, CampaignTarget.campaign_id == campaign.id) == 3


@pytest.mark.parametrize(
    "kinds, min_level, kind, level, runs",
    [
        ("wind", "yellow", "wind", "blue", 0),  # below the threshold
        ("wind", "yellow", "wind", "yellow", 1),
        ("wind", "yellow", "wind", "red", 1),
        ("wind", "orange", "wind", "yellow", 0),
        ("rainstorm,snow", "blue", "wind", "red", 0),  # not its kind
        ("rainstorm,snow", "blue", "snow", "blue", 1),
        ("cold_wave", "blue", "cold_wave", "orange", 1),
    ],
)
def test_only_plans_bound_to_the_kind_at_or_above_their_level(
    town, plan, kinds, min_level, kind, level, runs
):
    plan(warning_kinds=kinds, min_level=min_level)
    recorded = services.record(town.admin, warning_data(kind=kind, level=level))
    assert len(recorded.runs) == runs == count(PlanRun)
    assert len(cases_of(recorded.warning.id)) == 3 * runs


def test_inactive_and_scheduled_plans_do_not_answer(town, plan):
    plan(active=False)
    plan(trigger="schedule", rrule="FREQ=MONTHLY")
    recorded = services.record(town.admin, warning_data())
    assert recorded.runs == [] and count(Case) == 0
    assert count(WeatherWarning) == 1


def test_running_a_warnings_plans_again_makes_nothing_twice(town, plan):
    plan()
    recorded = services.record(town.admin, warning_data())
    again = services.run_plans(town.admin, recorded.warning)
    db.session.commit()
    assert again == []
    assert count(PlanRun) == 1 and count(Case) == 3 and count(Campaign) == 1


def test_cases_are_due_before_the_warning_starts(town, plan):
    plan()
    now = utcnow()
    recorded = services.record(town.admin, warning_data(hours_ahead=6), now=now)
    start = recorded.warning.valid_from
    made = cases_of(recorded.warning.id)
    assert made and all(c.deadline_at == start - services.DUE_BEFORE for c in made)
    # Accepting never gives a later due time than the deadline, whatever the SLA says.
    lead = _team_actor(town)
    for case in made[:2]:
        cases.act(lead, case, "accept")
    db.session.expire_all()
    accepted = 0
    for case in cases_of(recorded.warning.id):
        assert case.deadline_at <= start
        if case.status == "accepted":
            accepted += 1
            assert case.due_at <= start
    assert accepted == 2


def test_with_less_than_an_hour_left_the_work_is_due_at_the_start(town, plan):
    plan()
    now = utcnow()
    recorded = services.record(town.admin, warning_data(hours_ahead=0.5), now=now)
    assert {c.deadline_at for c in cases_of(recorded.warning.id)} == {recorded.warning.valid_from}


def test_a_warning_already_started_makes_work_due_at_once(town, plan):
    """It cannot be done before the start any more: due now, so it is overdue from the moment
    it exists and the board pins it in red on top."""
    plan()
    now = utcnow()
    recorded = services.record(town.admin, warning_data(hours_ahead=-2), now=now)
    assert {c.deadline_at for c in cases_of(recorded.warning.id)} == {now}


def test_a_plan_that_cannot_make_its_work_does_not_lose_the_warning(town, plan, make):
    nowhere = make.compound(make.community(), name="无人管小区", many_trees=True)
    make.commit()
    failing = plan(criteria=Targets(many_trees=True).to_json())  # includes the uncovered one
    working = plan(
        title="大风前广告牌检查", criteria=Targets(compounds=(town.trees[0].id,)).to_json()
    )
    recorded = services.record(town.staff, warning_data())
    assert count(WeatherWarning) == 1
    runs = {r.plan_id: r for r in db.session.scalars(select(PlanRun))}
    assert runs[failing.id].outcome == "failed" and nowhere.name in runs[failing.id].note
    assert runs[failing.id].campaign_id is None and runs[failing.id].work_count == 0
    assert runs[working.id].outcome == "created" and runs[working.id].work_count == 1
    # Nothing of the failed plan is left: one campaign, one case.
    assert count(Campaign) == 1 and count(Case) == 1
    assert recorded.warning.id is not None


def test_a_plan_without_matching_compounds_records_an_empty_run(town, plan):
    plan(criteria=Targets(min_buildings=999).to_json())
    recorded = services.record(town.admin, warning_data())
    assert [(r.outcome, r.work_count) for r in recorded.runs] == [("empty", 0)]


def test_a_community_plan_targets_its_own_community_only(town, plan, make):
    other = make.community()
    make.compound(other, many_trees=True)
    make.commit()
    plan(community_id=town.community.id)
    recorded = services.record(town.admin, warning_data())
    assert recorded.runs[0].work_count == 3


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": "tornado"}, "kind"),
        ({"level": "purple"}, "level"),
        ({"valid_from": None}, "valid_from"),
        ({"valid_to": None}, "valid_to"),
        ({"to_before_from": True}, "valid_to"),
        ({"too_long": True}, "valid_to"),
        ({"ended": True}, "valid_to"),
        ({"far_ahead": True}, "valid_from"),
        ({"issued_late": True}, "issued_at"),
    ],
)
def test_a_warning_that_makes_no_sense_is_refused_at_its_field(town, plan, change, field):
    plan()
    now = utcnow()
    data = warning_data(now=now)
    if change.pop("to_before_from", False):
        data["valid_to"] = data["valid_from"] - timedelta(hours=1)
    if change.pop("too_long", False):
        data["valid_to"] = data["valid_from"] + timedelta(days=40)
    if change.pop("ended", False):
        data["valid_from"], data["valid_to"] = now - timedelta(days=2), now - timedelta(days=1)
    if change.pop("far_ahead", False):
        data["valid_from"] = now + timedelta(days=60)
        data["valid_to"] = now + timedelta(days=61)
    if change.pop("issued_late", False):
        data["issued_at"] = data["valid_to"] + timedelta(hours=1)
    data.update(change)
    with pytest.raises(Refused) as refused:
        services.record(town.admin, data, now=now)
    assert (refused.value.field, refused.value.status) == (field, 422)
    assert count(WeatherWarning) == 0 and count(PlanRun) == 0 and count(Case) == 0


def test_the_text_and_area_are_kept_clean(town):
    data = warning_data()
    data.update(text="大风\x00黄色预警" + "风" * 10_000, area="  ")
    recorded = services.record(town.admin, data)
    assert "\x00" not in recorded.warning.text and len(recorded.warning.text) <= 5000
    assert recorded.warning.area == "全市"


def _team_actor(town):
    from coordinator.auth.models import User

    lead = User(name="冯队长", phone="13912340000", role="lead", team_id=town.team.id)
    lead.set_password("x-password-1")
    db.session.add(lead)
    db.session.commit()
    return lead


def test_staff_recording_runs_a_subdistrict_plan_in_every_community(town, plan, make):
    """The plan's scope, not the recorder's: 王伟's warning makes the checks elsewhere too,
    and the cases' trail names him."""
    other = make.community()
    elsewhere = make.compound(other, many_trees=True)
    town.team.communities.append(other)
    make.commit()
    plan()
    recorded = services.record(town.staff, warning_data())
    made = cases_of(recorded.warning.id)
    assert elsewhere.id in {c.compound_id for c in made} and len(made) == 4
    assert {c.created_by_id for c in made} == {town.staff.id}
