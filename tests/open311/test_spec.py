"""Every endpoint against the GeoReport v2 specification, in XML and in JSON: element names,
their order, types and required fields; every error case, always as the spec's error list in
the asked format with the right HTTP status, never a 500 or an HTML page."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from coordinator.cases.models import Case
from coordinator.categories import CATEGORIES
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.open311.models import Submission
from coordinator.open311.wire import parse_w3c
from tests.open311.conftest import BASE, errors_of, post_case, read

FORMATS = ["xml", "json"]
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
]  # fmt: skip
W3C = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+08:00$"


def items(doc, fmt, root, item):
    """A list document as a list of dicts (XML: the root's children, text or None)."""
    if fmt == "json":
        assert isinstance(doc, list)
        return doc
    assert doc.tag == root
    rows = []
    for element in doc:
        assert element.tag == item
        rows.append({child.tag: child.text for child in element})
        assert [child.tag for child in element] == list(rows[-1])  # no element twice
    return rows


# ---------------------------------------------------------------- discovery


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("where", ["/open311", BASE])
def test_discovery(client, world, fmt, where):
    response = client.get(f"{where}/discovery.{fmt}")
    assert response.status_code == 200
    doc = read(response)
    if fmt == "xml":
        assert doc.tag == "discovery"
        assert [c.tag for c in doc] == ["changeset", "contact", "key_service", "endpoints"]
        endpoint = doc.find("endpoints/endpoint")
        assert [c.tag for c in endpoint] == ["specification", "url", "changeset", "type", "formats"]
        assert [f.text for f in endpoint.findall("formats/format")] == [
            "text/xml",
            "application/json",
        ]
        url, spec, kind = (endpoint.find(n).text for n in ("url", "specification", "type"))
    else:
        assert list(doc) == ["changeset", "contact", "key_service", "endpoints"]
        (endpoint,) = doc["endpoints"]
        assert endpoint["formats"] == ["text/xml", "application/json"]
        url, spec, kind = endpoint["url"], endpoint["specification"], endpoint["type"]
    assert url == "http://localhost/open311/v2"
    assert spec == "http://wiki.open311.org/GeoReport_v2" and kind == "production"


# ---------------------------------------------------------------- services


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_our_categories(client, world, fmt):
    response = client.get(f"{BASE}/services.{fmt}")
    assert response.status_code == 200
    rows = items(read(response), fmt, "services", "service")
    assert [r["service_code"] for r in rows] == list(CATEGORIES)
    for row in rows:
        assert list(row) == SERVICE_FIELDS
        assert row["type"] == "realtime" and row["service_name"] and row["keywords"]
        assert row["metadata"] == (True if fmt == "json" else "true")
    drain = rows[0]
    assert drain["service_name"] == "Drains and sewage"
    assert drain["group"] == "Repairs to shared facilities"


def test_services_in_chinese(client, world, chinese):
    rows = read(client.get(f"{BASE}/services.json"))
    assert rows[0]["service_name"] == "下水道与污水"
    assert rows[0]["group"] == "设施维修"


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition(client, world, fmt):
    response = client.get(f"{BASE}/services/drain.{fmt}")
    assert response.status_code == 200
    doc = read(response)
    if fmt == "xml":
        assert doc.tag == "service_definition"
        assert [c.tag for c in doc] == ["service_code", "attributes"]
        assert doc.find("service_code").text == "drain"
        attributes = []
        for element in doc.find("attributes"):
            assert element.tag == "attribute"
            row = {c.tag: c.text for c in element if c.tag != "values"}
            values = element.find("values")
            if values is not None:
                row["values"] = [
                    {v.find("key").text: v.find("name").text} for v in values.findall("value")
                ]
            attributes.append(row)
        assert attributes[0]["required"] == "false" and attributes[0]["order"] == "1"
    else:
        assert list(doc) == ["service_code", "attributes"]
        attributes = doc["attributes"]
        assert attributes[0]["required"] is False and attributes[0]["order"] == 1
        assert attributes[1]["datatype_description"] == "A whole number, e.g. 3."
    assert [a["code"] for a in attributes] == ["urgency", "floor", "household"]
    assert [a["datatype"] for a in attributes] == ["singlevaluelist", "number", "string"]
    for a in attributes:
        assert list(a)[:7] == [
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
        ]
    keys = [list(v)[0] if fmt == "xml" else v["key"] for v in attributes[0]["values"]]
    assert keys == ["emergency", "utilities", "general", "complex"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_service_definition_is_404(client, world, fmt):
    response = client.get(f"{BASE}/services/potholes.{fmt}")
    assert response.status_code == 404
    assert errors_of(response, fmt) == [(404, "No service potholes; see services.xml.")]


# ---------------------------------------------------------------- POST requests


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_makes_a_case_like_any_other(client, world, key, fmt):
    row, text = key
    response = post_case(
        client,
        text,
        fmt,
        **{
            "attribute[floor]": "1",
            "attribute[household]": "101",
            "attribute[urgency]": "utilities",
            "attribute[WHISPAWN]": "ignored",
            "media_url": "https://example.org/p/1.jpg",
            "email": "li@example.org",
            "account_id": "acct-9",
            "device_id": "dev-1",
            "lat": "39.97",
            "long": "116.36",
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    (answer,) = items(read(response), fmt, "service_requests", "request")
    assert list(answer) == ["service_request_id", "service_notice", "account_id"]
    assert answer["account_id"] == "acct-9"
    assert "Water, power, gas, heating (24 hours)" in answer["service_notice"]
    case = db.session.get(Case, int(answer["service_request_id"]))
    assert (case.channel, case.category, case.tier, case.status) == (
        "open311", "drain", "utilities", "received")  # fmt: skip
    assert (case.compound_id, case.building_id, case.entrance_id) == (
        world.compound.id, world.building.id, world.building.entrances[0].id)  # fmt: skip
    assert (case.reporter_name, case.reporter_phone, case.floor, case.household) == (
        "李阿姨", "13912345678", 1, "101")  # fmt: skip
    assert case.events[0].action == "opened"
    assert case.events[0].actor_name == "北京12345市民服务热线平台 (Open311)"
    sub = db.session.get(Submission, case.id)
    assert (sub.key_id, sub.media_url, sub.email, sub.account_id, sub.device_id) == (
        row.id, "https://example.org/p/1.jpg", "li@example.org", "acct-9", "dev-1")  # fmt: skip
    db.session.refresh(row)
    assert row.last_used_at is not None


def test_post_by_address_id_each_kind(client, world, key):
    entrance = world.building.entrances[1]
    for address_id, place in (
        (f"compound-{world.compound.id}", (world.compound.id, None, None)),
        (f"building-{world.building.id}", (world.compound.id, world.building.id, None)),
        (f"entrance-{entrance.id}", (world.compound.id, world.building.id, entrance.id)),
    ):
        response = post_case(client, key[1], address_string=None, address_id=address_id)
        case = db.session.get(Case, int(read(response)[0]["service_request_id"]))
        assert (case.compound_id, case.building_id, case.entrance_id) == place
        assert case.community_id == world.community.id


@pytest.mark.parametrize(
    "address, building, entrance",
    [
        ("红联北村 3号楼 2单元", True, 1),
        ("北京市海淀区北太平庄街道红联北村３号楼", True, None),
        ("3号楼, 红联北村", True, None),
        ("红联北村3栋2单元", True, 1),
        ("红联北村", False, None),
        ("红联北村 13号楼", False, None),  # no 13号楼: the compound, not 3号楼
    ],
)
def test_address_string_onto_the_place_tree(client, world, key, address, building, entrance):
    response = post_case(client, key[1], address_string=address)
    assert response.status_code == 200, response.get_data(as_text=True)
    case = db.session.get(Case, int(read(response)[0]["service_request_id"]))
    assert case.compound_id == world.compound.id
    assert case.building_id == (world.building.id if building else None)
    expected = world.building.entrances[entrance].id if entrance is not None else None
    assert case.entrance_id == expected


def test_post_errors_each_with_its_status(client, world, key, make):
    revoked_row, revoked = make_revoked(world)
    cases = [
        ({"api_key": None}, 403, "api_key is missing: a service request needs one."),
        ({"api_key": "o311_nope"}, 403, "Invalid api_key received; ask the subdistrict for a key."),
        ({"api_key": revoked}, 403,
         "This api_key has been revoked; ask the subdistrict for a new one."),
        ({"service_code": None}, 400, "service_code is missing; see services.xml."),
        ({"service_code": "potholes"}, 404, "No service potholes; see services.xml."),
        ({"jurisdiction_id": "sfgov.org"}, 404,
         "jurisdiction_id sfgov.org is not served here; this endpoint serves beitaipingzhuang."),
        ({"address_string": None}, 400, "Send address_string or address_id: where is the problem?"),
        ({"address_string": None, "lat": "39.9", "long": "116.3"}, 400,
         "We cannot place lat/long: our map has no coordinates. Send address_string (e.g. "
         "“红联北村 3号楼”) or address_id (e.g. building-34)."),
        ({"address_string": "中关村大街1号"}, 400,
         "No compound of this subdistrict is named in “中关村大街1号”. Name the compound and "
         "the building, e.g. “红联北村 3号楼”, or send address_id."),
        ({"address_id": "house-1"}, 400,
         "address_id must look like compound-12, building-34 or entrance-56 (see the address "
         "ids the subdistrict gave you)."),
        ({"address_id": "building-999999"}, 400,
         "There is no place building-999999 in this subdistrict."),
        ({"address_id": "building-99999999999"}, 400,
         "There is no place building-99999999999 in this subdistrict."),
        ({"description": "x" * 4001}, 400, "description: at most 4,000 characters."),
        ({"phone": "12345"}, 400,
         "phone: a mobile number (13800138000) or a landline (010-62000000)."),
        ({"email": "li at example"}, 400, "email: not an e-mail address."),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url: an http(s) URL."),
        ({"attribute[floor]": "三"}, 400, "attribute[floor]: a whole number from -5 to 200."),
        ({"attribute[urgency]": "now"}, 400,
         "attribute[urgency]: one of emergency, utilities, general, complex."),
        ({"first_name": "x" * 30, "last_name": "y" * 30}, 400,
         "first_name and last_name: at most 40 characters together."),
    ]  # fmt: skip
    before = db.session.scalar(select(db.func.count(Case.id)))
    for fields, status, words in cases:
        for fmt in FORMATS:
            response = post_case(client, key[1], fmt, **fields)
            assert response.status_code == status, (fields, response.get_data(as_text=True))
            assert errors_of(response, fmt) == [(status, words)], fields
    assert db.session.scalar(select(db.func.count(Case.id))) == before  # nothing half-saved
    assert revoked_row.id


def make_revoked(world):
    from coordinator.open311 import services

    row, text = services.make_key(world.admin, "旧系统")
    services.revoke_key(world.admin, row.id)
    db.session.commit()
    return row, text


def test_post_lists_every_problem_at_once(client, world, key):
    response = post_case(client, key[1], phone="1", email="x", **{"attribute[floor]": "999"})
    assert response.status_code == 400
    assert [code for code, _words in errors_of(response)] == [400, 400, 400]


def test_a_post_refused_inside_the_unit_of_work_leaves_nothing(client, world, key, monkeypatch):
    from coordinator.cases import signals

    def boom(sender, **kw):
        raise RuntimeError("a receiver failed")

    signals.case_opened.connect(boom)
    try:
        client.application.config["PROPAGATE_EXCEPTIONS"] = False
        response = post_case(client, key[1])
    finally:
        client.application.config["PROPAGATE_EXCEPTIONS"] = None
        signals.case_opened.disconnect(boom)
    assert response.status_code == 400
    assert errors_of(response) == [(400, "General service error; please tell the subdistrict.")]
    assert db.session.scalar(select(db.func.count(Case.id))) == 0
    assert db.session.scalar(select(db.func.count(Submission.case_id))) == 0


def test_post_takes_no_csrf_token_and_ignores_a_json_body(client, world, key):
    response = client.post(f"{BASE}/requests.json", json={"api_key": key[1]})
    assert response.status_code == 403  # the key is read from the form, as the spec says
    assert errors_of(response)[0][0] == 403


# ---------------------------------------------------------------- GET requests


def by_id(rows):
    return {r["service_request_id"]: r for r in rows}


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_fields_and_types(client, world, fmt):
    case = world.case("accepted")
    response = client.get(f"{BASE}/requests.{fmt}")
    assert response.status_code == 200
    (row,) = items(read(response), fmt, "service_requests", "request")
    assert list(row) == REQUEST_FIELDS
    assert row["service_request_id"] == str(case.id)
    assert row["status"] == "open"
    assert row["status_notes"] == "Accepted by 北京首华物业管理有限公司."
    assert (row["service_code"], row["service_name"]) == ("drain", "Drains and sewage")
    assert row["agency_responsible"] == "北京首华物业管理有限公司"
    assert row["address"] == "红联北村 3号楼 1单元"
    assert row["address_id"] == f"entrance-{world.building.entrances[0].id}"
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert row[name] and __import__("re").match(W3C, row[name]), row[name]
    assert parse_w3c(row["requested_datetime"]) == case.created_at.replace(microsecond=0)
    assert parse_w3c(row["expected_datetime"]) == case.due_at.replace(microsecond=0)
    for name in ("description", "zipcode", "lat", "long", "media_url"):
        assert row[name] is None, name  # JSON null; XML an empty element


STATUS_WORDS = {
    "received": ("open", "Received; waiting to be sent to a service team."),
    "void": ("closed", "Void: not taken up (a duplicate, or not for the subdistrict to handle)."),
    "dispatched": ("open", "Sent to 北京首华物业管理有限公司."),
    "returned": ("open", "Being sent to another service team."),
    "in_progress": ("open", "北京首华物业管理有限公司 is working on it."),
    "extended": ("open",
                 "北京首华物业管理有限公司 is working on it; the time limit was extended."),
    "parked": ("open", "On hold until the season allows the work."),
    "handled": ("open", "Done by 北京首华物业管理有限公司; the community will check it on site."),
    "verified": ("open", "Checked on site; the resident will be asked how it went."),
    "callback": ("open", "Checked on site; the resident will be asked how it went."),
    "reopened": ("open", "Reopened: the resident was not satisfied; it is being handled again."),
    "closed": ("closed", "Resolved and closed."),
}  # fmt: skip


def test_status_mapping_and_notes_never_staff_words(client, world):
    made = {status: world.case(status) for status in STATUS_WORDS}
    rows = by_id(read(client.get(f"{BASE}/requests.json")))
    for status, (open_or_closed, words) in STATUS_WORDS.items():
        row = rows[str(made[status].id)]
        assert (row["status"], row["status_notes"]) == (open_or_closed, words), status
        closed = made[status]
        if status == "closed":
            assert parse_w3c(row["updated_datetime"]) == closed.closed_at.replace(microsecond=0)
            assert row["service_notice"] is None
    body = client.get(f"{BASE}/requests.json").get_data(as_text=True)
    for staff_note in ("重复", "不归我们管", "等配件", "冬季施工", "不满意"):  # PATHS' notes
        assert staff_note not in body


def test_public_get_never_shows_who_asked_or_what_they_wrote(client, world, key, make):
    world.case(
        "received",
        household="701室",
        reporter_name="孙先生",
        reporter_phone="13811112222",
        description="我家孩子在车棚弄脏了衣服",
    )
    response = post_case(
        client, key[1], media_url="https://example.org/p/9.jpg", **{"attribute[household]": "502室"}
    )
    mine = read(response)[0]["service_request_id"]
    other_row, other = __import__("coordinator.open311.services", fromlist=["x"]).make_key(
        world.admin, "别的系统"
    )
    db.session.commit()
    secrets = (
        "701室",
        "孙先生",
        "13811112222",
        "车棚弄脏",
        "502室",
        "李阿姨",
        "13912345678",
        "厨房下水道反水",
        "example.org",
        "13811112222",
    )
    for fmt in FORMATS:
        for query in ("", f"?api_key={other}"):
            for path in (f"/requests.{fmt}{query}", f"/requests/{mine}.{fmt}{query}"):
                body = client.get(BASE + path).get_data(as_text=True)
                assert not [s for s in secrets if s in body], path
    own = by_id(read(client.get(f"{BASE}/requests.json?api_key={key[1]}")))[mine]
    assert own["description"] == "厨房下水道反水，请尽快处理"
    assert own["media_url"] == "https://example.org/p/9.jpg"
    assert "502室" not in str(own) and "李阿姨" not in str(own)


def test_get_filters(client, world):
    drain = world.case("received")
    trees = world.case("closed", category="trees")
    void = world.case("void", category="paving")
    old = world.case("received")
    db.session.execute(
        update(Case).where(Case.id == old.id).values(created_at=utcnow() - timedelta(days=100))
    )
    db.session.commit()

    def ids(query):
        response = client.get(f"{BASE}/requests.json?{query}")
        assert response.status_code == 200, (query, response.get_data(as_text=True))
        return [int(r["service_request_id"]) for r in read(response)]

    newest_first = [void.id, trees.id, drain.id]
    assert ids("") == newest_first  # the last 90 days: not the old one
    assert ids("service_code=drain") == [drain.id]
    assert ids("service_code=drain,trees") == [trees.id, drain.id]
    assert ids("service_code=drain&service_code=trees") == [trees.id, drain.id]
    assert ids("status=open") == [drain.id]
    assert ids("status=closed") == [void.id, trees.id]
    assert ids("status=open,closed") == newest_first
    assert ids("status=CLOSED&service_code=paving") == [void.id]
    start = (utcnow() - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"start_date={start}") == [old.id]  # the 90 days from start_date
    end = (utcnow() - timedelta(days=95)).strftime("%Y-%m-%dT%H:%M:%S") + "%2B08:00"
    assert ids(f"end_date={end}") == [old.id]
    assert ids(f"start_date={start}&end_date={end}") == [old.id]
    # service_request_id overrides every other filter, old or not; unknown ids are no match
    assert ids(f"service_request_id={old.id},{drain.id},999999,99999999999&status=closed") == [
        drain.id,
        old.id,
    ]
    assert ids("page_size=2") == [void.id, trees.id]
    assert ids("page_size=2&page=2") == [drain.id]
    assert ids("page_size=2&page=3") == []
    assert ids("jurisdiction_id=BEITAIPINGZHUANG") == newest_first


def test_default_page_size(client, world, app):
    for _ in range(3):
        world.case("received")
    app.config["OPEN311_PAGE_SIZE"] = client.application.config["OPEN311_PAGE_SIZE"] = 2
    try:
        assert len(read(client.get(f"{BASE}/requests.json"))) == 2
        assert len(read(client.get(f"{BASE}/requests.json?page_size=3"))) == 3
    finally:
        app.config["OPEN311_PAGE_SIZE"] = client.application.config["OPEN311_PAGE_SIZE"] = 50


@pytest.mark.parametrize(
    "query, words",
    [
        ("service_request_id=1;2", "service_request_id: numbers separated by commas, e.g. 17,18."),
        ("service_request_id=" + ",".join(map(str, range(1001))),
         "service_request_id: at most 1000 ids at once."),
        ("service_code=potholes", "service_code: no service potholes; see services.xml."),
        ("status=pending", "status: open, closed, or both separated by a comma."),
        ("start_date=yesterday",
         "start_date: a W3C date-time with its zone, e.g. 2026-11-01T00:00:00+08:00."),
        ("end_date=2026-13-45T00:00:00Z",
         "end_date: a W3C date-time with its zone, e.g. 2026-11-01T00:00:00+08:00."),
        ("start_date=0001-01-01T00:00:00Z",
         "start_date: a W3C date-time with its zone, e.g. 2026-11-01T00:00:00+08:00."),
        ("start_date=2026-11-02T00:00:00Z&end_date=2026-11-01T00:00:00Z",
         "start_date is after end_date."),
        ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
         "start_date and end_date may not span more than 90 days."),
        ("page=0", "page: a whole number from 1 to 100000."),
        ("page_size=1001", "page_size: a whole number from 1 to 1000."),
        ("page_size=%EF%BC%95", "page_size: a whole number from 1 to 1000."),
    ],
)  # fmt: skip
def test_get_requests_bad_filters_are_400(client, world, query, words):
    for fmt in FORMATS:
        response = client.get(f"{BASE}/requests.{fmt}?{query}")
        assert response.status_code == 400, query
        assert errors_of(response, fmt) == [(400, words)]


def test_w3c_dates_as_clients_send_them():
    moment = parse_w3c("2026-11-26T14:30:00+08:00")
    for text in ("2026-11-26T06:30:00Z", "2026-11-26T06:30Z", "2026-11-26T14:30:00 08:00",
                 "2026-11-26T14:30:00.000+0800", "2026-11-26T01:30:00-05:00",
                 "2026-11-26T14:30:00"):  # fmt: skip
        assert parse_w3c(text) == moment, text
    assert parse_w3c("2026-11-26") == parse_w3c("2026-11-26T00:00:00+08:00")
    for bad in ("26/11/2026", "2026-11-26T14:30:00+25:00", "2026-W48", "", "2026-11-26T25:00Z"):
        with pytest.raises(ValueError):
            parse_w3c(bad)


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_one_request(client, world, fmt):
    case = world.case("dispatched")
    response = client.get(f"{BASE}/requests/{case.id}.{fmt}")
    assert response.status_code == 200
    (row,) = items(read(response), fmt, "service_requests", "request")
    assert list(row) == REQUEST_FIELDS and row["service_request_id"] == str(case.id)
    for missing in (case.id + 1, 2147483647):
        response = client.get(f"{BASE}/requests/{missing}.{fmt}")
        assert response.status_code == 404
        assert errors_of(response, fmt) == [(404, f"No service request {missing}.")]


# ---------------------------------------------------------------- errors of the API itself

NOT_FOUND = "No such resource; start at discovery.xml or services.xml."


@pytest.mark.parametrize(
    "method, path, status, words, fmt",
    [
        ("GET", "/requests/99999999999.json", 404, NOT_FOUND, "json"),
        ("GET", "/requests/abc.xml", 404, NOT_FOUND, "xml"),
        ("GET", "/requests/%00.json", 404, NOT_FOUND, "json"),
        ("GET", "/tokens/123.json", 404, NOT_FOUND, "json"),
        ("GET", "/", 404, NOT_FOUND, "xml"),
        ("GET", "/services.html", 400, "Unknown format: ask for .xml or .json.", "xml"),
        ("GET", "/services.JSON", 400, "Unknown format: ask for .xml or .json.", "xml"),
        ("GET", "/requests.csv", 400, "Unknown format: ask for .xml or .json.", "xml"),
        ("POST", "/requests.txt", 400, "Unknown format: ask for .xml or .json.", "xml"),
        ("PUT", "/services.json", 405, "This resource answers GET only.", "json"),
        ("DELETE", "/requests/1.xml", 405, "This resource answers GET only.", "xml"),
        ("PATCH", "/requests.json", 405, "This resource answers GET, POST only.", "json"),
        ("POST", "/services/drain.json", 405, "This resource answers GET only.", "json"),
    ],
)
def test_every_error_is_an_open311_document(client, world, method, path, status, words, fmt):
    response = client.open(BASE + path, method=method)
    assert response.status_code == status, response.get_data(as_text=True)
    assert errors_of(response, fmt) == [(status, words)]
    if status == 405:
        assert response.headers["Allow"]


def test_hostile_input_never_a_500_nor_html(client, world, key):
    hostile = ["\x00", "%00", "' OR 1=1 --", "<script>", "９９", "1e999", "-1", "🙂" * 300,
               "2026-11-01T00:00:00\x00Z", "9" * 400]  # fmt: skip
    headers = [{}, {"X-Forwarded-For": "1.2.3.4"}, {"Host": "evil.example"},
               {"Accept": "text/html"}, {"Content-Type": "application/json"},
               {"Accept-Language": "xx"}]  # fmt: skip
    names = ["service_request_id", "service_code", "start_date", "end_date", "status", "page",
             "page_size", "jurisdiction_id", "api_key"]  # fmt: skip
    for value in hostile:
        for name in names:
            for header in headers[:2]:
                response = client.get(
                    f"{BASE}/requests.json", query_string={name: value}, headers=header
                )
                assert response.status_code in (200, 400, 403, 404), (name, value)
                read(response)
        data = {
            n: value
            for n in (
                "service_code",
                "address_string",
                "address_id",
                "description",
                "phone",
                "email",
                "media_url",
                "lat",
            )
        }
        data["api_key"] = key[1]
        response = client.post(f"{BASE}/requests.xml", data=data)
        assert response.status_code in (200, 400, 404), value
        read(response)
    for header in headers:
        for path in ("/requests.json", "/services.xml", "/discovery.json", "/nope"):
            response = client.get(BASE + path, headers=header)
            assert response.status_code < 500
            assert "html" not in response.headers["Content-Type"]


def test_a_body_too_large_is_an_open311_error(client, world, key, app):
    client.application.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        response = post_case(client, key[1], description="x" * 3000)
    finally:
        client.application.config["MAX_CONTENT_LENGTH"] = 64 * 1024 * 1024
    assert response.status_code == 413
    assert errors_of(response) == [(413, "The request is too large.")]


def test_statements_constant_in_the_data_size(client, world, count_queries):
    """One statement per GET requests whatever the page holds (the rows, their places, team
    and submission in one); two with a key (the key)."""
    urls = [
        f"{BASE}/requests.json",
        f"{BASE}/requests.xml?status=open&service_code=drain",
        f"{BASE}/requests.json?service_code=drain,trees&status=closed&page=1",
        f"{BASE}/requests.json?service_request_id=1,2,3",
        f"{BASE}/requests/1.json",
    ]

    def counts():
        found = []
        for url in urls:
            with count_queries() as q:
                assert client.get(url).status_code in (200, 404)
            found.append(q.count)
        return found

    world.case("received")
    few = counts()
    for status in ("received", "closed", "in_progress") * 20:
        world.case(status)
    many = counts()
    assert few == many == [1, 1, 1, 1, 1]
