"""Every format a phone sends, and every way a file can be wrong, through the service.

The files are made by Pillow here (tests/uploads/images.py). Warnings are errors in this
suite, so Pillow's DecompressionBombWarning escaping anywhere would fail these tests too.
"""

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from coordinator.extensions import db
from coordinator.rules import Refused
from coordinator.uploads import processing, services
from tests.uploads.images import (
    BLUE,
    RED,
    XMP,
    animated_gif,
    bomb_png,
    cmyk_jpeg,
    encode,
    grey16_png,
    in_format,
    jpeg_with_gps,
    opaque_rgba_png,
    phone_exif,
    picture,
    rgb16_png,
    text_file,
    truncated,
    upload,
)

GPS_IFD = 0x8825


def stored(app, photo) -> tuple[Image.Image, bytes]:
    path = Path(app.config["UPLOAD_FOLDER"]) / photo.path
    data = path.read_bytes()
    image = Image.open(io.BytesIO(data))
    image.load()
    return image, data


def near(pixel, colour, slack=12) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(pixel[:3], colour, strict=True))


@pytest.fixture(autouse=True)
def _empty_upload_folder(app):
    root = Path(app.config["UPLOAD_FOLDER"])
    for path in [p for p in root.rglob("*") if p.is_file()]:
        os.remove(path)


@pytest.fixture
def decoded(monkeypatch):
    """The size of every image at the moment its pixels exist in memory."""
    sizes = []
    real = processing._shrink

    def spy(image, max_side):
        sizes.append(image.size)
        return real(image, max_side)

    monkeypatch.setattr(processing, "_shrink", spy)
    return sizes


@pytest.fixture
def budget(app):
    """Set PHOTO_MAX_PIXELS for one test."""
    before = app.config["PHOTO_MAX_PIXELS"]

    def set_to(pixels):
        app.config["PHOTO_MAX_PIXELS"] = pixels

    yield set_to
    app.config["PHOTO_MAX_PIXELS"] = before


# ---------------------------------------------------------------- what is taken

# (format, the name it is sent under, does the file carry an orientation Pillow must apply)
FORMATS = [
    pytest.param("JPEG", "a.jpg", True, id="jpeg"),
    pytest.param("PNG", "a.png", True, id="png"),
    pytest.param("WEBP", "a.webp", True, id="webp"),
    pytest.param("TIFF", "a.tif", True, id="tiff"),
    # libheif turns an iPhone photo upright itself (its irot box); EXIF orientation is reset.
    pytest.param("HEIF", "IMG_0001.HEIC", False, id="heic"),
    pytest.param("GIF", "a.gif", False, id="gif"),
]


@pytest.mark.parametrize("fmt,name,turns", FORMATS)
def test_each_format_is_stored_upright_as_a_jpeg_without_gps_or_camera(app, fmt, name, turns):
    original = in_format(fmt, size=(800, 600), orientation=6)
    with Image.open(io.BytesIO(original)) as source:
        assert source.format == fmt
        if fmt not in ("GIF",):
            assert source.getexif().get_ifd(GPS_IFD), "the test file must carry GPS"

    photo = services.save_photo(upload(original, name, "application/octet-stream"), "case", 1)
    db.session.commit()

    out, data = stored(app, photo)
    assert out.format == "JPEG" and photo.path.endswith(".jpg") and out.mode == "RGB"
    assert len(out.getexif()) == 0 and not out.getexif().get_ifd(GPS_IFD)
    assert b"PhoneMaker" not in data and b"Exif" not in data
    assert photo.bytes == len(data)
    if turns:  # orientation 6: the blue mark at the top left ends up at the top right
        assert (out.width, out.height) == (600, 800) == (photo.width, photo.height)
        assert near(out.getpixel((5, 5)), RED) and near(out.getpixel((595, 5)), BLUE)
    else:
        assert (out.width, out.height) == (800, 600)
        assert near(out.getpixel((5, 5)), BLUE) and near(out.getpixel((795, 5)), RED)


def test_the_name_and_the_clients_content_type_do_not_matter(app):
    """Content decides: a PNG called .jpg and sent as text/plain is taken as the PNG it is."""
    photo = services.save_photo(upload(in_format("PNG"), "photo.jpg", "text/plain"), "case", 1)
    assert (photo.width, photo.height) == (800, 600)


def test_xmp_icc_and_comment_are_gone_too(app):
    original = jpeg_with_gps(orientation=1)
    with Image.open(io.BytesIO(original)) as source:
        assert {"xmp", "icc_profile", "comment", "exif"} <= set(source.info)
    photo = services.save_photo(upload(original), "case", 1)
    out, data = stored(app, photo)
    assert not {"xmp", "icc_profile", "comment", "exif"} & set(out.info)
    assert XMP[:20] not in data and b"GPSLatitude" not in data and b"secret comment" not in data


