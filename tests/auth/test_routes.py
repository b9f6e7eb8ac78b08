import re

import pytest

from coordinator import create_app
from coordinator.auth.models import User
from coordinator.extensions import db, limiter
from tests.conftest import field_errors, settings

pytestmark = pytest.mark.usefixtures("english")


def test_sign_in_with_mobile_and_password(client, make):
    user = make.user("staff", phone_="13800000002")
    make.commit()
    response = client.post("/login", data={"phone": "138 0000 0002", "password": make.PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/home")
    assert client.get("/home").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is not None


def test_wrong_password_is_refused_and_number_kept(client, make):
    make.user("staff", phone_="13800000002")
    make.commit()
    response = client.post("/login", data={"phone": "13800000002", "password": "wrong"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Wrong mobile number or password." in field_errors(html)
    assert 'value="13800000002"' in html


@pytest.mark.parametrize(
    "phone, message",
    [
        ("", "Enter your mobile number."),
        ("12345", "Enter an 11-digit mobile number, e.g. 13800138000."),
    ],
)
def test_login_form_errors(client, phone, message):
    response = client.post("/login", data={"phone": phone, "password": "x"})
    assert response.status_code == 422
    assert message in field_errors(response.get_data(as_text=True))


def test_disabled_account_cannot_sign_in(client, make):
    user = make.user("volunteer")
    user.active = False
    make.commit()
    response = client.post("/login", data={"phone": user.phone, "password": make.PASSWORD})
    assert response.status_code == 422


def test_next_only_goes_to_this_site(client, make):
    user = make.user("admin")
    make.commit()
    response = client.post(
        "/login?next=//evil.example/x", data={"phone": user.phone, "password": make.PASSWORD}
    )
    assert response.headers["Location"].endswith("/home")
    client.post("/logout")
    response = client.post(
        "/login?next=/teams/", data={"phone": user.phone, "password": make.PASSWORD}
    )
    assert response.headers["Location"].endswith("/teams/")


@pytest.mark.parametrize("redis", [False, True], ids=["database", "redis"])
def test_login_is_rate_limited(app, redis):
    extra = (
        {"REDIS_URL": "redis://127.0.0.1:6379/4", "RATELIMIT_KEY_PREFIX": "h4-routes"}
        if redis
        else {}
    )
    limited = create_app(
        settings(
            app.config["SQLALCHEMY_DATABASE_URI"],
            app.config["UPLOAD_FOLDER"],
            RATELIMIT_ENABLED=True,
            LOGIN_RATE_LIMIT="3 per minute",
            **extra,
        )
    )
    # Counted where every worker and host sees the same number: never in a process's memory.
    expected_storage = "RedisStorage" if redis else "DatabaseStorage"
    assert type(limiter.storage).__name__ == expected_storage
    client = limited.test_client()
    try:
        statuses = [
            client.post("/login", data={"phone": "13800000009", "password": "x"}).status_code
            for _ in range(5)
        ]
        assert statuses[:3] == [422, 422, 422]
        assert statuses[3:] == [429, 429]
        assert client.get("/login").status_code == 200  # only attempts count, not the page
    finally:
        # The limiter itself is switched back off by the autouse fixture in conftest.py.
        with limited.app_context():
            db.engine.dispose()


def test_admin_creates_a_user_and_bad_input_is_kept(client, auth, make):
    admin = make.user("admin")
    community = make.community()
    taken = make.user("volunteer")
    make.commit()
    auth.login(admin)
    data = {
        "name": "周静",
        "phone": "1380000",
        "role": "staff",
        "community_id": "0",
        "team_id": "0",
        "password": "longenough",
        "active": "y",
    }
    bad = client.post("/people/new", data=data)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Enter an 11-digit mobile number, e.g. 13800138000." in field_errors(html)
    assert 'value="周静"' in html

    duplicate = client.post(
        "/people/new", data={**data, "phone": taken.phone, "community_id": str(community.id)}
    )
    assert duplicate.status_code == 422
    assert "Someone already has this mobile number." in field_errors(
        duplicate.get_data(as_text=True)
    )

    no_community = client.post("/people/new", data={**data, "phone": "13800000044"})
    assert no_community.status_code == 422
    assert "Community staff need a community." in field_errors(no_community.get_data(as_text=True))

    long_name = client.post(
        "/people/new",
        data={**data, "name": "长" * 41, "phone": "13800000044", "community_id": str(community.id)},
    )
    assert long_name.status_code == 422

    good = client.post(
        "/people/new", data={**data, "phone": "13800000044", "community_id": str(community.id)}
    )
    assert good.status_code == 302
    created = db.session.query(User).filter_by(phone="13800000044").one()
    assert created.role == "staff" and created.community_id == community.id
    assert created.check_password("longenough")


def test_staff_cannot_make_admins_or_reach_other_communities(client, auth, make):
    staff = make.user("staff")
    outsider = make.user("staff")
    make.commit()
    auth.login(staff)
    response = client.post(
        "/people/new",
        data={
            "name": "某人",
            "phone": "13800000045",
            "role": "admin",
            "community_id": "0",
            "team_id": "0",
            "password": "longenough",
        },
    )
    assert response.status_code == 422  # not a choice for staff
    assert db.session.query(User).filter_by(phone="13800000045").count() == 0
    assert client.get(f"/people/{outsider.id}").status_code == 404
    listing = client.get("/people").get_data(as_text=True)
    assert outsider.name not in listing and staff.name in listing


def test_language_switch_is_remembered(client, auth, make):
    user = make.user("volunteer")
    make.commit()
    auth.login(user)
    client.set_cookie("lang", "zh")
    assert 'lang="zh-CN"' in client.get("/home").get_data(as_text=True)
    response = client.post("/lang", data={"lang": "en", "next": "/home"})
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    html = client.get("/home").get_data(as_text=True)
    assert 'lang="en"' in html and "Sign out" in html
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    evil = client.post("/lang", data={"lang": "en", "next": "https://evil.example"})
    assert evil.headers["Location"] == "/"


def test_error_pages_share_the_look(client):
    response = client.get("/no-such-page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Not found" in html and 'class="topbar' in html
    fragment = client.get("/no-such-page", headers={"HX-Request": "true", "HX-Target": "x"})
    assert fragment.status_code == 404
    assert "<html" not in fragment.get_data(as_text=True)
    assert fragment.headers["HX-Retarget"] == "#flash"


def test_pages_are_chinese_by_default(client, make):
    client.delete_cookie("lang")
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in html
    assert "登录" in html and re.search(r"手机号", html)
