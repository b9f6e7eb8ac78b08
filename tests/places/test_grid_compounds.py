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
