"""Photos through the real forms: a resident's anonymous /report, the staff's case intake, a
field worker's visit and "done", a bike at a drive. Every format is taken; a refused photo
answers 4xx with the message at the photo field and everything else the person typed kept;
no photo is decoded after the use case has started writing (the database would be locked).
"""

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import event, func, select

from coordinator.cases import job_links
from coordinator.cases.models import Case, Visit
from coordinator.extensions import db
from coordinator.uploads import processing
from coordinator.uploads.models import Photo
from tests.bikes.conftest import drives  # noqa: F401 (a fixture)
from tests.cases.test_bad_input import counts, errors_at
from tests.cases.test_routes import form_of, post_files
from tests.conftest import field_errors
from tests.uploads.images import (
    animated_gif,
    bomb_png,
    cmyk_jpeg,
    grey16_png,
    in_format,
    jpeg_with_gps,
    png_with_alpha,
    text_file,
    truncated,
)

TYPED = "厨房下水道反水，楼上也漏"

GOOD = [
    pytest.param(in_format("PNG"), "screenshot.png", id="png"),
    pytest.param(animated_gif(), "anim.gif", id="animated-gif"),
    pytest.param(in_format("TIFF"), "scan.tif", id="tiff"),
    pytest.param(in_format("WEBP"), "wechat.webp", id="webp"),
    pytest.param(in_format("HEIF"), "IMG_0001.HEIC", id="heic"),
    pytest.param(cmyk_jpeg(), "print.jpg", id="cmyk-jpeg"),
    pytest.param(grey16_png(), "grey16.png", id="16-bit-png"),
    pytest.param(png_with_alpha(), "cutout.png", id="png-alpha"),
    pytest.param(jpeg_with_gps(), "phone.jpg", id="jpeg-gps"),
]

BAD = [
    pytest.param(bomb_png(), "bomb.png", 413, "has too many pixels", id="bomb-10GP"),
    pytest.param(
        bomb_png(10_000, 10_000), "bomb.png", 413, "has too many pixels", id="bomb-100MP-warning"
    ),
    pytest.param(
        in_format("PNG", size=(1200, 1000)), "big.png", 413, "1200 × 1000 pixels", id="over-budget"
    ),
    pytest.param(truncated(jpeg_with_gps()), "cut.jpg", 422, "is not a photo", id="truncated"),
    pytest.param(text_file(), "notes.jpg", 422, "is not a photo", id="text-as-jpg"),
]


@pytest.fixture(autouse=True)
def small_budget(app, web_app):
    """1.1 MP, so the over-budget file is small; every good file is under it."""
    for each in (app, web_app):
        each.config["PHOTO_MAX_PIXELS"] = 1_100_000
    yield
    for each in (app, web_app):
        each.config["PHOTO_MAX_PIXELS"] = 60_000_000


@pytest.fixture
def timeline(web_app, monkeypatch):
    """What happened in order: "decode" for each photo decoded, "write" for each INSERT,
    UPDATE or DELETE the request's database session sent."""
    happened: list[str] = []
    real = processing._shrink

    def decoding(image, max_side):
        happened.append("decode")
        return real(image, max_side)

    def statement(conn, cursor, sql, params, context, executemany):
        if sql.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            happened.append("write")

    monkeypatch.setattr(processing, "_shrink", decoding)
    with web_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", statement)
    yield happened
    event.remove(engine, "before_cursor_execute", statement)


def report_form(world, **kw):
    data = form_of(world, description=TYPED, reporter_phone="13912345678", website="", **kw)
    for key in ("channel", "hotline_ticket", "tier"):
        data.pop(key)
    return data


def files(*pairs):
    return [(io.BytesIO(data), name) for data, name in pairs]


def assert_clean(app, photo):
    with Image.open(Path(app.config["UPLOAD_FOLDER"]) / photo.path) as out:
        out.load()
        assert out.format in ("JPEG", "PNG") and len(out.getexif()) == 0
        assert max(out.size) <= 2560


def assert_kept(response, field, status, words, before, typed):
    html = response.get_data(as_text=True)
    assert response.status_code == status, field_errors(html)
    assert any(words in m for m in errors_at(html, field)), field_errors(html)
    for value in typed:
        assert value in html, f"{value!r} was not kept"
    db.session.expire_all()
    assert counts() == before


def decoded_before_any_write(happened: list[str]) -> bool:
    decodes = [i for i, what in enumerate(happened) if what == "decode"]
    writes = [i for i, what in enumerate(happened) if what == "write"]
    return bool(decodes) and bool(writes) and max(decodes) < min(writes)


# ---------------------------------------------------------------- a resident's /report


@pytest.mark.parametrize("data,name", GOOD)
def test_report_takes_every_format_anonymously(app, client, world, data, name):
    response = post_files(client, "/report", report_form(world, photos=files((data, name))))
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    case = db.session.scalar(select(Case))
    assert case.description == TYPED
    assert response.headers["Location"].endswith(f"/track/{case.tracking_token}")
    (photo,) = db.session.scalars(select(Photo).where(Photo.owner_type == "case"))
    assert photo.owner_id == case.id
    assert_clean(app, photo)


@pytest.mark.parametrize("data,name,status,words", BAD)
def test_report_refusing_a_photo_keeps_everything_typed(client, world, data, name, status, words):
    before = counts()
    good = (in_format("PNG", size=(300, 200)), "ok.png")
    response = post_files(client, "/report", report_form(world, photos=files(good, (data, name))))
    assert_kept(response, "photos", status, words, before, (TYPED, "李阿姨", "13912345678"))
    assert name in errors_at(response.get_data(as_text=True), "photos")[0]


