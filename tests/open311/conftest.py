"""Rows and helpers for the Open311 tests: the cases' world (a compound 红联北村 with its
3号楼, a team, people), a client key, and readers of the API's XML and JSON."""

import json
import xml.etree.ElementTree as ET

import pytest

from coordinator.extensions import db
from coordinator.open311 import services as open311
from tests.cases.conftest import PATHS, World, chinese, english, walk, world  # noqa: F401

BASE = "/open311/v2"
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'


@pytest.fixture
def key(world):  # noqa: F811
    """(row, key) of a client's live key, made by the admin."""
    row, text = open311.make_key(world.admin, "北京12345市民服务热线平台", "李工 010-12345")
    db.session.commit()
    return row, text


def read(response):
    """The document of an API answer: parsed JSON, or the XML root element; checks the
    content type and, for XML, the declaration the specification asks for."""
    kind = response.headers["Content-Type"]
    if kind == "application/json; charset=utf-8":
        return json.loads(response.get_data(as_text=True))
    assert kind == "text/xml; charset=utf-8", kind
    body = response.get_data()
    assert body.startswith(XML_DECLARATION), body[:80]
    return ET.fromstring(body)


def errors_of(response, fmt="json") -> list[tuple[int, str]]:
    """The (code, description) pairs of an error answer, in either format."""
    doc = read(response)
    if fmt == "json":
        assert isinstance(doc, list) and doc, doc
        for error in doc:
            assert set(error) == {"code", "description"}, error
            assert isinstance(error["code"], int) and isinstance(error["description"], str)
        return [(e["code"], e["description"]) for e in doc]
    assert doc.tag == "errors", doc.tag
    found = []
    for error in doc:
        assert error.tag == "error"
        assert [child.tag for child in error] == ["code", "description"]
        found.append((int(error.find("code").text), error.find("description").text))
    assert found
    return found


def post_case(client, key_text, fmt="json", **fields):
    data = {
        "api_key": key_text,
        "service_code": "drain",
        "address_string": "红联北村 3号楼 1单元",
        "description": "厨房下水道反水，请尽快处理",
        "first_name": "阿姨",
        "last_name": "李",
        "phone": "13912345678",
    }
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"{BASE}/requests.{fmt}", data=data)
