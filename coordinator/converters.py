"""How text from the wire becomes values, once for every route: paths, query strings, forms.

Three faults came from letting the wire's text through as it came:

- `<int:id>` matched any Unicode digits (`/events/١٢٣` was event 123) and any size
  (`/photos/2147483648` reached the database, which cannot hold it: a 500 on both engines);
- NUL and other control characters reached PostgreSQL, which refuses NUL in text (a 500 in
  some forty fields, anonymous ones too), and the spreadsheet export, which refuses the rest;
- `request.args.get("x", type=int)` took `int()`'s view of a number, which is Unicode's.

So the `int` converter takes ASCII digits within the database's integer range (else 404),
string path segments refuse control characters (404), and the request's form and query
values arrive without control characters and with `type=int` read the same strict way.
Control characters are dropped rather than refused: nobody can see them to take them out
(they come from copying out of documents, or from an attacker), and the rest of the text is
what the person meant.
"""

import re

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter, UnicodeConverter

# PostgreSQL's `integer`: every id and count column of the app. SQLite's limit is wider.
INT_MAX = 2**31 - 1
_INT = re.compile(r"[+-]?[0-9]{1,10}")
# C0 controls but tab, line feed and carriage return; DEL. (PostgreSQL refuses \x00; XML,
# and so XLSX, refuses the others.)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def parse_int(value) -> int | None:
    """An integer written in ASCII digits that the database can hold, else None.

    int() would take '١٢٣' or '０１２' (Unicode digits), '1_000' and numbers of any size."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _INT.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if -INT_MAX <= number <= INT_MAX else None


def without_controls(text: str) -> str:
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


class Id(IntegerConverter):
    """`<int:x>` in every route: ASCII digits, at most the largest integer a column holds."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits=0, min=None, max=INT_MAX, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


class Text(UnicodeConverter):
    """`<x>` and `<string:x>`: one path segment without control characters."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):
        super().__init__(map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f]")


def _clean(value):
    return without_controls(value) if isinstance(value, str) else value


def _pairs(mapping):
    if mapping is None:
        return
    if isinstance(mapping, MultiDict):
        items = mapping.items(multi=True)
    elif isinstance(mapping, dict):
        items = (
            (k, v)
            for k, vs in mapping.items()
            for v in (vs if isinstance(vs, (list, tuple)) else [vs])
        )
    else:
        items = mapping
    for key, value in items:
        yield _clean(key), _clean(value)


class Values(ImmutableMultiDict):
    """The request's query and form values, without control characters, and with
    `get(key, type=int)` meaning parse_int (a bad or huge number is the default)."""

    def __init__(self, mapping=None):
        super().__init__(list(_pairs(mapping)))

    def get(self, key, default=None, type=None):
        if type is int:
            number = parse_int(super().get(key))
            return default if number is None else number
        return super().get(key, default, type)


class CoordinatorRequest(Request):
    parameter_storage_class = Values


def init_app(app) -> None:
    """Before any blueprint adds its rules: converters are looked up as a rule is added."""
    app.request_class = CoordinatorRequest
    app.url_map.converters.update(int=Id, default=Text, string=Text)
