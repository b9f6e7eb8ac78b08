"""A grid's compounds, set on its community's page (the patrols walk them)."""

import pytest
from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.places.models import Grid

pytestmark = pytest.mark.usefixtures("english")


def test_admin_adds_a_grid_with_its_compounds(client, auth, make):
    admin = make.user("admin")
    community = make.community("红联北村社区")
    one = make.compound(community, "红联北村")
    two = make.compound(community, "红联北村平房区")
    elsewhere = make.compound(name="师大北路小区")
    worker = make.user("staff", community, name="王伟")
    make.commit()
    auth.login(admin)
    page = client.get(f"/places/communities/{community.id}").get_data(as_text=True)
    assert 'name="compound_ids"' in page and "红联北村平房区" in page
    # A compound of another community is refused at the field, the name kept, nothing saved.
    bad = client.post(
        f"/places/communities/{community.id}/grids",
        data={"name": "第一网格", "worker_id": worker.id, "compound_ids": [one.id, elsewhere.id]},
    )
    assert bad.status_code == 422 and 'value="第一网格"' in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Grid)) == 0
    ok = client.post(
        f"/places/communities/{community.id}/grids",
        data={"name": "第一网格", "worker_id": worker.id, "compound_ids": [one.id, two.id]},
    )
    assert ok.status_code == 302
    grid = db.session.scalar(select(Grid))
    assert {c.name for c in grid.compounds} == {"红联北村", "红联北村平房区"}
    page = client.get(f"/places/communities/{community.id}").get_data(as_text=True)
    assert "红联北村、红联北村平房区" in page


def test_admin_changes_a_grids_compounds(client, auth, make):
    admin = make.user("admin")
    community = make.community()
    one = make.compound(community, "甲小区")
    two = make.compound(community, "乙小区")
    elsewhere = make.compound(name="丙小区")
    grid = Grid(community=community, name="第一网格", compounds=[one])
    db.session.add(grid)
    staff = make.user("staff", community)
    make.commit()
    grid_id = grid.id
    auth.login(admin)
    url = f"/places/grids/{grid_id}/compounds"
    assert client.post(url, data={"compound_ids": [two.id]}).status_code == 302
    db.session.expire_all()
    assert [c.name for c in db.session.get(Grid, grid_id).compounds] == ["乙小区"]
    for bad in ([elsewhere.id], ["abc"], ["99999999999999999999"], ["\x00"]):
        assert client.post(url, data={"compound_ids": bad}).status_code == 422
    db.session.expire_all()
    assert [c.name for c in db.session.get(Grid, grid_id).compounds] == ["乙小区"]
    assert client.post("/places/grids/999999/compounds", data={}).status_code == 404
    auth.logout()
    auth.login(staff)
    assert client.post(url, data={"compound_ids": [one.id]}).status_code == 403
