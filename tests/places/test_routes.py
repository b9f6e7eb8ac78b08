import pytest

from coordinator.extensions import db
from coordinator.places.models import Building, Community, Compound
from tests.conftest import field_errors

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def admin(make):
    user = make.user("admin")
    make.commit()
    return user


def test_admin_adds_a_compound_with_its_attributes(client, auth, admin, make):
    community = make.community("师大北路社区")
    make.commit()
    auth.login(admin)
    response = client.post(
        "/places/compounds/new",
        data={
            "community_id": community.id,
            "name": "西土城路8号院",
            "kind": "compound",
            "year_built": "1988",
            "building_count": "6",
            "has_bike_shed": "y",
            "many_trees": "y",
        },
    )
    assert response.status_code == 302
    compound = db.session.query(Compound).filter_by(name="西土城路8号院").one()
    assert compound.has_bike_shed and compound.many_trees and compound.is_old
    page = client.get(f"/places/communities/{community.id}").get_data(as_text=True)
    assert "西土城路8号院" in page and "Old compound" in page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": ""}, "Enter a name."),
        ({"year_built": "1700"}, "Enter a year between 1900 and 2100."),
        ({"name": "长" * 81}, "Field cannot be longer than 80 characters."),
    ],
)
def test_compound_form_errors_are_kept(client, auth, admin, make, data, message):
    community = make.community()
    make.commit()
    auth.login(admin)
    form = {"community_id": community.id, "name": "小区", "kind": "compound", **data}
    response = client.post("/places/compounds/new", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_errors(html)
    assert db.session.query(Compound).count() == 0


def test_duplicate_compound_in_a_community_is_refused(client, auth, admin, make):
    compound = make.compound(name="红联北村")
    make.commit()
    auth.login(admin)
    response = client.post(
        "/places/compounds/new",
        data={"community_id": compound.community_id, "name": "红联北村", "kind": "compound"},
    )
    assert response.status_code == 409  # the unique key said no; the unit of work answered
    assert "This community has a compound with this name already." in field_errors(
        response.get_data(as_text=True)
    )


def test_duplicate_community_is_refused(client, auth, admin, make):
    make.community("红联北村社区")
    make.commit()
    auth.login(admin)
    response = client.post("/places/communities/new", data={"name": "红联北村社区"})
    assert response.status_code == 409
    assert "A community with this name exists already." in field_errors(
        response.get_data(as_text=True)
    )
    assert db.session.query(Community).count() == 1


def test_renaming_onto_a_taken_name_changes_nothing_and_keeps_the_typing(client, auth, admin, make):
    make.community("红联北村社区")
    other = make.community("师大北路社区")
    make.commit()
    auth.login(admin)
    response = client.post(
        f"/places/communities/{other.id}/edit",
        data={"name": "红联北村社区", "address": "师大北路1号"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and 'value="师大北路1号"' in html
    assert "A community with this name exists already." in field_errors(html)
    db.session.expire_all()
    assert db.session.get(Community, other.id).name == "师大北路社区"
    assert db.session.get(Community, other.id).address == ""


def test_a_building_name_taken_is_refused_at_the_field(client, auth, admin, make):
    building = make.building(name="3号楼")
    make.commit()
    auth.login(admin)
    response = client.post(
        f"/places/compounds/{building.compound_id}/buildings",
        data={"name": "3号楼", "floors": "6", "entrances": "2"},
    )
    assert response.status_code == 422
    assert "This compound has a building with this name already." in field_errors(
        response.get_data(as_text=True)
    )
    assert db.session.query(Building).count() == 1


def test_building_gets_numbered_entrances(client, auth, admin, make):
    compound = make.compound()
    make.commit()
    auth.login(admin)
    response = client.post(
        f"/places/compounds/{compound.id}/buildings",
        data={"name": "3号楼", "floors": "6", "entrances": "3"},
    )
    assert response.status_code == 302
    building = db.session.query(Building).filter_by(name="3号楼").one()
    assert [e.name for e in building.entrances] == ["1单元", "2单元", "3单元"]
    bad = client.post(
        f"/places/compounds/{compound.id}/buildings",
        data={"name": "4号楼", "floors": "0", "entrances": "3"},
    )
    assert bad.status_code == 422
    assert 'value="4号楼"' in bad.get_data(as_text=True)


def test_grid_worker_must_belong_to_the_community(client, auth, admin, make):
    community = make.community()
    outsider = make.user("staff")
    make.commit()
    auth.login(admin)
    response = client.post(
        f"/places/communities/{community.id}/grids",
        data={"name": "第一网格", "worker_id": outsider.id},
    )
    assert response.status_code == 422


def test_compound_options_follow_the_community(client, auth, make):
    compound = make.compound(name="志强北园")
    staff = make.user("staff", community_=compound.community)
    make.commit()
    auth.login(staff)
    html = client.get(f"/places/compound-options?community_id={compound.community_id}")
    assert "志强北园" in html.get_data(as_text=True)
    assert "<html" not in html.get_data(as_text=True)
