"""launch(): one campaign, one dispatched case per target compound, all or nothing."""

import pytest
from sqlalchemy import func, select

from coordinator.campaigns import services, targets
from coordinator.campaigns.models import Campaign, CampaignTarget
from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.rules import Refused


@pytest.fixture
def place(make):
    community = make.community()
    old = [
        make.compound(community, year_built=1980 + i, has_bike_shed=i % 2 == 0) for i in range(4)
    ]
    new = make.compound(community, year_built=2010)
    team = make.team(skills=("drain",), communities=[community], capacity=50, members=1)
    admin = make.user(role="admin")
    make.commit()
    return community, old, new, team, admin


def test_targets_choose_compounds_by_what_they_share(place):
    community, old, new, _team, admin = place
    chosen = targets.compounds(targets.Targets(old=True, communities=(community.id,)), admin)
    assert [c.id for c in chosen] == sorted(c.id for c in old) or {c.id for c in chosen} == {
        c.id for c in old
    }
    sheds = targets.Targets(old=True, bike_shed=True, communities=(community.id,))
    assert targets.count(sheds, admin) == 2
    assert targets.Targets.from_json(sheds.to_json()) == sheds


def test_launch_dispatches_a_case_per_compound(place):
    community, old, _new, team, admin = place
    work = services.Work(title="主立管疏通", category="drain", checklist="查主立管\n清淤")
    campaign = services.launch(admin, work, old)
    cases = db.session.scalars(select(Case).where(Case.campaign_id == campaign.id)).all()
    assert len(cases) == 4
    assert {c.status for c in cases} == {"dispatched"}
    assert {c.team_id for c in cases} == {team.id}
    assert "☐ 清淤" in cases[0].description
    assert db.session.scalar(select(func.count()).select_from(CampaignTarget)) == 4


def test_a_compound_no_team_covers_waits_to_be_dispatched(place, make):
    community, old, _new, team, admin = place
    elsewhere = make.compound(make.community(), year_built=1970)  # no team covers it
    make.commit()
    work = services.Work(title="主立管疏通", category="drain")
    campaign = services.launch(admin, work, [*old[:2], elsewhere, *old[2:]])
    statuses = dict(
        db.session.execute(
            select(Case.compound_id, Case.status).where(Case.campaign_id == campaign.id)
        ).all()
    )
    assert statuses.pop(elsewhere.id) == "received"
    assert set(statuses.values()) == {"dispatched"}


def test_a_chosen_team_that_cannot_take_one_compound_leaves_nothing(place, make):
    community, old, _new, team, admin = place
    elsewhere = make.compound(make.community(), year_built=1970)
    make.commit()
    work = services.Work(title="主立管疏通", category="drain", team_id=team.id)
    with pytest.raises(Refused):
        services.launch(admin, work, [*old[:2], elsewhere, *old[2:]])
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0
