"""Sessions end when they should: sign-out, a new password and deactivation refuse every cookie
the account had, session and remember-me alike, on every device."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from coordinator.auth import services
from coordinator.auth.models import SignedIn, User
from coordinator.config import ROOT
from coordinator.extensions import db

pytestmark = pytest.mark.usefixtures("english")

COOKIES = ("session", "remember_token")


def sign_in(web_app, user, password=None):
    """A new device: its own client, signed in with "keep me signed in"; returns its cookies."""
    from tests.factories import PASSWORD

    device = web_app.test_client()
    response = device.post(
        "/login", data={"phone": user.phone, "password": password or PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    cookies = {name: device.get_cookie(name).value for name in COOKIES}
    return device, cookies


def opens_home(web_app, **cookies) -> bool:
    """Does a fresh client carrying only these cookies get the signed-in home page?"""
    replay = web_app.test_client()
    for name, value in cookies.items():
        replay.set_cookie(name, value)
    return replay.get("/home").status_code == 200


def every_cookie_opens_home(web_app, cookies) -> list[bool]:
    return [
        opens_home(web_app, session=cookies["session"]),
        opens_home(web_app, remember_token=cookies["remember_token"]),
        opens_home(web_app, **cookies),
    ]


def test_sign_out_ends_every_session_of_the_account(web_app, make):
    user = make.user("volunteer")
    make.commit()
    phone_a, cookies_a = sign_in(web_app, user)
    _phone_b, cookies_b = sign_in(web_app, user)
    assert every_cookie_opens_home(web_app, cookies_a) == [True, True, True]
    assert every_cookie_opens_home(web_app, cookies_b) == [True, True, True]

    assert phone_a.post("/logout").status_code == 302
    assert phone_a.get("/home").status_code == 302  # this device
    assert every_cookie_opens_home(web_app, cookies_a) == [False, False, False]
    assert every_cookie_opens_home(web_app, cookies_b) == [False, False, False]  # the other one

    _phone_c, cookies_c = sign_in(web_app, user)  # signing in again works, with a new token
    assert every_cookie_opens_home(web_app, cookies_c) == [True, True, True]
    assert cookies_c["remember_token"] != cookies_a["remember_token"]


def save_person(client, user, **changes) -> int:
    """The admin's form for `user` sent with these changes (its current details otherwise)."""
    form = {
        "name": user.name,
        "phone": user.phone,
        "role": user.role,
        "community_id": str(user.community_id or 0),
        "team_id": "0",
        "password": "",
        "active": "y",
        **changes,
    }
    return client.post(
        f"/people/{user.id}", data={k: v for k, v in form.items() if v is not None}
    ).status_code


def test_a_new_password_ends_every_session(web_app, client, auth, make):
    admin = make.user("admin")
    user = make.user("staff")
    make.commit()
    _device, cookies = sign_in(web_app, user)
    auth.login(admin)
    assert save_person(client, user, password="a-new-password") == 302
    assert every_cookie_opens_home(web_app, cookies) == [False, False, False]
    sign_in(web_app, user, password="a-new-password")


def test_changing_ones_own_password_keeps_this_device_only(web_app, client, auth, make):
    admin = make.user("admin")
    make.commit()
    _other, cookies = sign_in(web_app, admin)
    auth.login(admin)
    assert save_person(client, admin, password="a-new-password") == 302
    assert client.get("/home").status_code == 200
    assert every_cookie_opens_home(web_app, cookies) == [False, False, False]


def test_deactivation_ends_every_session_for_good(web_app, client, auth, make):
    admin = make.user("admin")
    user = make.user("volunteer")
    make.commit()
    _device, cookies = sign_in(web_app, user)
    auth.login(admin)
    assert save_person(client, user, active=None) == 302  # "active" unticked
    assert every_cookie_opens_home(web_app, cookies) == [False, False, False]
    # Reactivated, the account signs in afresh: the old cookies stay dead.
    assert save_person(client, user) == 302
    assert every_cookie_opens_home(web_app, cookies) == [False, False, False]
    sign_in(web_app, user)


def test_editing_other_details_keeps_the_sessions(web_app, client, auth, make):
    admin = make.user("admin")
    user = make.user("volunteer")
    make.commit()
    _device, cookies = sign_in(web_app, user)
    auth.login(admin)
    assert save_person(client, user, name="新名字") == 302
    assert every_cookie_opens_home(web_app, cookies) == [True, True, True]


def test_cookies_without_the_current_token_load_nobody(make):
    user = make.user("volunteer")
    make.commit()
    assert SignedIn.load(user.get_id()).id == user.id
    assert SignedIn.load(str(user.id)) is None  # a cookie from before tokens: a bare id
    assert SignedIn.load(f"{user.id}:") is None
    assert SignedIn.load(f"{user.id}:{'x' * 22}") is None
    assert SignedIn.load("9" * 40 + ":abc") is None
    old = user.get_id()
    services.end_sessions(user.id)
    db.session.expire_all()
    assert SignedIn.load(old) is None
    assert SignedIn.load(db.session.get(User, user.id).get_id()) is not None


def test_remember_cookie_is_guarded_and_lasts_a_month(client, make):
    user = make.user("volunteer")
    make.commit()
    response = client.post(
        "/login", data={"phone": user.phone, "password": make.PASSWORD, "remember": "y"}
    )
    remember = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")
    )
    assert "HttpOnly" in remember and "SameSite=Lax" in remember
    expires = parsedate_to_datetime(remember.split("Expires=")[1].split(";")[0])
    left = expires - datetime.now(UTC)
    assert timedelta(days=29) < left <= timedelta(days=30)


def test_remember_cookie_is_secure_with_the_session_cookie():
    code = (
        "from coordinator.config import Config as C; "
        "print(C.SESSION_COOKIE_SECURE, C.REMEMBER_COOKIE_SECURE)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"SESSION_COOKIE_SECURE": "1", "PATH": ""},
        check=True,
    )
    assert out.stdout.split() == ["True", "True"]
