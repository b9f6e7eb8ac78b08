"""API keys per client: made and revoked by the admin only, shown once, kept as a digest;
who did what stays on the key; a revoked key is refused at once; CSRF on the admin's forms,
none on the API; POSTs rate-limited per key and per address."""

import hashlib
import re

import pytest
from sqlalchemy import select

from coordinator import create_app
from coordinator.extensions import db, limiter
from coordinator.open311 import services
from coordinator.open311.models import ApiKey
from coordinator.rules import Refused
from tests.conftest import settings
from tests.open311.conftest import BASE, errors_of, post_case


def test_a_key_is_shown_once_and_kept_as_its_digest(client, auth, world):
    auth.login(world.admin)
    response = client.post("/open311/keys", data={"client_name": "12345平台", "contact": "李工"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    key = re.search(r'id="key-text">(o311_[A-Za-z0-9_-]{40,})<', page).group(1)
    row = db.session.scalar(select(ApiKey))
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in (row.client_name, row.contact, row.key_start) and key.startswith(
        row.key_start
    )
    assert (row.created_by_id, row.revoked_at, row.last_used_at) == (world.admin.id, None, None)
    later = client.get("/open311/keys").get_data(as_text=True)
    assert key not in later and row.key_start in later and "12345平台" in later
    # the key works at once
    assert post_case(client, key).status_code == 200


def test_the_key_form_refuses_at_the_field(client, auth, world):
    auth.login(world.admin)
    response = client.post("/open311/keys", data={"client_name": "", "contact": "x" * 201})
    assert response.status_code == 422
    assert db.session.scalar(select(ApiKey)) is None
    page = response.get_data(as_text=True)
    assert "Name the system or organisation that will use the key." in page
    assert "At most 200 characters." in page


def test_revoke_is_at_once_and_once(client, auth, world, key):
    row, text = key
    assert post_case(client, text).status_code == 200
    auth.login(world.admin)
    response = client.post(f"/open311/keys/{row.id}/revoke")
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(ApiKey, row.id)
    assert row.revoked_at is not None and row.revoked_by_id == world.admin.id
    response = post_case(client, text)
    assert response.status_code == 403
    assert errors_of(response) == [
        (403, "This api_key has been revoked; ask the subdistrict for a new one.")
    ]
    assert client.get(f"{BASE}/requests.json?api_key={text}").status_code == 403
    again = client.post(f"/open311/keys/{row.id}/revoke", follow_redirects=True)
    assert "This key was already revoked by 刘洋" in again.get_data(as_text=True)
    page = client.get("/open311/keys").get_data(as_text=True)
    assert "Revoked" in page and "刘洋" in page
    assert client.post("/open311/keys/99999/revoke").status_code == 404


@pytest.mark.parametrize("who", ["staff", "lead", "worker", "other_staff"])
def test_only_the_admin_manages_keys(client, auth, world, key, who):
    auth.login(getattr(world, who))
    for method, path in (
        ("GET", "/open311/keys"),
        ("POST", "/open311/keys"),
        ("POST", f"/open311/keys/{key[0].id}/revoke"),
        ("GET", "/open311/addresses"),
    ):
        assert client.open(path, method=method, data={"client_name": "x"}).status_code == 403
    with pytest.raises(Refused):
        services.make_key(getattr(world, who), "x")
    with pytest.raises(Refused):
        services.revoke_key(getattr(world, who), key[0].id)
    assert db.session.get(ApiKey, key[0].id).revoked_at is None


def test_signed_out_is_sent_to_sign_in(client, world):
    assert client.get("/open311/keys").status_code == 302
    assert client.get("/open311/addresses").status_code == 302


def test_address_ids_page(client, auth, world):
    auth.login(world.admin)
    page = client.get("/open311/addresses").get_data(as_text=True)
    assert f"compound-{world.compound.id}" in page
    assert f"building-{world.building.id}" in page
    assert f"entrance-{world.building.entrances[1].id}" in page


@pytest.fixture
def protected(app):
    """The app as in production: CSRF and rate limits on (POST: 2 a minute per key)."""
    made = create_app(
        settings(
            app.config["SQLALCHEMY_DATABASE_URI"],
            app.config["UPLOAD_FOLDER"],
            WTF_CSRF_ENABLED=True,
            RATELIMIT_ENABLED=True,
            OPEN311_KEY_RATE_LIMIT="2 per minute",
            OPEN311_ADDRESS_RATE_LIMIT="3 per minute",
        )
    )
    yield made
    with made.app_context():
        db.session.remove()
        db.engine.dispose()
    limiter.enabled = False


def test_csrf_on_the_admin_forms_none_on_the_api(protected, world, key):
    client = protected.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"phone": world.admin.phone, "password": "secret-pass-1",
                                "csrf_token": token})  # fmt: skip
    assert client.post("/open311/keys", data={"client_name": "x"}).status_code == 400
    assert client.post(f"/open311/keys/{key[0].id}/revoke").status_code == 400
    assert db.session.scalar(select(db.func.count(ApiKey.id))) == 1
    assert post_case(protected.test_client(), key[1]).status_code == 200  # no token needed


def test_posts_are_limited_per_key_and_per_address(protected, world, key):
    other_row, other = services.make_key(world.admin, "第二个系统")
    db.session.commit()
    client = protected.test_client()
    assert [post_case(client, key[1]).status_code for _ in range(3)] == [200, 200, 429]
    response = post_case(client, key[1], "xml")
    assert response.status_code == 429
    assert errors_of(response, "xml") == [(429, "请求过于频繁，请稍等一分钟再试。")]  # in Chinese
    # another key from the same address: its own 2, but the address's 3 a minute are used up
    assert post_case(client, other).status_code == 429
    elsewhere = {"REMOTE_ADDR": "10.0.0.9"}
    fields = {"api_key": other, "service_code": "drain", "address_string": "红联北村"}
    response = client.post(f"{BASE}/requests.json", data=fields, environ_base=elsewhere)
    assert response.status_code == 200
    # reads are not limited
    assert all(client.get(f"{BASE}/requests.json").status_code == 200 for _ in range(5))
