"""The browser's side of security: headers on every answer, redirects that stay on this site, a
secret key that is never a default, sign-in timing that does not tell which numbers exist."""

import re
import subprocess
from pathlib import Path

import pytest

from coordinator import create_app
from coordinator.auth import models as auth_models
from coordinator.auth import services as auth_services
from coordinator.config import ROOT, MissingSecretKey
from coordinator.core.security import local_target
from tests.conftest import settings

pytestmark = pytest.mark.usefixtures("english")

HOSTILE_TARGETS = [
    "/%09/evil.example",  # what the issue saw: a tab the browser drops
    "/\t/evil.example",
    "/\r/evil.example",
    "/\n/evil.example",
    "/\x00/evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http:evil.example",
    "javascript:alert(1)",
    "evil.example",
    " //evil.example",
    "\t//evil.example",
    "/%5Cevil.example",
    "//%09/evil.example",
]


def test_hostile_next_on_login_goes_home(client, make):
    user = make.user("volunteer")
    make.commit()
    for target in HOSTILE_TARGETS:
        client.post("/logout")
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"phone": user.phone, "password": make.PASSWORD},
        )
        assert response.status_code == 302, target
        assert response.headers["Location"] == "/home", target


@pytest.mark.parametrize(
    "raw",
    [
        "/%09/evil.example",
        "/%0d/evil.example",
        "/%0a/evil.example",
        "/%5Cevil.example",
        "%2F%2Fevil.example",
        "/%2F/evil.example",
    ],
)
def test_next_as_the_attacker_writes_it_in_the_address(client, make, raw):
    user = make.user("volunteer")
    make.commit()
    response = client.post(
        f"/login?next={raw}", data={"phone": user.phone, "password": make.PASSWORD}
    )
    assert response.headers["Location"] == "/home"


def test_hostile_next_on_language_switch_goes_to_the_start(client):
    for target in HOSTILE_TARGETS:
        response = client.post("/lang", data={"lang": "en", "next": target})
        assert response.headers["Location"] == "/", target


def test_paths_on_this_site_are_kept(client, make):
    user = make.user("admin")
    make.commit()
    response = client.post(
        "/login",
        query_string={"next": "/teams/?q=物业&page=2"},
        data={"phone": user.phone, "password": make.PASSWORD},
    )
    assert response.headers["Location"] == "/teams/?q=%E7%89%A9%E4%B8%9A&page=2"
    assert (
        client.post("/lang", data={"lang": "zh", "next": "/events?date=2026-12-01"}).headers[
            "Location"
        ]
        == "/events?date=2026-12-01"
    )


def test_local_target_on_its_own():
    for target in HOSTILE_TARGETS:
        assert local_target(target, "/home") == "/home", target
    assert local_target("/cases/12#timeline", "/home") == "/cases/12#timeline"
    assert local_target("", "/home") == local_target(None, "/home") == "/home"
    # what the browser would resolve a %09 to: also refused when it arrives decoded twice
    assert local_target("/" + "\t" + "/x", "/") == "/"


@pytest.mark.parametrize(
    "path", ["/login", "/home", "/no-such-page", "/static/js/app.js", "/healthz", "/report"]
)
def test_security_headers_on_every_answer(client, path):
    response = client.get(path)
    response.close()
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    directives = dict((part.split(" ", 1) + [""])[:2] for part in csp.split("; "))
    assert directives["script-src"] == "'self'"  # no inline script, no eval
    assert "'unsafe-inline'" not in directives["style-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'self'"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "camera=(self)" in headers["Permissions-Policy"]
    assert "microphone=()" in headers["Permissions-Policy"]


def test_security_headers_on_errors_and_fragments_too(client, make):
    user = make.user("volunteer")
    make.commit()
    client.post("/login", data={"phone": user.phone, "password": make.PASSWORD})
    forbidden = client.get("/people")
    fragment = client.get("/no-such-page", headers={"HX-Request": "true", "HX-Target": "x"})
    for response in (forbidden, fragment):
        assert response.status_code in (403, 404)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


TEMPLATES = ROOT / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"""\s(on[a-z]+|hx-on[:\w-]*)\s*=""", re.I)


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_templates_hold_no_inline_script(template: Path):
    """What the policy would block: an inline <script>, an on*= handler, hx-on, javascript:."""
    html = template.read_text()
    assert not INLINE_SCRIPT.search(html)
    assert not HANDLER.search(html)
    assert "javascript:" not in html.lower()


