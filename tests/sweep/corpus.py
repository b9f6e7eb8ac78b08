"""The hostile values of the sweep: each kind once per field, as raw bytes for the wire.

Values are bytes because some kinds (invalid UTF-8, lone surrogates in CESU-8) cannot be a
Python str that a test client would encode; bodies and query strings are built by hand.
"""

from urllib.parse import quote_from_bytes

LONG = 100 * 1024

# kind → the raw value sent. Every field of every form gets every kind at least once.
VALUES: dict[str, bytes] = {
    "nul": b"a\x00b",
    "control": b"x\x0b\x1b[31my\x7f",
    # a lone surrogate as CESU-8, then bytes no UTF-8 has: both invalid UTF-8
    "bad-utf8": b"\xed\xa0\x80\xff\xfe",
    "int32+1": b"2147483648",
    "int-huge": b"99999999999999999999",  # beyond 64 bits too (9223372036854775808 in paths)
    "negative": b"-1",
    "superscript": "²".encode(),
    "arabic-indic": "١٢٣".encode(),
    "full-width": "０１２".encode(),
    "nan": b"NaN",
    "float-huge": b"1e999999",
    "date-min": b"0001-01-01",
    "date-max": b"9999-12-31",
    "date-feb30": b"2026-02-30",
    "datetime-max": b"9999-12-31T23:59",
    "crlf": b"a\r\nX-Injected: 1\r\n\r\nb",
    "long": "堵".encode() * (LONG // 6) + b"x" * (LONG // 2),
    "html": b"<script>alert(1)</script>\"'><img src=x onerror=alert(1)>",
    "formula": b'=HYPERLINK("http://evil.example","x")',
    "empty": b"",
    "whitespace": " \t\u3000 ".encode(),
    "emoji-rtl": "😀\u202egnp.exe".encode(),
}
KINDS = list(VALUES)
# A query string longer than a few KB never reaches the app (gunicorn refuses a request line
# over 4094 bytes): the long kinds of a query are as long as one can be.
IN_QUERY = {**VALUES, "long": "堵".encode() * 450 + b"x" * 2000}

# Kinds that a form may well accept in one field when the others are good, so that they reach
# the service and the database: each field gets those of its input type alone.
ALONE = {
    "text": ["nul", "long"],
    "number": ["int-huge", "arabic-indic"],
    "choice": ["int-huge", "nul"],
    "date": ["date-max", "datetime-max"],
}
TYPES = {
    "text": "text",
    "textarea": "text",
    "search": "text",
    "email": "text",
    "tel": "text",
    "password": "text",
    "number": "number",
    "date": "date",
    "datetime-local": "date",
}

# A few kinds that exercise a route's own parsing the most: used where a full corpus for
# every role would cost more than it finds (the extra roles on a shared form).
SAMPLE = ["nul", "int-huge", "long", "arabic-indic", "date-max", "crlf"]

# Path parameters: integer arguments get numbers no integer column holds and digits that are
# not ASCII; string arguments get the text kinds. Percent-encoded as a browser would send them.
PATH_INTS = [
    b"2147483648",
    b"9223372036854775808",
    b"99999999999999999999",
    "²".encode(),
    "١٢٣".encode(),
]
PATH_STRINGS = [
    b"a\x00b",
    b"\xed\xa0\x80\xff",
    "²".encode(),
    "١٢٣".encode(),
    b"99999999999999999999",
    b"x" * 4000,
    b"<script>\r\n..",
]
# Pages without a filter form read few query names of their own: the kinds that break parsing.
PAGE_SAMPLE = ["nul", "int-huge", "arabic-indic", "date-max"]
PATH_SAMPLE_INTS = [b"99999999999999999999", "²".encode(), "١٢٣".encode()]
PATH_SAMPLE_STRINGS = [b"a\x00b", "²".encode(), b"x" * 4000]


def q(raw: bytes) -> str:
    """Percent-encode every byte that is not plainly safe (what a browser puts on the wire)."""
    return quote_from_bytes(raw, safe=b"")


def encode(pairs) -> bytes:
    """application/x-www-form-urlencoded from (name, raw bytes) pairs, repeated names kept."""
    return b"&".join(
        q(k.encode() if isinstance(k, str) else k).encode()
        + b"="
        + q(v if isinstance(v, bytes) else str(v).encode()).encode()
        for k, v in pairs
    )


# Forged headers: an htmx target no page has or one with odd characters, htmx on any route,
# junk Host, X-Forwarded-For and Accept-Language, and a junk language cookie.
HEADERS: dict[str, dict[str, str]] = {
    "hx-target-unknown": {"HX-Request": "true", "HX-Target": "no-such-block"},
    "hx-target-odd": {"HX-Request": "true", "HX-Target": "a b<>\"'%00{{x}}"},
    "hx-target-long": {"HX-Request": "true", "HX-Target": "x" * 8000},
    "hx-target-empty": {"HX-Request": "true", "HX-Target": ""},
    "hx-request-only": {"HX-Request": "true"},
    "hx-boosted-junk": {
        "HX-Request": "true",
        "HX-Boosted": "maybe",
        "HX-History-Restore-Request": "x",
        "HX-Current-URL": "javascript:alert(1)",
        "HX-Trigger": "<x>",
    },
    "host": {"Host": "evil.example:99999"},
    "forwarded": {
        "X-Forwarded-For": "999.1.1.1, <script>, , ::::",
        "X-Forwarded-Proto": "gopher",
        "X-Forwarded-Host": "evil.example",
        "X-Real-IP": "junk",
    },
    "accept-language": {"Accept-Language": "xx-\u00ff;q=abc, *;q=2, zh-Hant-TW-u-nu-hanidec"},
}
COOKIES = [b"xx", b"\x00", "中文".encode(), b"e" * 3000, b"en\r\nSet-Cookie: a=b"]
