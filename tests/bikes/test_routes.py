from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import func, select

from coordinator.bikes.models import Bike, BikeClaim, BikeHandover
from coordinator.extensions import db
from tests.bikes.conftest import past_deadline
from tests.conftest import field_errors

HX = {"HX-Request": "true", "HX-Target": "sheet"}


def jpeg_bytes() -> BytesIO:
    buf = BytesIO()
    Image.new("RGB", (60, 40), "blue").save(buf, "JPEG")
    buf.seek(0)
    return buf


def count(model, **where) -> int:
    stmt = select(func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return db.session.scalar(stmt)


@pytest.fixture
def setup(drives, make, auth):
    """A published drive, its community's staff signed in."""
    event = drives.drive()
    staff = make.user("staff", community_=event.community)
    db.session.commit()
    auth.login(staff)
    return event, staff


def test_register_page_full_and_fragment(client, setup, drives):
    event, _staff = setup
    drives.bikes(event, 3)
    db.session.commit()
    html = client.get(f"/events/{event.id}/bikes").get_data(as_text=True)
    assert "<html" in html and 'capture="environment"' in html and 'accept="image/*"' in html
    assert 'id="sheet"' in html and "车棚东侧" in html
    fragment = client.get(f"/events/{event.id}/bikes", headers=HX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body and "车棚东侧" in body


def test_register_page_queries_are_constant(client, setup, drives, count_queries):
    event, _staff = setup
    drives.bikes(event, 2)
    db.session.commit()
    with count_queries() as few:
        client.get(f"/events/{event.id}/bikes")
    drives.bikes(event, 20, start=3)
    db.session.commit()
    with count_queries() as many:
        client.get(f"/events/{event.id}/bikes")
    assert many.count == few.count


def test_save_and_next_keeps_location_and_shows_tag(client, setup):
    event, _staff = setup
    data = {
        "colour": "red",
        "brand": "凤凰",
        "location": "车棚东侧第3排",
        "note": "",
        "photo": (jpeg_bytes(), "bike.jpg"),
    }
    response = client.post(
        f"/events/{event.id}/bikes", data=data, headers=HX, content_type="multipart/form-data"
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "<strong>1</strong>" in body
    assert 'value="车棚东侧第3排"' in body  # remembered for the next bike
    response = client.post(
        f"/events/{event.id}/bikes",
        data={"colour": "black", "brand": "", "location": "车棚西侧", "note": ""},
    )
    assert response.status_code == 302 and "saved=2" in response.headers["Location"]
    bikes = db.session.scalars(select(Bike).order_by(Bike.tag_number)).all()
    assert [(b.tag_number, b.colour) for b in bikes] == [(1, "red"), (2, "black")]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "/photos/" in html and 'value="车棚西侧"' in html


@pytest.mark.parametrize(
    "data,field_message",
    [
        ({"brand": "永久", "location": "车棚"}, "colour"),
        ({"colour": "black", "location": ""}, "location"),
        ({"colour": "purple-ish", "location": "车棚"}, "colour"),
        ({"colour": "black", "location": "x" * 81}, "location"),
    ],
)
def test_bad_bike_entry_is_422_and_keeps_values(client, setup, data, field_message):
    event, _staff = setup
    response = client.post(
        f"/events/{event.id}/bikes", data={"note": "前轮没气", **data}, headers=HX
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and field_errors(body)
    assert f'id="err-{field_message}"' in body
    assert "前轮没气" in body
    assert count(Bike) == 0


def test_bad_photo_is_shown_at_the_field(client, setup):
    event, _staff = setup
    response = client.post(
        f"/events/{event.id}/bikes",
        data={"colour": "black", "location": "车棚", "photo": (BytesIO(b"nope"), "x.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and 'id="err-photo"' in response.get_data(as_text=True)
    assert count(Bike) == 0


def test_staff_of_another_community_gets_404(client, drives, make, auth):
    event = drives.drive()
    bike_owner_claim = drives.bikes(event, 1)
    db.session.add(
        BikeClaim(event_id=event.id, bike_id=bike_owner_claim[0].id, phone="13800138000")
    )
    outsider = make.user("staff")
    db.session.commit()
    auth.login(outsider)
    claim_id = db.session.scalar(select(BikeClaim.id))
    for path in [
        f"/events/{event.id}/bikes",
        f"/events/{event.id}/bikes/notice",
        f"/events/{event.id}/bikes/tags",
        f"/campaigns/new?event={event.id}",
    ]:
        assert client.get(path).status_code == 404, path
    for path in [
        f"/events/{event.id}/bikes",
        f"/events/{event.id}/bikes/recycle",
        f"/events/{event.id}/bikes/handover",
        f"/events/{event.id}/bikes/claims/{claim_id}/confirm",
        f"/campaigns/new?event={event.id}",
    ]:
        assert client.post(path, data={"colour": "black", "location": "x"}).status_code == 404
    assert count(Bike) == 1 and count(BikeClaim, status="pending") == 1


@pytest.mark.parametrize("role", ["volunteer", "resident", "worker", "lead"])
def test_other_roles_are_refused(client, drives, make, auth, role):
    event = drives.drive()
    user = make.user(role)
    db.session.commit()
    auth.login(user)
    # The register opens to volunteers registering bikes at that drive (test_registrars.py):
    # to anyone else it is not found; the list of drives stays the office's.
    assert client.get(f"/events/{event.id}/bikes").status_code == 404
    assert client.post(f"/events/{event.id}/bikes", data={"colour": "black"}).status_code == 404
    assert client.get("/bikes").status_code == 403


def test_admin_sees_any_drive_and_the_index(client, drives, make, auth):
    event = drives.drive()
    drives.bikes(event, 2)
    admin = make.user("admin")
    db.session.commit()
    auth.login(admin)
    assert client.get(f"/events/{event.id}/bikes").status_code == 200
    html = client.get("/bikes").get_data(as_text=True)
    assert event.title in html
    fragment = client.get("/bikes", headers={"HX-Request": "true", "HX-Target": "drives"})
    assert "<html" not in fragment.get_data(as_text=True)


def test_confirm_claim_from_the_register(client, setup, drives):
    event, staff = setup
    bike = drives.bikes(event, 1)[0]
    claim = BikeClaim(event_id=event.id, bike_id=bike.id, phone="13800138000")
    db.session.add(claim)
    db.session.commit()
    html = client.get(f"/events/{event.id}/bikes").get_data(as_text=True)
    assert "138****8000" in html and "13800138000" not in html
    response = client.post(f"/events/{event.id}/bikes/claims/{claim.id}/confirm", headers=HX)
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Bike, bike.id).status == "claimed"
    again = client.post(f"/events/{event.id}/bikes/claims/{claim.id}/confirm", headers=HX)
    assert again.status_code == 409


def test_reject_claim_from_the_register(client, setup, drives):
    event, staff = setup
    bike = drives.bikes(event, 1)[0]
    claim = BikeClaim(event_id=event.id, bike_id=bike.id, phone="13800138000")
    db.session.add(claim)
    db.session.commit()
    response = client.post(f"/events/{event.id}/bikes/claims/{claim.id}/reject")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(BikeClaim, claim.id).status == "rejected"
    assert client.post(f"/events/{event.id}/bikes/claims/999/reject").status_code == 404


def test_move_to_recycle_before_deadline_is_409_with_message(client, setup, drives):
    event, _staff = setup
    drives.bikes(event, 3)
    db.session.commit()
    response = client.post(f"/events/{event.id}/bikes/recycle", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Owners may claim until" in body or "认领" in body
    assert count(Bike, status="registered") == 3


def test_move_to_recycle_then_handover(client, setup, drives):
    event, _staff = setup
    drives.bikes(event, 4)
    event.notice_date = past_deadline(event)
    db.session.commit()
    response = client.post(f"/events/{event.id}/bikes/recycle", headers=HX)
    assert response.status_code == 200 and count(Bike, status="to_recycle") == 4
    body = response.get_data(as_text=True)
    assert 'name="receiver_name"' in body and 'value="4"' in body
    response = client.post(
        f"/events/{event.id}/bikes/handover",
        data={
            "to_kind": "subdistrict",
            "to_whom": "北太平庄街道",
            "receiver_name": "刘洋",
            "handed_at": "2026-11-20",
            "count": "4",
            "reused": "0",
            "note": "",
        },
    )
    assert response.status_code == 302
    assert count(Bike, status="recycled") == 4 and count(BikeHandover) == 1
    html = client.get(f"/events/{event.id}/bikes").get_data(as_text=True)
    assert '<span class="number">4</span>' in html and "刘洋" in html


@pytest.mark.parametrize(
    "data,field",
    [
        (
            {"to_whom": "", "receiver_name": "刘洋", "handed_at": "2026-11-20", "count": "2"},
            "to_whom",
        ),
        (
            {"to_whom": "街道", "receiver_name": "", "handed_at": "2026-11-20", "count": "2"},
            "receiver_name",
        ),
        (
            {"to_whom": "街道", "receiver_name": "刘洋", "handed_at": "someday", "count": "2"},
            "handed_at",
        ),
        (
            {"to_whom": "街道", "receiver_name": "刘洋", "handed_at": "9999-12-31", "count": "2"},
            "handed_at",
        ),
        (
            {"to_whom": "街道", "receiver_name": "刘洋", "handed_at": "0001-01-01", "count": "2"},
            "handed_at",
        ),
        (
            {"to_whom": "街道", "receiver_name": "刘洋", "handed_at": "2026-11-20", "count": "-1"},
            "count",
        ),
        (
            {"to_whom": "街道", "receiver_name": "刘洋", "handed_at": "2026-11-20", "count": "9"},
            "count",
        ),
        (
            {
                "to_whom": "街道",
                "receiver_name": "刘洋",
                "handed_at": "2026-11-20",
                "count": "1",
                "reused": "1",
            },
            "reused",
        ),
    ],
)
def test_bad_handover_is_refused_at_the_field(client, setup, drives, data, field):
    event, _staff = setup
    drives.bikes(event, 3, status="to_recycle")
    db.session.commit()
    response = client.post(
        f"/events/{event.id}/bikes/handover",
        data={"to_kind": "subdistrict", "note": "第一车", **data},
        headers=HX,
    )
    body = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500
    assert f'id="err-{field}"' in body and "第一车" in body
    assert count(BikeHandover) == 0 and count(Bike, status="to_recycle") == 3


def test_notice_has_print_css_qr_and_copy_box(client, setup):
    event, _staff = setup
    html = client.get(f"/events/{event.id}/bikes/notice").get_data(as_text=True)
    assert "<svg" in html and f"/claim/{event.id}" in html
    assert 'data-copy="wechat-text"' in html and 'id="wechat-text"' in html
    assert "bikes.css" in html and "data-print" in html


def test_tag_sheet_has_each_tag_with_its_qr(client, setup, drives):
    event, _staff = setup
    drives.bikes(event, 5)
    db.session.commit()
    html = client.get(f"/events/{event.id}/bikes/tags").get_data(as_text=True)
    assert html.count('class="bike-tag"') == 5 and html.count("<svg") == 5
    assert f"/claim/{event.id}-3" in html
    html = client.get(f"/events/{event.id}/bikes/tags?from=2&to=3").get_data(as_text=True)
    assert html.count('class="bike-tag"') == 2


# --- the public claim ---------------------------------------------------------------------


@pytest.fixture
def public_drive(drives):
    event = drives.drive()
    drives.bikes(event, 3)
    drives.bikes(event, 1, status="recycled", start=4)
    db.session.commit()
    return event


def test_claim_page_prefills_tag_and_accepts_a_claim(client, public_drive):
    event = public_drive
    html = client.get(f"/claim/{event.id}-2").get_data(as_text=True)
    assert 'value="2"' in html and 'inputmode="tel"' in html
    response = client.post(
        f"/claim/{event.id}-2",
        data={"tag": "2", "phone": "138 0013 8000"},
        headers={"HX-Request": "true", "HX-Target": "claim"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "138****8000" in body
    claim = db.session.scalar(select(BikeClaim))
    assert claim.phone == "13800138000" and claim.status == "pending"
    assert db.session.get(Bike, claim.bike_id).status == "registered"


@pytest.mark.parametrize(
    "data,status,field",
    [
        ({"tag": "99", "phone": "13800138000"}, 404, "tag"),
        ({"tag": "4", "phone": "13800138000"}, 409, "tag"),
        ({"tag": "", "phone": "13800138000"}, 422, "tag"),
        ({"tag": "abc", "phone": "13800138000"}, 422, "tag"),
        ({"tag": "1", "phone": "12345"}, 422, "phone"),
        ({"tag": "1", "phone": ""}, 422, "phone"),
    ],
)
def test_bad_claims_are_refused_at_the_field(client, public_drive, data, status, field):
    response = client.post(f"/claim/{public_drive.id}", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == status and f'id="err-{field}"' in body
    assert count(BikeClaim) == 0


def test_claim_after_deadline_is_refused(client, public_drive):
    event = public_drive
    event.notice_date = past_deadline(event)
    db.session.commit()
    assert "Claim period over" in client.get(f"/claim/{event.id}").get_data(
        as_text=True
    ) or "认领期已过" in client.get(f"/claim/{event.id}").get_data(as_text=True)
    response = client.post(f"/claim/{event.id}", data={"tag": "1", "phone": "13800138000"})
    assert response.status_code == 409 and count(BikeClaim) == 0


@pytest.mark.parametrize("code", ["abc", "1-x", "999", "999-1"])
def test_claim_links_that_lead_nowhere_are_404(client, public_drive, code):
    assert client.get(f"/claim/{code}").status_code == 404


def test_draft_and_cleanup_events_have_no_claim_page(client, drives):
    draft = drives.drive(status="draft")
    cleanup = drives.drive(kind="cleanup")
    db.session.commit()
    assert client.get(f"/claim/{draft.id}").status_code == 404
    assert client.get(f"/claim/{cleanup.id}").status_code == 404


# --- campaigns ----------------------------------------------------------------------------


@pytest.fixture
def guarded_client(app, database_url, tmp_path):
    """The same database behind an app with CSRF and rate limits switched on."""
    from coordinator import create_app
    from tests.conftest import settings

    # The limiter is one object shared by every app: switched on here; the autouse fixture in
    # tests/conftest.py switches it back off after the test.
    strict = create_app(
        settings(
            database_url,
            str(tmp_path),
            WTF_CSRF_ENABLED=True,
            RATELIMIT_ENABLED=True,
            CLAIM_RATE_LIMIT="3 per minute",
        )
    )
    yield strict.test_client()
    with strict.app_context():  # its own engine: close its connections before the wipe
        db.session.remove()
        db.engine.dispose()


def test_claim_needs_csrf_token_and_is_rate_limited(guarded_client, public_drive):
    event = public_drive
    refused = guarded_client.post(f"/claim/{event.id}", data={"tag": "1", "phone": "13800138000"})
    assert refused.status_code == 400 and count(BikeClaim) == 0
    statuses = []
    for _ in range(4):
        html = guarded_client.get(f"/claim/{event.id}").get_data(as_text=True)
        token = html.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        statuses.append(
            guarded_client.post(
                f"/claim/{event.id}",
                data={"csrf_token": token, "tag": "99", "phone": "13800138000"},
            ).status_code
        )
    assert statuses[-1] == 429 and 404 in statuses


def test_bike_photos_are_served_to_the_drive_staff_only(client, setup, auth, make):
    from coordinator.uploads.models import Photo

    event, _staff = setup
    client.post(
        f"/events/{event.id}/bikes",
        data={"colour": "red", "location": "车棚", "photo": (jpeg_bytes(), "bike.jpg")},
        content_type="multipart/form-data",
    )
    photo = db.session.scalar(select(Photo).where(Photo.owner_type == "bike"))
    for path in (f"/photos/{photo.id}", f"/photos/{photo.id}/thumb"):
        with client.get(path) as response:  # a file response: closed, or it leaks
            assert response.status_code == 200 and response.mimetype == "image/jpeg"
    outsider = make.user("staff")
    db.session.commit()
    auth.logout()
    auth.login(outsider)
    assert client.get(f"/photos/{photo.id}").status_code == 404


def test_claim_on_a_cancelled_drive_is_refused(client, drives):
    event = drives.drive(status="cancelled")
    drives.bikes(event, 1)
    db.session.commit()
    response = client.post(f"/claim/{event.id}", data={"tag": "1", "phone": "13800138000"})
    assert response.status_code == 409 and count(BikeClaim) == 0


def test_finished_drive_shows_no_entry_form(client, drives, make, auth):
    event = drives.drive(status="done")
    admin = make.user("admin")
    db.session.commit()
    auth.login(admin)
    html = client.get(f"/events/{event.id}/bikes").get_data(as_text=True)
    assert 'capture="environment"' not in html
    response = client.post(
        f"/events/{event.id}/bikes", data={"colour": "black", "location": "车棚"}
    )
    assert response.status_code == 409 and count(Bike) == 0


@pytest.mark.parametrize(
    "code",
    [
        "²",
        "1-²",
        "١",
        "1-١٢",
        "99999999999999999999",
        "1-99999999999999999999",
        "2147483648",
        "-1",
        "1-",
        "1--2",
    ],
)
def test_claim_codes_that_are_not_ascii_numbers_of_a_row_are_404(client, public_drive, code):
    """str.isdigit() takes "²" and "١" (which int() refuses or reads as 1): only ASCII digits
    of a number a row can have make a claim link."""
    assert client.get(f"/claim/{code}").status_code == 404


def test_huge_numbers_in_the_register_paths_and_filters(client, setup):
    event, _staff = setup
    huge = "99999999999999999999"
    assert client.get(f"/events/{huge}/bikes").status_code == 404
    assert client.post(f"/events/{event.id}/bikes/claims/{huge}/confirm").status_code == 404
    assert client.get(f"/campaigns/{huge}").status_code == 404
    tags = client.get(f"/events/{event.id}/bikes/tags?from={huge}&to={huge}")
    assert tags.status_code == 200