def test_htmx_is_told_to_live_within_the_policy(client):
    html = client.get("/login").get_data(as_text=True)
    config = re.search(r'name="htmx-config" content=\'([^\']*)\'', html).group(1)
    assert '"allowEval": false' in config and '"allowScriptTags": false' in config
    assert '"includeIndicatorStyles": false' in config


# ---- the secret key ---------------------------------------------------------------------------


def production(app, **overrides) -> dict:
    values = settings(app.config["SQLALCHEMY_DATABASE_URI"], app.config["UPLOAD_FOLDER"])
    values.update(TESTING=False, DEBUG=False, SECRET_KEY="", SECRET_KEY_FILE="")
    values.update(overrides)
    return values


def test_outside_development_no_secret_key_no_app(app):
    with pytest.raises(MissingSecretKey, match="SECRET_KEY"):
        create_app(production(app))


def test_the_old_default_key_is_gone():
    source = (ROOT / "coordinator" / "config.py").read_text()
    assert "dev-only-change-me" not in source


def test_a_key_file_is_read(app, tmp_path):
    key = tmp_path / "secret_key"
    key.write_text("k" * 64 + "\n")
    assert create_app(production(app, SECRET_KEY_FILE=str(key))).secret_key == "k" * 64
    with pytest.raises(MissingSecretKey):
        create_app(production(app, SECRET_KEY_FILE=str(tmp_path / "missing")))


def test_development_gets_a_random_key_never_a_known_one(app):
    first = create_app(production(app, DEBUG=True)).secret_key
    second = create_app(production(app, DEBUG=True)).secret_key
    assert len(first) >= 32 and first != second


def test_make_makes_one_random_key_and_keeps_it(app, tmp_path):
    """`make run` (through setup) writes the key once, readable by its owner only."""
    key = tmp_path / "instance" / "secret_key"

    def make_key():
        subprocess.run(
            ["make", "-s", "secret-key", f"SECRET_KEY_FILE={key}"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        return key.read_text().strip()

    first = make_key()
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert key.stat().st_mode & 0o077 == 0
    assert make_key() == first
    assert create_app(production(app, SECRET_KEY_FILE=str(key))).secret_key == first


# ---- sign-in timing ---------------------------------------------------------------------------


def test_every_sign_in_checks_exactly_one_real_hash(app, make, monkeypatch):
    """Known, unknown, empty and inactive numbers cost the same: one hash of the configured
    method each. That is the timing property, counted rather than timed (a stopwatch in a
    unit test fails on a busy machine and proves less)."""
    checked = []
    real = auth_models.check_password_hash

    def counting(pwhash, password):
        checked.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr(auth_models, "check_password_hash", counting)
    monkeypatch.setattr(auth_services, "check_password_hash", counting)
    method = app.config["PASSWORD_HASH_METHOD"]
    user = make.user("volunteer")
    empty = make.user("volunteer")
    empty.password_hash = ""
    inactive = make.user("volunteer")
    inactive.active = False
    make.commit()
    attempts = [
        ("13999999999", make.PASSWORD),
        (user.phone, "wrong"),
        (user.phone, make.PASSWORD),
        (empty.phone, ""),
        (inactive.phone, make.PASSWORD),
    ]
    for phone, password in attempts:
        checked.clear()
        auth_services.authenticate(phone, password)
        assert checked == [method], phone
