import io
import os
from pathlib import Path

import pytest
from PIL import Image

from coordinator.extensions import db
from coordinator.rules import Refused
from coordinator.uploads import queries, services
from coordinator.uploads.models import Photo
from tests.uploads.images import big_jpeg_bytes, fake_pdf, jpeg_with_gps, png_with_alpha, upload


def files_in(app) -> list[Path]:
    root = Path(app.config["UPLOAD_FOLDER"])
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture(autouse=True)
def _empty_upload_folder(app):
    for path in files_in(app):
        os.remove(path)
    yield


def test_gps_exif_and_comment_are_stripped_and_orientation_applied(app, make):
    user = make.user()
    original = jpeg_with_gps(size=(800, 600), orientation=6)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the input has GPS

    photo = services.save_photo(upload(original), "case", 1, uploaded_by=user)
    db.session.commit()

    stored = Path(app.config["UPLOAD_FOLDER"]) / photo.path
    data = stored.read_bytes()
    with Image.open(stored) as out:
        out.load()
    assert out.format == "JPEG"
    assert len(out.getexif()) == 0
    assert b"Exif" not in data and b"PhoneMaker" not in data and b"secret comment" not in data
    assert "comment" not in out.info and "icc_profile" not in out.info
    # Orientation 6 means "turn 90°": the stored pixels stand upright instead.
    assert (out.width, out.height) == (600, 800) == (photo.width, photo.height)
    assert photo.bytes == len(data)
    assert photo.uploaded_by_id == user.id
    assert photo.path.startswith(photo.created_at.strftime("%Y/%m/%d/"))
    saved = db.session.get(Photo, photo.id)
    assert (saved.owner_type, saved.owner_id, saved.kind) == ("case", 1, "photo")


def test_thumbnail_is_at_most_400_px(app):
    photo = services.save_photo(
        upload(jpeg_with_gps(size=(1600, 1200), orientation=1)), "case", 2, kind="after"
    )
    db.session.commit()
    with Image.open(Path(app.config["UPLOAD_FOLDER"]) / photo.thumb_path) as thumb:
        thumb.load()
    assert thumb.size == (400, 300)
    assert len(thumb.getexif()) == 0
    assert photo.kind == "after"


def test_very_large_photo_is_shrunk_to_max_side(app):
    app.config["PHOTO_MAX_SIDE"] = 1000
    try:
        photo = services.save_photo(
            upload(jpeg_with_gps(size=(2000, 1000), orientation=1)), "case", 2
        )
    finally:
        app.config["PHOTO_MAX_SIDE"] = 2560
    assert (photo.width, photo.height) == (1000, 500)


def test_png_with_alpha_is_kept_as_png_with_its_transparency(app):
    photo = services.save_photo(upload(png_with_alpha(), "logo.png", "image/png"), "event", 3)
    db.session.commit()
    with Image.open(Path(app.config["UPLOAD_FOLDER"]) / photo.path) as out:
        out.load()
    assert photo.path.endswith(".png") and photo.mimetype == "image/png"
    assert out.mode == "RGBA"
    assert out.getpixel((0, 0))[3] == 0 and out.getpixel((100, 100))[3] == 255


def test_pdf_renamed_jpg_is_refused_with_422_and_the_field(app):
    with pytest.raises(Refused) as refused:
        services.save_photo(upload(fake_pdf(), "scan.jpg"), "case", 1, field="after_photo")
    assert refused.value.status == 422
    assert refused.value.field == "after_photo"
    assert "scan.jpg" in str(refused.value.message)
    assert files_in(app) == []


def test_eleven_megabytes_is_refused_with_413(app):
    with pytest.raises(Refused) as refused:
        services.save_photo(upload(big_jpeg_bytes(11)), "case", 1)
    assert refused.value.status == 413
    assert refused.value.field == "photos"
    assert "10 MB" in str(refused.value.message)


def test_truncated_jpeg_is_refused(app):
    data = jpeg_with_gps(size=(800, 600))
    with pytest.raises(Refused) as refused:
        services.save_photo(upload(data[: len(data) // 2]), "case", 1)
    assert refused.value.status == 422


def test_a_bad_third_photo_leaves_nothing_saved(app):
    files = [upload(jpeg_with_gps()), upload(jpeg_with_gps()), upload(fake_pdf(), "c.jpg")]
    with pytest.raises(Refused):
        services.save_photos(files, "case", 1)
    db.session.rollback()
    assert files_in(app) == []
    assert db.session.query(Photo).count() == 0


def test_prepare_photos_skips_empty_inputs_and_caps_the_count(app):
    empty = upload(b"", "")
    prepared = services.prepare_photos([empty, upload(jpeg_with_gps())])
    assert len(prepared) == 1 and prepared[0].data[:2] == b"\xff\xd8"
    with pytest.raises(Refused) as refused:
        services.prepare_photos([upload(jpeg_with_gps()) for _ in range(3)], "pics", max_count=2)
    assert (refused.value.status, refused.value.field) == (422, "pics")
    assert files_in(app) == []


def test_files_of_a_rolled_back_transaction_are_removed(app):
    services.save_photo(upload(jpeg_with_gps()), "case", 1)
    assert len(files_in(app)) == 2  # the photo and its thumbnail
    db.session.rollback()
    assert files_in(app) == []


def test_committed_files_stay_after_a_later_rollback(app):
    services.save_photo(upload(jpeg_with_gps()), "case", 1)
    db.session.commit()
    db.session.rollback()
    assert len(files_in(app)) == 2


def test_photos_of_groups_by_owner_in_one_query(app, count_queries):
    for owner in (1, 1, 2):
        services.save_photo(upload(jpeg_with_gps(size=(50, 40))), "case", owner)
    db.session.commit()
    with count_queries() as q:
        found = queries.photos_of("case", [1, 2, 3])
    assert q.count == 1
    assert [len(found[i]) for i in (1, 2, 3)] == [2, 1, 0]
