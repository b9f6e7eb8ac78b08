"""Real gunicorn servers for tests: each one is a "host" (an arbiter, its workers and, through
coordinator.notifications.gunicorn_conf, its outbox delivery process), on a free port of
127.0.0.1, started by the test and stopped by it (SIGTERM to the arbiter it started)."""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from urllib.parse import urlencode

from coordinator.config import ROOT
from tests.live import Answer, Live


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(live: Live, process, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn ended with {process.returncode}")
        try:
            if live.get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError("gunicorn did not answer /healthz")


@contextmanager
def gunicorn(env: dict, workers: int = 2, log=None):
    """A host on its own port; yields a tests.live.Live client for it."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:coordinator.notifications.gunicorn_conf",
            "--no-control-socket",
            "-w",
            str(workers),
            "--threads",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log or subprocess.DEVNULL,
        stderr=log or subprocess.DEVNULL,
    )
    live = Live(port)
    try:
        _wait_until_up(live, process)
        yield live
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # the arbiter stops workers and delivery
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class Browser:
    """One person's browser across hosts: a cookie jar and the CSRF token of the last form.

    The hosts run the production settings (CSRF on), as a load balancer's hosts would."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def _send(self, live: Live, method: str, path: str, body=None):
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
        try:
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            if cookie:
                headers["Cookie"] = cookie
            conn.request(method, path, body=urlencode(body or {}), headers=headers)
            response = conn.getresponse()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    cookie_value = rest.split(";", 1)[0]
                    if cookie_value and "Expires=Thu, 01 Jan 1970" not in value:
                        self.cookies[key] = cookie_value
                    else:
                        self.cookies.pop(key, None)
            return Answer(
                response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
            )
        finally:
            conn.close()

    def get(self, live: Live, path: str):
        return self._send(live, "GET", path)

    def post(self, live: Live, path: str, data: dict, form_from: str | None = None):
        """POST with the CSRF token of the page `form_from` (default: the same path)."""
        page = self.get(live, form_from or path).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        return self._send(live, "POST", path, {**data, "csrf_token": token.group(1)})

    def sign_in(self, live: Live, phone: str, password: str, remember: bool = True):
        data = {"phone": phone, "password": password}
        if remember:
            data["remember"] = "y"
        return self.post(live, "/login", data)