def test_animated_gif_keeps_its_first_frame(app):
    photo = services.save_photo(upload(animated_gif(), "anim.gif", "image/gif"), "case", 1)
    out, _data = stored(app, photo)
    assert out.format == "JPEG" and getattr(out, "n_frames", 1) == 1
    assert near(out.getpixel((60, 40)), RED)


def test_cmyk_jpeg_becomes_rgb_with_the_same_colour(app):
    photo = services.save_photo(upload(cmyk_jpeg()), "case", 1)
    out, _data = stored(app, photo)
    assert out.mode == "RGB" and near(out.getpixel((10, 10)), (255, 0, 0))


def test_16_bit_grey_png_is_scaled_not_clipped_to_white(app):
    photo = services.save_photo(upload(grey16_png(level=40000), "scan.png"), "case", 1)
    out, _data = stored(app, photo)
    assert near(out.getpixel((10, 10)), (156, 156, 156), slack=3)


def test_16_bit_rgb_png_keeps_its_colour(app):
    photo = services.save_photo(upload(rgb16_png(), "deep.png"), "case", 1)
    out, _data = stored(app, photo)
    assert (out.width, out.height) == (200, 100) and near(out.getpixel((10, 10)), (255, 128, 0))


def test_a_screenshot_that_is_rgba_but_opaque_is_stored_as_jpeg(app):
    photo = services.save_photo(upload(opaque_rgba_png(), "screen.png"), "case", 1)
    assert photo.path.endswith(".jpg") and photo.mimetype == "image/jpeg"


def test_a_palette_gif_with_a_transparent_colour_stays_see_through_as_png(app):
    image = picture((200, 100)).convert("P")
    corner = image.getpixel((199, 99))
    photo = services.save_photo(
        upload(encode(image, "GIF", transparency=corner), "t.gif"), "case", 1
    )
    out, _data = stored(app, photo)
    assert photo.path.endswith(".png") and out.mode == "RGBA"
    assert out.getpixel((199, 99))[3] == 0 and out.getpixel((5, 5))[3] == 255


# ---------------------------------------------------------------- decoded small


def test_a_12_megapixel_phone_photo_is_never_decoded_at_full_size(app, decoded):
    photo = services.save_photo(upload(jpeg_with_gps(size=(4000, 3000), orientation=6)), "case", 1)
    # draft(): libjpeg decodes at half scale, 2000 × 1500, a quarter of the pixels.
    assert decoded == [(2000, 1500)]
    assert (photo.width, photo.height) == (1500, 2000)


def test_a_27_megapixel_photo_is_decoded_at_half_and_shrunk_to_2560(app, decoded):
    photo = services.save_photo(upload(jpeg_with_gps(size=(6000, 4500), orientation=1)), "case", 1)
    assert decoded == [(3000, 2250)]
    assert (photo.width, photo.height) == (2560, 1920)


@pytest.mark.parametrize(
    "size,kept",
    [
        pytest.param((6000, 1000), (2000, 334), id="reduced-by-3"),
        pytest.param((5500, 1000), (2560, 465), id="reduced-by-2-then-resized"),
        pytest.param((4000, 3000), (2000, 1500), id="12MP-like-a-jpeg"),
    ],
)
def test_a_big_png_is_reduced_by_a_whole_factor_then_to_the_long_side(app, size, kept):
    photo = services.save_photo(upload(encode(picture(size), "PNG"), "pano.png"), "case", 1)
    assert (photo.width, photo.height) == kept


def test_small_photos_keep_their_size(app, decoded):
    photo = services.save_photo(upload(jpeg_with_gps(size=(1600, 1200), orientation=1)), "case", 1)
    assert decoded == [(1600, 1200)] and (photo.width, photo.height) == (1600, 1200)


# ---------------------------------------------------------------- what is refused


def test_too_many_pixels_is_refused_from_the_header_before_decoding(app, budget, decoded):
    budget(1_000_000)
    with pytest.raises(Refused) as refused:
        services.prepare_photo(upload(in_format("PNG", size=(1200, 1000)), "big.png"))
    assert refused.value.status == 413 and refused.value.field == "photos"
    assert "1200 × 1000 pixels" in str(refused.value.message)
    assert "1 megapixels" in str(refused.value.message)
    assert decoded == []


