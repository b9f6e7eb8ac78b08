"""Rows for the patrol tests: a community with a compound (bike shed, many trees), a bungalow
area and a business; its staff member 王伟 the worker of the grid that holds them; a second
grid of the same community (another worker) and a second community."""

import io
from dataclasses import dataclass

import pytest
from PIL import Image

from coordinator.places.models import Grid


def jpeg(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


@dataclass
class Place:
    community: object
    compound: object  # shed, trees
    bungalow: object
    business: object
    outside: object  # of this community, in no grid of the worker
    grid: object
    other_grid: object
    worker: object  # staff, the grid's worker
    colleague: object  # staff of the same community, the other grid's worker
    admin: object
    other_staff: object  # staff of another community
    elsewhere: object  # a compound of the other community


@pytest.fixture
def place(make):
    community = make.community("红联北村社区")
    compound = make.compound(
        community,
        "红联北村",
        kind="compound",
        has_bike_shed=True,
        many_trees=True,
        year_built=1984,
    )
    bungalow = make.compound(community, "红联北村平房区", kind="bungalow", many_trees=True)
    business = make.compound(community, "红联商铺", kind="business")
    outside = make.compound(community, "红联新苑", kind="compound")
    worker = make.user("staff", community, name="王伟")
    colleague = make.user("staff", community, name="李娜")
    grid = Grid(
        community=community,
        name="第一网格",
        worker_id=worker.id,
        compounds=[compound, bungalow, business],
    )
    other_grid = Grid(
        community=community, name="第二网格", worker_id=colleague.id, compounds=[outside]
    )
    from coordinator.extensions import db

    db.session.add_all([grid, other_grid])
    other_community = make.community("师大北路社区")
    elsewhere = make.compound(other_community, "师大北路小区")
    other_staff = make.user("staff", other_community, name="陈楠")
    admin = make.user("admin", name="刘洋")
    make.commit()
    return Place(
        community,
        compound,
        bungalow,
        business,
        outside,
        grid,
        other_grid,
        worker,
        colleague,
        admin,
        other_staff,
        elsewhere,
    )
