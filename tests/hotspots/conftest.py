"""Rows for the hot-spot tests: two communities, old and new compounds, people, a case maker
that goes through the intake use case (so the figures are kept as in production)."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from coordinator.cases import services
from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.i18n import utcnow


@dataclass
class Place:
    community: object
    old: object  # 1985, bike shed, many trees
    older: object  # 1982, bike shed
    new: object  # 2010, no shed
    building: object  # of `old`
    other_building: object  # of `old`
    older_building: object
    admin: object
    staff: object
    other_staff: object
    other_community: object
    elsewhere: object  # a compound of the other community

    def case(self, building=None, compound=None, category="drain", at=None, actor=None):
        """A case logged through the use case; `at` moves its logging time back afterwards
        (the figures count it where the use case counted it: use rebuild() after moving)."""
        building = building if building is not None else self.building
        compound = compound or building.compound
        data = dict(
            channel="phone",
            hotline_ticket="",
            category=category,
            tier="general",
            community_id=compound.community_id,
            compound_id=compound.id,
            building_id=building.id if building is not False else None,
            entrance_id=None,
            floor=1,
            household="101",
            reporter_name="李阿姨",
            reporter_phone="13912345678",
            description="厨房下水道反水",
        )
        if building is False:
            data["building_id"] = None
        case = services.open_case(actor or self.admin, data)
        if at is not None:
            db.session.get(Case, case.id).created_at = at
            db.session.commit()
        return case


@pytest.fixture(autouse=True)
def _nothing_kept():
    """The closed months' counts a process keeps (queries._frozen) belong to one database's
    state: every test starts and ends without them."""
    from coordinator.hotspots import queries

    queries.forget_frozen()
    yield
    queries.forget_frozen()


@pytest.fixture
def place(app, make):
    community = make.community("红联北村社区")
    old = make.compound(community, "红联北村", year_built=1985, has_bike_shed=True, many_trees=True)
    older = make.compound(community, "西土城路8号院", year_built=1982, has_bike_shed=True)
    new = make.compound(community, "新苑", year_built=2010)
    building = make.building(old, "1号楼")
    other_building = make.building(old, "2号楼")
    older_building = make.building(older, "3号楼")
    make.building(new, "1号楼")
    other_community = make.community("师大北路社区")
    elsewhere = make.compound(other_community, "师大北路小区", year_built=1995)
    make.building(elsewhere, "5号楼")
    world = Place(
        community=community,
        old=old,
        older=older,
        new=new,
        building=building,
        other_building=other_building,
        older_building=older_building,
        admin=make.user("admin", name="刘洋"),
        staff=make.user("staff", community_=community, name="王伟"),
        other_staff=make.user("staff", community_=other_community, name="陈楠"),
        other_community=other_community,
        elsewhere=elsewhere,
    )
    make.commit()
    return world


@pytest.fixture
def days_ago():
    now = utcnow()
    return lambda n: now - timedelta(days=n)
