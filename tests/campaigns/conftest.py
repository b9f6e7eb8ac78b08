"""Campaign tests: a community of old and new compounds with a covering drain team, and
drives (the bikes' fixture)."""

import pytest
from sqlalchemy import update

from coordinator.campaigns.models import Campaign
from coordinator.cases import workflow
from coordinator.cases.models import Case
from coordinator.extensions import db
from tests.bikes.conftest import Drives


@pytest.fixture
def drives(app, make):
    yield Drives(make)


@pytest.fixture(autouse=True)
def _unlink(app):
    yield
    # campaigns ↔ events/cases reference each other; break the loop so the wipe can delete them.
    db.session.rollback()
    db.session.execute(update(Campaign).values(source_event_id=None, source_case_id=None))
    db.session.commit()


@pytest.fixture
def place(make):
    community = make.community()
    old = [
        make.compound(community, name=f"老小区{i}", year_built=1980 + i, has_bike_shed=i % 2 == 0)
        for i in range(4)
    ]
    new = make.compound(community, name="新小区", year_built=2010)
    team = make.team(skills=("drain",), communities=[community], capacity=500, members=1)
    admin = make.user(role="admin")
    staff = make.user("staff", community_=community)
    make.commit()
    return community, old, new, team, admin, staff


def logged_case(compound, staff, category="drain", token="t1", text="厨房下水道往上反水") -> Case:
    """A case as the office logs it (received), committed."""
    case = Case(
        category=category,
        tier="general",
        channel="phone",
        community_id=compound.community_id,
        compound_id=compound.id,
        description=text,
        tracking_token=token,
    )
    db.session.add(case)
    workflow.opened(case, staff)
    db.session.commit()
    return case
