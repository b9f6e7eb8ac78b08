"""Real HTTP for concurrency tests: a threaded werkzeug server on the test database, clients
with their own cookies, and `burst()` to make many of them press a button at the same moment.

    def test_x(app, live, make):
        ...; db.session.commit()
        staff = live.login(user.phone)            # a cookie
        results = live.burst(6, lambda i: live.post("/cases/1/dispatch", {...}, cookie=staff))
        assert sorted(r.status for r in results) == [200] + [409] * 5

The server's app is the session's `app` (CSRF off, as in the other route tests), so rows made
in a test and committed are what the server sees.
"""

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode

from werkzeug.serving import make_server

from tests.factories import PASSWORD


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Live:
    def __init__(self, port: int):
        self.port = port

    def request(self, method, path, body=None, cookie=None, headers=None) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            all_headers = {"Content-Type": "application/x-www-form-urlencoded"}
            if cookie:
                all_headers["Cookie"] = cookie
            all_headers.update(headers or {})
            data = body if isinstance(body, bytes) else urlencode(body or {}, doseq=True)
            conn.request(method, path, body=data, headers=all_headers)
            response = conn.getresponse()
            return Answer(
                response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
            )
        finally:
            conn.close()

    def get(self, path, **kw) -> Answer:
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw) -> Answer:
        return self.request("POST", path, body, **kw)

    def login(self, phone, password=PASSWORD) -> str:
        """Sign in; the session cookie as a Cookie header value."""
        answer = self.post("/login", {"phone": phone, "password": password})
        assert answer.status == 302, (answer.status, answer.text[:300])
        return answer.headers["set-cookie"].split(";", 1)[0]

    def burst(self, n: int, press) -> list:
        """Call press(i) for i in range(n) from n threads released at the same instant."""
        start = threading.Barrier(n)

        def go(i):
            start.wait()
            return press(i)

        with ThreadPoolExecutor(max_workers=n) as pool:
            return list(pool.map(go, range(n)))


def whole_bodies(app):
    """Wrap app so that each response body is read whole and closed before it is written.

    werkzeug's dev server closes the body only after draining the socket, and a read on a socket
    the client has reset (a browser cancelling a favicon or a superseded htmx request) raises
    first: the static file stays open and its ResourceWarning fails a later test at random.
    Test servers only: the bodies here are small, and production runs under gunicorn."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


def serve(app):
    """Start a threaded server for app; returns (Live, stop)."""
    server = make_server("127.0.0.1", 0, whole_bodies(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()

    return Live(server.server_port), stop
