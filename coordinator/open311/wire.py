"""GeoReport v2 on the wire: the format a path asks for, its documents in XML and JSON, errors,
and W3C date-times.

The XML is the specification's, element for element (`<services><service>…`,
`<service_requests><request>…`, `<errors><error><code>…`): no namespace, no foreign tags, the
declaration `<?xml version="1.0" encoding="utf-8"?>` first. The JSON is the same document by
the Spark convention the specification names: a repeated element becomes an array (so a list
document is an array at the top), a missing value is `null`, `true`/`false` are booleans.
Identifiers (service_request_id, service_code, address_id) are strings in JSON: ours are not
all numbers (`building-34`), and clients compare them as text.

Written with the standard library's ElementTree and json: nothing is hand-escaped.
"""

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from flask import Response

from coordinator.i18n import LOCAL, local_moment

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
MIME_TYPES = ("text/xml", "application/json")  # as the discovery document lists them
# The format errors are written in when the path asks for none we know: XML, the required one.
FALLBACK = "xml"

# A list's name → the name of each of its elements (the Spark convention, read backwards).
ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "service_requests": "request",
    "errors": "error",
}

# Characters XML 1.0 cannot carry, even escaped (C0 controls but tab and line breaks, the two
# non-characters, lone surrogates): dropped from text, or the document would not parse.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class Open311Error(Exception):
    """Answer with the specification's error document: HTTP `status`, and one or more
    (code, description) pairs; the code is the HTTP status unless said otherwise."""

    def __init__(self, status: int, description, code: int | None = None, headers=None):
        super().__init__(str(description))
        self.status = status
        self.errors = [(code or status, str(description))]
        self.headers = headers or {}


def fmt_of(extension: str | None) -> str | None:
    """The format a path's extension names (`requests.json` → json), or None for another."""
    return extension if extension in FORMATS else None


def _text(value) -> str:
    text = value if isinstance(value, str) else str(value)
    return _NOT_XML.sub("", text) if _NOT_XML.search(text) else text


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for name, inner in value.items():
            _fill(ET.SubElement(element, name), inner)
    elif isinstance(value, list):
        item = ITEMS[element.tag]
        for inner in value:
            _fill(ET.SubElement(element, item), inner)
    elif value is None:
        return  # <zipcode/>: the element is there, empty, as in the specification's examples
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = _text(value)


def to_xml(root: str, value) -> bytes:
    element = ET.Element(root)
    _fill(element, value)
    body = ET.tostring(element, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def to_json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


def answer(fmt: str, root: str, value, status: int = 200, headers=None) -> Response:
    """A document in the asked format: `root` names the XML root element (for a list, the
    list's name: services, service_requests, errors)."""
    body = to_json(value) if fmt == "json" else to_xml(root, value)
    response = Response(body, status=status, content_type=FORMATS[fmt])
    for name, header in (headers or {}).items():
        response.headers[name] = header
    return response


def errors(fmt: str | None, error: Open311Error) -> Response:
    rows = [{"code": code, "description": description} for code, description in error.errors]
    return answer(fmt or FALLBACK, "errors", rows, error.status, error.headers)


# ---------------------------------------------------------------- date-times

# The W3C note's subset of ISO 8601 (what the specification asks for): a date, or a date and
# a time (minutes, seconds, fractions optional) with its zone, Z or ±hh:mm.
_W3C = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:[Tt ](?P<time>[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?)"
    r"(?P<zone>[Zz]|[+-][0-9]{2}:?[0-9]{2})?)?"
)
_FIRST, _LAST = datetime(1970, 1, 1), datetime(2100, 1, 1)


_offsets: dict[datetime, tuple[timedelta, str]] = {}  # UTC hour → the zone's offset then


def w3c(moment: datetime | None) -> str | None:
    """A stored moment (naive UTC) in the subdistrict's offset: 2026-11-26T14:30:00+08:00.

    The offset is looked up once per hour of UTC (zones change offset on the hour), and the
    moment written naive with it: a list of a thousand requests writes three thousand."""
    if moment is None:
        return None
    hour = moment.replace(minute=0, second=0, microsecond=0)
    found = _offsets.get(hour)
    if found is None:
        aware = local_moment(hour)
        offset = aware.utcoffset()
        found = _offsets[hour] = (offset, aware.isoformat(timespec="seconds")[19:])
        if len(_offsets) > 100_000:  # years of hours: start again rather than grow
            _offsets.clear()
    return (moment + found[0]).isoformat(timespec="seconds") + found[1]


def parse_w3c(text: str) -> datetime:
    """A W3C date-time → naive UTC, as the database keeps moments. ValueError if it is not one.

    Lenient where clients are known to slip, and says how in the README: a `+` of the offset
    that arrives as a space (a query string not encoded) is read as `+`; a date alone, or a
    time without a zone, is the subdistrict's local time (Beijing)."""
    text = text.strip()
    if re.fullmatch(r".*[T ][0-9:.]+ [0-9]{2}:?[0-9]{2}", text):
        head, _space, offset = text.rpartition(" ")
        text = f"{head}+{offset}"
    match = _W3C.fullmatch(text)
    if match is None:
        raise ValueError(text)
    day, time, zone = match["date"], match["time"], match["zone"]
    if time and time.count(":") == 1:
        time += ":00"
    if time and "." in time:  # at most microseconds
        whole, fraction = time.split(".")
        time = f"{whole}.{fraction[:6].ljust(6, '0')}"
    moment = datetime.fromisoformat(f"{day}T{time or '00:00:00'}")
    if not _FIRST <= moment < _LAST:
        raise ValueError(text)
    if zone in (None,):
        return moment.replace(tzinfo=LOCAL).astimezone(UTC).replace(tzinfo=None)
    if zone in ("Z", "z"):
        return moment
    sign = 1 if zone[0] == "+" else -1
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 14 or minutes > 59:
        raise ValueError(text)
    return moment - sign * timedelta(hours=hours, minutes=minutes)