def test_report_with_six_photos_decodes_them_all_before_writing(client, world, timeline):
    photos = files(
        *[
            (in_format(fmt, size=(900, 700)), f"p.{fmt.lower()}")
            for fmt in ("JPEG", "PNG", "GIF", "WEBP", "TIFF", "HEIF")
        ]
    )
    response = post_files(client, "/report", report_form(world, photos=photos))
    assert response.status_code == 302
    assert timeline.count("decode") == 6 and decoded_before_any_write(timeline), timeline
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 6


# ---------------------------------------------------------------- the staff's intake


@pytest.mark.parametrize("data,name", [GOOD[0], GOOD[2], GOOD[4]])
def test_staff_intake_takes_png_tiff_and_heic(app, client, auth, world, timeline, data, name):
    auth.login(world.staff)
    del timeline[:]  # signing in wrote; the intake request is what is watched
    response = post_files(client, "/cases/new", form_of(world, photos=files((data, name))))
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    assert decoded_before_any_write(timeline), timeline
    (photo,) = db.session.scalars(select(Photo))
    assert_clean(app, photo)


@pytest.mark.parametrize("data,name,status,words", BAD)
def test_staff_intake_refusing_a_photo_keeps_everything_typed(
    client, auth, world, data, name, status, words
):
    auth.login(world.staff)
    before = counts()
    response = post_files(
        client, "/cases/new", form_of(world, description=TYPED, photos=files((data, name)))
    )
    assert_kept(response, "photos", status, words, before, (TYPED, "李阿姨"))


# ---------------------------------------------------------------- the field worker


@pytest.mark.parametrize("door", ["signed-in", "job-link"])
def test_visit_takes_png_gif_and_tiff_decoded_before_writing(client, auth, world, timeline, door):
    case = world.case("accepted")
    if door == "signed-in":
        auth.login(world.worker)
        url = f"/jobs/{case.id}/visit"
    else:
        url = f"/j/{job_links.job_link_token(case)}/visit"
    del timeline[:]
    photos = files(
        (in_format("PNG"), "a.png"), (animated_gif(), "b.gif"), (in_format("TIFF"), "c.tif")
    )
    response = post_files(client, url, {"found": "卫生间通了，厨房仍堵", "photos": photos})
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    assert decoded_before_any_write(timeline), timeline
    visit = db.session.scalar(select(Visit))
    owners = db.session.scalars(select(Photo.owner_type).where(Photo.owner_id == visit.id))
    assert list(owners) == ["case_visit"] * 3


@pytest.mark.parametrize("data,name,status,words", BAD)
def test_visit_refusing_a_photo_keeps_what_was_found(
    client, auth, world, data, name, status, words
):
    case = world.case("accepted")
    auth.login(world.worker)
    before = counts()
    response = post_files(
        client,
        f"/jobs/{case.id}/visit",
        {"found": "卫生间通了，厨房仍堵", "photos": files((data, name))},
    )
    assert_kept(response, "photos", status, words, before, ("卫生间通了，厨房仍堵",))
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "accepted"


def done_form(after):
    return {
        "root_cause": "头发、塑料袋",
        "follow_up": "定期疏通",
        "note": "",
        "after_photo": files(after)[0],
    }


def test_done_takes_a_heic_after_photo_decoded_before_writing(app, client, auth, world, timeline):
    case = world.case("in_progress")
    auth.login(world.worker)
    del timeline[:]
    response = post_files(
        client, f"/jobs/{case.id}/done", done_form((in_format("HEIF"), "IMG_0002.HEIC"))
    )
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    assert decoded_before_any_write(timeline), timeline
    photo = db.session.scalar(select(Photo).where(Photo.kind == "after"))
    assert photo.owner_id == case.id
    assert_clean(app, photo)


@pytest.mark.parametrize("data,name,status,words", BAD)
def test_done_refusing_the_after_photo_keeps_cause_and_follow_up(
    client, auth, world, data, name, status, words
):
    case = world.case("in_progress")
    auth.login(world.worker)
    before = counts()
    response = post_files(client, f"/jobs/{case.id}/done", done_form((data, name)))
    assert_kept(response, "after_photo", status, words, before, ("头发、塑料袋", "定期疏通"))
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "in_progress"


# ---------------------------------------------------------------- a bike at a drive


def test_bike_register_takes_a_png_and_refuses_a_bomb_at_the_field(client, auth, make, drives):  # noqa: F811
    from coordinator.bikes.models import Bike

    drive = drives.drive()
    staff = make.user("staff", community_=drive.community)
    db.session.commit()
    auth.login(staff)
    url = f"/events/{drive.id}/bikes"
    response = post_files(
        client,
        url,
        {
            "colour": "black",
            "location": "车棚东侧",
            "photo": files((in_format("PNG"), "bike.png"))[0],
        },
    )
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    bike = db.session.scalar(select(Bike))
    assert db.session.scalar(select(Photo.owner_id).where(Photo.owner_type == "bike")) == bike.id

    response = post_files(
        client,
        url,
        {"colour": "black", "location": "车棚西侧", "photo": files((bomb_png(), "bomb.png"))[0]},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 413 and errors_at(html, "photo"), field_errors(html)
    assert "车棚西侧" in html
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Bike)) == 1
