"""A few old compounds, a drain team covering them, an admin and staff; a plan maker."""

from datetime import datetime
from types import SimpleNamespace

import pytest

from coordinator.campaigns.targets import Targets
from coordinator.extensions import db
from coordinator.plans.models import Plan


@pytest.fixture
def place(make):
    community = make.community("红联北村社区")
    old = [make.compound(community, year_built=1980 + i) for i in range(3)]
    new = make.compound(community, year_built=2012)
    other = make.community("师大北路社区")
    elsewhere = make.compound(other, name="师大北路小区", year_built=1995)
    team = make.team(skills=("drain", "electrics"), communities=[community], capacity=10_000)
    admin = make.user(role="admin")
    staff = make.user(role="staff", community_=community)
    other_staff = make.user(role="staff", community_=other)
    make.commit()
    return SimpleNamespace(
        community=community,
        old=old,
        new=new,
        other=other,
        elsewhere=elsewhere,
        team=team,
        admin=admin,
        staff=staff,
        other_staff=other_staff,
    )


@pytest.fixture
def plan_of(place):
    def make_plan(
        rrule="FREQ=MONTHLY;INTERVAL=6",
        starts_at=datetime(2026, 1, 1, 1, 0),
        lead_days=14,
        targets=None,
        team=True,
        community=None,
        **kw,
    ) -> Plan:
        plan = Plan(
            title=kw.pop("title", "老旧小区主立管定期维护"),
            category=kw.pop("category", "drain"),
            criteria=(targets or Targets(old=True, communities=(place.community.id,))).to_json(),
            team_id=place.team.id if team else None,
            community_id=community.id if community else None,
            trigger=kw.pop("trigger", "schedule"),
            rrule=rrule,
            starts_at=starts_at,
            lead_days=lead_days,
            **kw,
        )
        db.session.add(plan)
        db.session.commit()
        return plan

    return make_plan
