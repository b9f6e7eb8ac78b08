"""Existing Open311 client libraries, unmodified, against a real HTTP server of the app
(tests/live.py): the PyPI client `georeport` 0.3.1 in JSON and in XML, and the GeoReport
client of `civicbot` 0.4 (JSON; it also posts). georeport has no method to post a request,
so the post is what the specification shows, a form-encoded POST (with `requests`, the
library's own HTTP client); georeport then reads it back.

Also tried, and not runnable here as they are: PyPI `three` 0.8.0 and `open311` 1.1 (both
Python 2 only: itertools.ifilter, implicit relative imports)."""

import pytest
import requests
from georeport import GeoReport

from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.open311.models import Submission

BASE = "/open311/v2"


@pytest.fixture
def endpoint(live, world, key):
    for status in ("received", "dispatched", "closed", "void"):
        world.case(status)
    db.session.commit()
    return f"http://127.0.0.1:{live.port}{BASE}"


def post(endpoint, key, fmt, **fields):
    data = {
        "api_key": key,
        "service_code": "drain",
        "address_string": "红联北村 3号楼 2单元",
        "description": "一楼厨房下水道反水",
        "first_name": "阿姨",
        "last_name": "李",
        "phone": "13912345678",
        "attribute[floor]": "1",
        **fields,
    }
    response = requests.post(f"{endpoint}/requests.{fmt}", data=data, timeout=30)
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_library_end_to_end(endpoint, key, world, fmt):
    client = GeoReport(endpoint, jurisdiction="beitaipingzhuang", api_key=key[1],
                       output_format=fmt)  # fmt: skip
    services = client.get_service_list()
    assert [s["service_code"] for s in services][:3] == ["drain", "plumbing", "electrics"]
    assert {s["type"] for s in services} == {"realtime"}
    definition = client.get_service_definition("drain")
    assert definition["service_code"] == "drain"
    attributes = (
        definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    )
    assert [a["code"] for a in attributes] == ["urgency", "floor", "household"]

    response = post(endpoint, key[1], fmt)
    if fmt == "json":
        new_id = response.json()[0]["service_request_id"]
    else:
        import xmltodict

        new_id = xmltodict.parse(response.content)["service_requests"]["request"][
            "service_request_id"
        ]
    case = db.session.get(Case, int(new_id))
    assert case.channel == "open311" and db.session.get(Submission, case.id) is not None

    everything = client.get_service_requests()
    assert new_id in [r["service_request_id"] for r in everything]
    opened = client.get_service_requests(service_code="drain", status="open")
    opened = opened if isinstance(opened, list) else [opened]  # xmltodict: one is a dict
    assert new_id in [r["service_request_id"] for r in opened]
    assert {r["status"] for r in opened} == {"open"}
    closed = client.get_service_requests(status="closed")
    assert {r["status"] for r in closed} == {"closed"} and len(closed) == 2
    some = client.get_service_requests(service_request_id=f"{new_id},{world.case('received').id}")
    assert len(some) == 2
    window = dict(start_date="2020-01-01T00:00:00Z", end_date="2020-03-01T00:00:00+08:00")
    if fmt == "json":
        assert client.get_service_requests(**window) == []
    else:  # the library's own limit: xmltodict reads an empty <service_requests/> as None
        with pytest.raises(TypeError):
            client.get_service_requests(**window)
    one = client.get_service_request(new_id)
    assert one["service_request_id"] == new_id and one["status"] == "open"
    assert one["address"] == "红联北村 3号楼 2单元"
    assert one["status_notes"] == "Received; waiting to be sent to a service team."


def test_georeport_library_sees_errors_as_http_errors(endpoint):
    client = GeoReport(endpoint)
    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_definition("potholes")
    assert raised.value.response.status_code == 404
    assert raised.value.response.json() == [
        {"code": 404, "description": "No service potholes; see services.xml."}
    ]
    with pytest.raises(requests.HTTPError):
        client.get_service_requests(status="pending")


def test_civicbot_client_reads_and_posts(endpoint, key, world):
    import civicbot  # a dev dependency (pyproject.toml): missing, the test fails, not skips
    from civicbot.http import HttpTransport, RateLimiter

    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0))  # no politeness pause
    client = civicbot.Open311Client(
        civicbot.Endpoint(id="btpz", name="北太平庄街道", base_url=endpoint, write=True),
        transport,
        jurisdiction_id="beitaipingzhuang",
    )
    assert client.list_services()[0]["service_code"] == "drain"
    assert client.get_service_definition("trees")["service_code"] == "trees"
    prepared = client.create_request(
        "trees",
        dry_run=False,
        confirm="SEND",
        api_key=key[1],
        validate_remote=True,  # checks the payload against our services and definition
        address_id=f"building-{world.building.id}",
        description="枯枝压着电线",
        attributes={"urgency": "emergency"},
    )
    (answer,) = prepared.response
    case = db.session.get(Case, int(answer["service_request_id"]))
    assert (case.category, case.tier, case.building_id) == ("trees", "emergency", world.building.id)
    found = client.list_requests(service_code="trees", status="open")
    assert [r["service_request_id"] for r in found] == [answer["service_request_id"]]
    assert client.get_request(answer["service_request_id"])["service_name"] == "Trees and greenery"
