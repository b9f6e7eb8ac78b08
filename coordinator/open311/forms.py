"""What Open311 clients send, read strictly in one place: the POST of a service request (a
form-encoded body, as the specification says), the query of GET requests, and the admin's
key form.

A parameter sent empty is a parameter not sent (the specification's "optional"). Every
problem found is reported, each as its own {code, description}: a client fixes them at once.
"""

import re
from datetime import timedelta

from flask import current_app
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from coordinator.categories import CATEGORIES
from coordinator.converters import INT_MAX, parse_int
from coordinator.forms import LANDLINE, MOBILE, FlaskForm, normalise_phone, strip
from coordinator.i18n import gettext as _
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import utcnow
from coordinator.open311 import catalog
from coordinator.open311.wire import Open311Error, parse_w3c

DESCRIPTION_MAX = 4000  # the specification's limit


class Problems:
    """The 400s found in one request, raised together."""

    def __init__(self):
        self.found: list[str] = []

    def add(self, message) -> None:
        self.found.append(str(message))

    def raise_any(self) -> None:
        if self.found:
            error = Open311Error(400, self.found[0])
            error.errors = [(400, message) for message in self.found]
            raise error


def _values(args, name: str) -> list[str]:
    """A parameter's comma separated values, given once or several times, blanks dropped."""
    return [
        part.strip() for value in args.getlist(name) for part in value.split(",") if part.strip()
    ]


# ---------------------------------------------------------------- POST requests


class RequestForm(FlaskForm):
    """The body of POST requests.(xml|json); its api_key and jurisdiction_id are read by the
    view, the attributes by `attributes()`."""

    class Meta:
        csrf = False  # authenticated by its api_key (blueprint.py)

    service_code = StringField(filters=[strip])
    address_string = StringField(
        filters=[strip],
        validators=[
            Optional(),
            Length(max=300, message=_l("address_string: at most 300 characters.")),
        ],
    )
    address_id = StringField(
        filters=[strip],
        validators=[Optional(), Length(max=40, message=_l("address_id: at most 40 characters."))],
    )
    lat = StringField(filters=[strip])
    long = StringField(filters=[strip])
    description = TextAreaField(
        filters=[strip],
        validators=[
            Optional(),
            Length(max=DESCRIPTION_MAX, message=_l("description: at most 4,000 characters.")),
        ],
    )
    first_name = StringField(filters=[strip])
    last_name = StringField(filters=[strip])
    phone = StringField(filters=[strip])
    email = StringField(
        filters=[strip],
        validators=[
            Optional(),
            Length(max=254, message=_l("email: at most 254 characters.")),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("email: not an e-mail address.")),
        ],
    )
    media_url = StringField(
        filters=[strip],
        validators=[
            Optional(),
            Length(max=2000, message=_l("media_url: at most 2,000 characters.")),
            Regexp(
                r"^https?://[^\s/?#]+[^\s]*$",
                re.IGNORECASE,
                message=_l("media_url: an http(s) URL."),
            ),
        ],
    )
    device_id = StringField(
        filters=[strip],
        validators=[Length(max=100, message=_l("device_id: at most 100 characters."))],
    )
    account_id = StringField(
        filters=[strip],
        validators=[Length(max=100, message=_l("account_id: at most 100 characters."))],
    )

    def reporter(self, problems: Problems) -> tuple[str, str]:
        """(name, phone) as a case keeps them: 李 + 阿姨 in Chinese order, John Smith in
        Western order; a mobile number or a landline with its area code."""
        first, last = self.first_name.data or "", self.last_name.data or ""
        chinese = any("\u4e00" <= ch <= "\u9fff" for ch in first + last)
        name = f"{last}{first}" if chinese else " ".join(p for p in (first, last) if p)
        if len(name) > 40:
            problems.add(_("first_name and last_name: at most 40 characters together."))
        phone = normalise_phone(self.phone.data)
        if phone and not (MOBILE.match(phone) or LANDLINE.match(phone)):
            problems.add(_("phone: a mobile number (13800138000) or a landline (010-62000000)."))
        return name, phone


