"""Issue 3's bad input on every cases form: the message at the field, a 4xx, the typed values
kept, nothing saved (no case, visit, photo or trail line, no status change)."""

import io
import re

import pytest
from sqlalchemy import func, select

from coordinator.cases.models import Callback, Case, CaseEvent, Visit
from coordinator.extensions import db
from coordinator.notifications.models import OutboxMessage
from coordinator.uploads.models import Photo
from tests.cases.test_routes import form_of, post_files
from tests.conftest import field_errors
from tests.uploads.images import big_jpeg_bytes, fake_pdf, jpeg_with_gps

LONG = "堵" * 5000
TYPED = "厨房下水道反水，楼上也漏"


def counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Case, CaseEvent, Visit, Photo, Callback, OutboxMessage)
    )


def errors_at(html: str, field: str) -> list[str]:
    """Messages under one field: ui.field() renders <p class="error" id="err-<field>">."""
    return re.findall(rf'<p class="error" id="err-{field}"[^>]*>([^<]*)</p>', html)


# Each row: what to change in a good form, the field that must carry the message, its words,
# the status. The same five for the staff form and the public /report.
INTAKE = [
    pytest.param(
        {"community_id": "", "compound_id": "", "building_id": ""},
        "community_id",
        "Choose a community.",
        422,
        id="no-community",
    ),
    pytest.param(
        {"compound_id": "", "building_id": ""},
        "compound_id",
        "Choose a compound.",
        422,
        id="no-compound",
    ),
    pytest.param(
        {"reporter_phone": "12345"}, "reporter_phone", "mobile number", 422, id="bad-phone"
    ),
    pytest.param(
        {"description": LONG}, "description", "At most 2000 characters.", 422, id="5000-characters"
    ),
    pytest.param(
        {"photos": (big_jpeg_bytes(11), "big.jpg")},
        "photos",
        "larger than 10 MB",
        413,
        id="11MB-photo",
    ),
    pytest.param(
        {"photos": (fake_pdf(), "scan.jpg")}, "photos", "is not a photo", 422, id="pdf-as-jpg"
    ),
]


def _post(client, url, data):
    if "photos" in data:
        payload, name = data["photos"]
        data["photos"] = [(io.BytesIO(payload), name)]
        return post_files(client, url, data)
    return client.post(url, data=data)


def _assert_refused(response, field, words, status, before, kept=(TYPED, "李阿姨")):
    html = response.get_data(as_text=True)
    assert response.status_code == status, field_errors(html)
    messages = errors_at(html, field)
    assert any(words in m for m in messages), (field, field_errors(html))
    for value in kept:
        assert value in html, f"{value!r} was not kept"
    db.session.expire_all()
    assert counts() == before


@pytest.mark.parametrize("change,field,words,status", INTAKE)
def test_staff_form_refuses_bad_input(client, auth, world, change, field, words, status):
    auth.login(world.staff)
    before = counts()
    data = form_of(world, description=TYPED)
    data.update(change)
    kept = (TYPED, "李阿姨") if field != "description" else ("李阿姨",)
    _assert_refused(_post(client, "/cases/new", data), field, words, status, before, kept)


@pytest.mark.parametrize("change,field,words,status", INTAKE)
def test_public_report_refuses_bad_input(client, world, change, field, words, status):
    before = counts()
    data = form_of(world, description=TYPED, reporter_phone="13912345678", website="")
    for key in ("channel", "hotline_ticket", "tier"):
        data.pop(key)
    data.update(change)
    kept = (TYPED, "李阿姨") if field != "description" else ("李阿姨",)
    if field != "reporter_phone":
        kept += ("13912345678",)
    _assert_refused(_post(client, "/report", data), field, words, status, before, kept)


VISIT = [
    pytest.param({"found": ""}, "found", "Write what you found.", 422, id="nothing-found"),
    pytest.param({"found": LONG}, "found", "At most 2000 characters.", 422, id="5000-characters"),
    pytest.param(
        {"photos": (big_jpeg_bytes(11), "big.jpg")},
        "photos",
        "larger than 10 MB",
        413,
        id="11MB-photo",
    ),
    pytest.param(
        {"photos": (fake_pdf(), "scan.jpg")}, "photos", "is not a photo", 422, id="pdf-as-jpg"
    ),
]


@pytest.mark.parametrize("door", ["signed-in", "link"])
@pytest.mark.parametrize("change,field,words,status", VISIT)
def test_visit_form_refuses_bad_input(client, auth, world, door, change, field, words, status):
    from coordinator.cases import job_links

    case = world.case("accepted")
    if door == "signed-in":
        auth.login(world.worker)
        url = f"/jobs/{case.id}/visit"
    else:
        url = f"/j/{job_links.job_link_token(case)}/visit"
    before = counts()
    data = {"found": "卫生间通了，厨房仍堵", "another_needed": "y", **change}
    kept = ("卫生间通了，厨房仍堵",) if field != "found" else ()
    _assert_refused(_post(client, url, data), field, words, status, before, kept)
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "accepted"


DONE = [
    pytest.param(
        {"after_photo": None}, "after_photo", "Add a photo of the result.", 422, id="no-photo"
    ),
    pytest.param(
        {"after_photo": (big_jpeg_bytes(11), "big.jpg")},
        "after_photo",
        "larger than 10 MB",
        413,
        id="11MB-photo",
    ),
    pytest.param(
        {"after_photo": (fake_pdf(), "after.jpg")},
        "after_photo",
        "is not a photo",
        422,
        id="pdf-as-jpg",
    ),
    pytest.param({"note": LONG}, "note", "At most 2000 characters.", 422, id="5000-characters"),
]


@pytest.mark.parametrize("change,field,words,status", DONE)
def test_done_form_refuses_bad_input(client, auth, world, change, field, words, status):
    case = world.case("in_progress")
    auth.login(world.worker)
    before = counts()
    data = {
        "root_cause": "头发、塑料袋",
        "follow_up": "定期疏通",
        "note": "",
        "after_photo": (io.BytesIO(jpeg_with_gps()), "after.jpg"),
    }
    data.update({k: v for k, v in change.items() if k != "after_photo"})
    if "after_photo" in change:
        data.pop("after_photo")
        if change["after_photo"] is not None:
            payload, name = change["after_photo"]
            data["after_photo"] = (io.BytesIO(payload), name)
    response = post_files(client, f"/jobs/{case.id}/done", data)
    _assert_refused(response, field, words, status, before, ("头发、塑料袋", "定期疏通"))
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "in_progress"


def test_send_link_bad_phone_is_kept_at_the_field(client, auth, world):
    case = world.case("dispatched")
    auth.login(world.staff)
    before = counts()
    response = client.post(f"/cases/{case.id}/send-link", data={"phone": "139123"})
    _assert_refused(response, "phone", "mobile number", 422, before, ('value="139123"',))


def test_tracking_link_refuses_a_5000_character_note(client, world):
    case = world.case("callback")
    before = counts()
    response = client.post(
        f"/track/{case.tracking_token}",
        data={"contacted": "yes", "solved": "yes", "satisfaction": "satisfied", "note": LONG},
    )
    _assert_refused(
        response, "note", "At most 1000 characters.", 422, before, ('checked id="satisfaction-0"',)
    )
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "callback"