@pytest.mark.parametrize(
    "width,height",
    [
        pytest.param(8000, 8000, id="64MP-above-our-budget"),
        pytest.param(10_000, 10_000, id="100MP-Pillow-warns"),
        pytest.param(100_000, 100_000, id="10GP-Pillow-refuses"),
    ],
)
def test_a_decompression_bomb_header_is_refused_with_413(app, decoded, width, height):
    """A few hundred bytes claiming gigapixels: Pillow's own guard may fire (a warning, an
    error under filterwarnings=error, or DecompressionBombError); all end as one refusal."""
    with pytest.raises(Refused) as refused:
        services.prepare_photo(upload(bomb_png(width, height), "bomb.png"))
    assert refused.value.status == 413 and "pixels" in str(refused.value.message)
    assert decoded == []


@pytest.mark.parametrize(
    "data,name",
    [
        pytest.param(truncated(jpeg_with_gps()), "cut.jpg", id="truncated-jpeg"),
        pytest.param(truncated(in_format("PNG")), "cut.png", id="truncated-png"),
        pytest.param(truncated(in_format("HEIF")), "cut.heic", id="truncated-heic"),
        pytest.param(text_file(), "notes.jpg", id="text-named-jpg"),
        pytest.param(encode(picture((50, 50)), "PDF"), "scan.jpg", id="pdf-pillow-could-open"),
        pytest.param(encode(picture((32, 32)), "ICO"), "icon.png", id="icon-pillow-could-open"),
        pytest.param(b"", "empty.jpg", id="empty-file"),
    ],
)
def test_what_is_not_a_photo_is_refused_with_422_naming_the_formats(app, data, name):
    with pytest.raises(Refused) as refused:
        services.prepare_photo(upload(data, name), field="after_photo")
    assert (refused.value.status, refused.value.field) == (422, "after_photo")
    message = str(refused.value.message)
    assert name in message and "JPEG, PNG, GIF, WebP, TIFF, HEIC" in message


# ---------------------------------------------------------------- the upload itself


def test_preparing_leaves_the_upload_stream_open_and_whole(app):
    """Pillow used to close the upload while checking a PNG, and storing it then failed."""
    data = in_format("PNG")
    file = upload(data, "a.png")
    services.prepare_photos([file])
    assert not file.stream.closed and file.stream.read() == data


def test_save_photos_takes_prepared_photos_and_raw_uploads_alike(app, decoded):
    prepared = services.prepare_photos([upload(in_format("TIFF"), "a.tif")])
    assert len(decoded) == 1
    photos = services.save_photos(prepared + [upload(in_format("WEBP"), "b.webp")], "case", 1)
    db.session.commit()
    assert len(decoded) == 2  # the prepared one was not decoded again
    assert [p.owner_id for p in photos] == [1, 1]


def test_a_tiff_page_with_exif_orientation_is_turned_once(app):
    """Pillow applies a TIFF's orientation while loading: turning it again would be wrong."""
    original = encode(picture((800, 600)), "TIFF", exif=phone_exif(8).tobytes())
    photo = services.save_photo(upload(original, "a.tiff"), "case", 1)
    out, _data = stored(app, photo)
    # orientation 8 (turn 90° anticlockwise): the top-left mark goes to the bottom left.
    assert (out.width, out.height) == (600, 800)
    assert near(out.getpixel((5, 795)), BLUE) and near(out.getpixel((595, 5)), RED)


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L"])
def test_reducing_band_by_band_gives_the_pixels_of_one_whole_reduce(monkeypatch, mode):
    """Bands keep memory to the decoded picture plus one band; the picture must not show it
    (seams, a short last band)."""
    monkeypatch.setattr(processing, "BAND_ROWS", 4)
    image = Image.effect_noise((1000, 701), 64).convert(mode)
    if mode == "RGBA":
        image.putalpha(Image.linear_gradient("L").resize(image.size))
    reduced = processing._shrink(image, max_side=100)  # 1000 // 75: by 13, bands of 52 rows
    assert reduced.size == (77, 54) == image.reduce(13).size
    assert reduced.tobytes() == image.reduce(13).tobytes()


def test_a_palette_picture_is_reduced_in_colour_not_by_averaging_palette_indexes(app):
    image = picture((6000, 1000)).convert("P")
    photo = services.save_photo(upload(encode(image, "GIF"), "wide.gif"), "case", 1)
    out, _data = stored(app, photo)
    assert (out.width, out.height) == (2000, 334)
    assert near(out.getpixel((10, 10)), BLUE) and near(out.getpixel((1990, 300)), RED)


def test_a_broken_colour_profile_does_not_refuse_the_photo(app):
    original = encode(picture((300, 200)), "JPEG", icc_profile=b"not a profile at all" * 10)
    photo = services.save_photo(upload(original), "case", 1)
    out, _data = stored(app, photo)
    assert "icc_profile" not in out.info and near(out.getpixel((5, 5)), BLUE)
