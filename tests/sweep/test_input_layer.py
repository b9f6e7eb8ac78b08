"""Issue 8, item 6 at the shared layer: what the wire sends is read once, strictly, for every
route (coordinator/converters.py, coordinator/forms.py), and the error pages speak the page's
language. The sweep (test_sweep.py) finds the faults; these tests pin each one down."""

import pytest
from flask import abort
from sqlalchemy import select

from coordinator import create_app
from coordinator.access import public
from coordinator.auth.models import User
from coordinator.converters import parse_int
from coordinator.extensions import db
from coordinator.forms import MOBILE, date_arg, normalise_phone
from tests.conftest import field_errors, settings


@pytest.mark.parametrize(
    "path",
    [
        "/photos/2147483648",
        "/photos/9223372036854775808/thumb",
        "/events/99999999999999999999.ics",
        "/events/%D9%A1%D9%A2%D9%A3",  # ١٢٣
        "/events/%EF%BC%91",
        "/claim/%C2%B2",
        "/claim/99999999999999999999",
        "/claim/1-%C2%B2",
        "/track/a%00b",
        "/j/%00",
    ],
)
def test_paths_no_row_can_have_are_not_found(client, make, path):
    make.commit()
    response = client.get(path)
    assert response.status_code == 404
    assert "未找到" in response.get_data(as_text=True)


def test_integers_are_ascii_digits_a_column_can_hold():
    assert parse_int("2147483647") == 2147483647 and parse_int(" 12 ") == 12
    for junk in ("2147483648", "١٢٣", "０１２", "²", "1_000", "1e3", "", None, "NaN", True):
        assert parse_int(junk) is None, junk


def test_nul_and_control_characters_never_reach_the_database(client, make):
    """PostgreSQL refused the NUL with a 500 on the anonymous join form (and ~40 others)."""
    community = make.community()
    make.commit()
    response = client.post(
        "/volunteer/join",
        data={
            "name": "刘\x00芳\x0b",
            "phone": "13911112222",
            "password": "pass-word-1",
            "confirm": "pass-word-1",
            "community_id": str(community.id),
            "skills": "搬运\x00",
            "availability": "周末\x1b上午",
        },
    )
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    user = db.session.scalar(select(User).filter_by(phone="13911112222"))
    assert user.name == "刘芳"


def signed_in(auth, make, role):
    user = make.user(role)
    make.commit()
    auth.login(user)
    return user


def test_a_query_number_too_large_is_an_ignored_filter(client, auth, make):
    signed_in(auth, make, "staff")
    for junk in ("99999999999999999999", "%D9%A1", "-99999999999"):
        assert client.get(f"/places/compound-options?community_id={junk}").status_code == 200
        assert client.get(f"/cases/places/compound/options?parent={junk}").status_code == 200


@pytest.mark.parametrize(
    "value, words",
    [
        ("١٩٩٠", "请用数字 0-9 填写整数。"),
        ("０１２", "请用数字 0-9 填写整数。"),
        # Too large for any column: the field's own range says what it takes.
        ("99999999999999999999", "请输入 1900 到 2100 之间的年份。"),
    ],
)
def test_a_form_number_is_ascii_digits_with_a_message_at_the_field(
    client, auth, make, value, words
):
    community = make.community()
    signed_in(auth, make, "admin")
    response = client.post(
        "/places/compounds/new",
        data={
            "community_id": community.id,
            "name": "西土城路8号院",
            "kind": "compound",
            "year_built": value,
            "building_count": "3",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_errors(html) == [words]
    assert "西土城路8号院" in html


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-30", "2026-1-1x"])
def test_date_filters_at_the_edges_are_ignored(client, auth, make, day):
    signed_in(auth, make, "staff")
    assert date_arg([day]) is None
    for path in ("/events", "/cases", "/events/records"):
        for name in ("date", "date_from", "date_to", "from", "to"):
            assert client.get(f"{path}?{name}={day}").status_code == 200, (path, name)


def test_dates_at_the_edges_are_refused_at_the_field(client, auth, make):
    """9999-12-31 was taken, and a claim deadline 15 days later could not be computed."""
    community = make.community()
    staff = make.user("staff", community_=community)
    make.commit()
    auth.login(staff)
    response = client.post(
        "/events/new",
        data={
            "kind": "cleanup",
            "title": "车棚清理",
            "community_id": community.id,
            "organiser_id": staff.id,
            "starts_at": "9999-12-31T09:00",
            "ends_at": "9999-12-31T12:00",
            "roles-0-name": "搬运",
            "roles-0-capacity": "5",
        },
    )
    assert response.status_code == 422
    errors = field_errors(response.get_data(as_text=True))
    assert errors.count("请填写2000年1月1日至2099年12月31日之间的日期。") == 2, errors
    assert "车棚清理" in response.get_data(as_text=True)


def test_a_decimal_is_plain_digits(client, make):
    from coordinator.attendance.forms import CorrectionForm

    make.commit()
    for junk in ("NaN", "sNaN", "Infinity", "1e999999", "٢٫٥"):
        with client.application.test_request_context(
            method="POST", data={"hours": junk, "reason": "少记了"}
        ):
            form = CorrectionForm()
            assert not form.validate() and form.errors["hours"] == [
                "请用数字 0-9 填写，例如 2.5。"
            ], junk


def test_phones_take_full_width_digits_and_only_ascii_ones():
    assert normalise_phone("１３８ ０００１ ３８００") == "13800013800"
    assert normalise_phone("＋８６ 138-0001-3800") == "13800013800"
    assert not MOBILE.match("1٣٨٠٠٠١٣٨٠٠")


@pytest.mark.parametrize("target", ["no-such-block", "a b<>\"'", "x" * 2000, ""])
def test_a_forged_htmx_target_gets_the_whole_page(client, auth, make, target):
    signed_in(auth, make, "staff")
    response = client.get("/events", headers={"HX-Request": "true", "HX-Target": target})
    assert response.status_code == 200
    assert "<html" in response.get_data(as_text=True)


def test_every_form_is_the_apps_form(app):
    """The strict reading of numbers and dates holds only for forms built on
    coordinator.forms.FlaskForm: a domain form on Flask-WTF's own would miss it."""
    import flask_wtf

    from coordinator import forms

    def every(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from every(sub)

    strays = [
        f"{c.__module__}.{c.__name__}"
        for c in every(flask_wtf.FlaskForm)
        if c.__module__.startswith("coordinator.") and not issubclass(c, forms.FlaskForm)
    ]
    assert strays == []


@pytest.fixture
def erring_app(app):
    erring = create_app(
        settings(app.config["SQLALCHEMY_DATABASE_URI"], app.config["UPLOAD_FOLDER"])
    )
    for code in (400, 404, 413, 422):
        erring.add_url_rule(f"/fail/{code}", f"fail_{code}", public(lambda code=code: abort(code)))
    yield erring
    with erring.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    "code, zh, en",
    [
        (400, "请求有误", "Something in that request was not right"),
        (404, "未找到", "Not found"),
        (413, "文件过大", "Too large"),
        (422, "请检查填写的内容", "Please check what you entered"),
    ],
)
def test_error_pages_speak_the_pages_language(erring_app, code, zh, en):
    client = erring_app.test_client()
    response = client.get(f"/fail/{code}")
    assert response.status_code == code
    assert zh in response.get_data(as_text=True)
    client.set_cookie("lang", "en")
    assert en in client.get(f"/fail/{code}").get_data(as_text=True)