def attributes(form_data, problems: Problems) -> dict:
    """attribute[urgency], attribute[floor], attribute[household] (the service definition's);
    other codes are not ours and are ignored, as a client of many cities may send them."""
    from coordinator.cases.models import TIERS

    found = {}
    urgency = (form_data.get(f"attribute[{catalog.URGENCY}]") or "").strip()
    if urgency:
        if urgency in TIERS:
            found["tier"] = urgency
        else:
            problems.add(
                _(
                    "attribute[urgency]: one of %(keys)s.",
                    keys=", ".join(TIERS),
                )
            )
    floor = (form_data.get(f"attribute[{catalog.FLOOR}]") or "").strip()
    if floor:
        number = parse_int(floor)
        low, high = catalog.FLOORS
        if number is None or not low <= number <= high:
            problems.add(
                _("attribute[floor]: a whole number from %(low)d to %(high)d.", low=low, high=high)
            )
        else:
            found["floor"] = number
    household = (form_data.get(f"attribute[{catalog.HOUSEHOLD}]") or "").strip()
    if household:
        if len(household) > catalog.HOUSEHOLD_MAX:
            problems.add(_("attribute[household]: at most 40 characters."))
        else:
            found["household"] = household
    return found


# ---------------------------------------------------------------- GET requests

MAX_IDS = 1000
MAX_PAGE = 100_000


def _moment(args, name: str, problems: Problems):
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        return parse_w3c(value)
    except ValueError:
        problems.add(
            _(
                "%(name)s: a W3C date-time with its zone, e.g. 2026-11-01T00:00:00+08:00.",
                name=name,
            )
        )
        return None


def _positive(args, name: str, default: int, high: int, problems: Problems) -> int:
    value = (args.get(name) or "").strip()
    if not value:
        return default
    number = parse_int(value)
    if number is None or not 1 <= number <= high:
        problems.add(_("%(name)s: a whole number from 1 to %(high)d.", name=name, high=high))
        return default
    return number


def parse_query(args) -> dict:
    """GET requests' filters (the specification's, and the page/page_size extension), or an
    Open311Error listing every problem. The window defaults to the last 90 days; given one end,
    it is the 90 days from or to it; given both, they may not span more than 90 days."""
    problems = Problems()
    config = current_app.config
    ids = None
    given = _values(args, "service_request_id")
    if given:
        if len(given) > MAX_IDS:
            problems.add(_("service_request_id: at most %(n)d ids at once.", n=MAX_IDS))
        elif not all(re.fullmatch(r"[0-9]{1,20}", each) for each in given):
            problems.add(_("service_request_id: numbers separated by commas, e.g. 17,18."))
        else:
            # A number no case can have (beyond the database's integers) matches nothing.
            ids = sorted({int(each) for each in given if int(each) <= INT_MAX})
    codes = sorted(set(_values(args, "service_code")))
    unknown = [code for code in codes if code not in CATEGORIES]
    if unknown:
        problems.add(
            _(
                "service_code: no service %(codes)s; see services.xml.",
                codes=", ".join(c[:40] for c in unknown[:5]),
            )
        )
    statuses = {value.lower() for value in _values(args, "status")}
    if statuses - {"open", "closed"}:
        problems.add(_("status: open, closed, or both separated by a comma."))
    status = next(iter(statuses)) if len(statuses) == 1 else ""
    days = timedelta(days=config["OPEN311_WINDOW_DAYS"])
    start, end = _moment(args, "start_date", problems), _moment(args, "end_date", problems)
    if start is None and end is None:
        end = utcnow()
        start = end - days
    elif end is None:
        end = start + days
    elif start is None:
        start = end - days
    elif start > end:
        problems.add(_("start_date is after end_date."))
    elif end - start > days:
        problems.add(
            _(
                "start_date and end_date may not span more than %(n)d days.",
                n=config["OPEN311_WINDOW_DAYS"],
            )
        )
    page = _positive(args, "page", 1, MAX_PAGE, problems)
    page_size = _positive(
        args,
        "page_size",
        config["OPEN311_PAGE_SIZE"],
        config["OPEN311_MAX_PAGE_SIZE"],
        problems,
    )
    problems.raise_any()
    return {
        "ids": ids,
        "codes": codes,
        "status": status,
        "start": start,
        "end": end,
        "page": page,
        "page_size": page_size,
    }


# ---------------------------------------------------------------- the admin's key form


class KeyForm(FlaskForm):
    client_name = StringField(
        _l("Client system"),
        description=_l("Who will use the key, e.g. 北京12345市民服务热线平台."),
        filters=[strip],
        validators=[
            DataRequired(_l("Name the system or organisation that will use the key.")),
            Length(max=80, message=_l("At most 80 characters.")),
        ],
    )
    contact = StringField(
        _l("Contact"),
        description=_l("Who to call about it: a name and a phone number or e-mail."),
        filters=[strip],
        validators=[Length(max=200, message=_l("At most 200 characters."))],
    )
