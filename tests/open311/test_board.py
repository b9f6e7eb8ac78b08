"""A case that came in through Open311 is a case like any other: on the board of its
community, with the channel "Open311", found by the channel filter, and worked as usual."""

from coordinator.cases import services
from coordinator.cases.models import Case
from coordinator.extensions import db
from tests.open311.conftest import BASE, post_case, read


def test_a_posted_case_is_on_the_board_with_channel_open311(client, auth, world, key):
    new_id = int(read(post_case(client, key[1]))[0]["service_request_id"])
    world.case("received")  # logged by phone, for contrast
    auth.login(world.staff)
    board = client.get("/cases").get_data(as_text=True)
    assert f"#{new_id} Drains and sewage" in board
    assert "Open311" in board
    filtered = client.get("/cases?channel=open311").get_data(as_text=True)
    assert f"#{new_id} " in filtered and f"#{new_id + 1} " not in filtered
    assert '<option selected value="open311">Open311</option>' in filtered
    page = client.get(f"/cases/{new_id}").get_data(as_text=True)
    assert "北京12345市民服务热线平台 (Open311)" in page  # who logged it, in the trail

    # worked as usual; the client sees it move
    case = db.session.get(Case, new_id)
    services.dispatch(world.staff, case, world.team.id)
    row = read(client.get(f"{BASE}/requests/{new_id}.json"))[0]
    assert row["status_notes"] == "Sent to 北京首华物业管理有限公司."
    assert row["agency_responsible"] == "北京首华物业管理有限公司"


def test_the_channel_reads_in_chinese(client, auth, world, key, chinese):
    read(post_case(client, key[1]))
    auth.login(world.staff)
    assert "Open311接口" in client.get("/cases").get_data(as_text=True)
