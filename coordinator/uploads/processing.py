"""Turning an uploaded file into a clean photo: no database, no Flask request, only bytes in and
bytes out, so it runs before the caller's unit of work begins (see services.prepare_photos).

The order is the point:

1. the bytes are read once, at most `max_bytes` of them (413 beyond);
2. Pillow recognises the content (never the file name or the client's content type) among
   the formats phones send, and reads only the header;
3. the header's width × height is held against the pixel budget before one pixel is decoded
   (413: a decompression bomb is refused with a message, never a 500);
4. decoding is as small as it can be: a JPEG through `draft()`, which lets libjpeg decode at
   1/2, 1/4 or 1/8 scale (a 12 MP phone photo never exists at full size in memory); other
   formats are decoded and then `reduce()`d by a whole factor before the final resize;
5. the EXIF orientation is applied, colours are converted to sRGB with the file's own ICC
   profile, and the pixels are copied into a new image, so nothing of the file travels on
   (EXIF with GPS and camera, XMP, IPTC, comments, ICC);
6. encoded as JPEG, or PNG when the picture really uses transparency (a screenshot with a
   cut-out; JPEG would flatten it), with a thumbnail made from the clean copy.
"""

import io
from dataclasses import dataclass

import pillow_heif
from PIL import ExifTags, Image, ImageCms, UnidentifiedImageError

from coordinator.i18n import gettext as _
from coordinator.rules import Refused

# HEIC is what iPhones send. pillow-heif registers it with Pillow; libheif applies the file's
# rotation itself and resets the EXIF orientation, so it is not applied twice. Thumbnails,
# depth maps and auxiliary images inside the file are not wanted: skip decoding them.
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

# What phones, cameras and WeChat send; anything else Pillow could open (PDF, EPS, PSD, ICO…)
# is not even tried. The JPEG opener also reads MPO (the JPEG of cameras that store a second
# picture); BMP was taken before and costs nothing to keep.
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "TIFF", "HEIF", "BMP")
FORMAT_NAMES = "JPEG, PNG, GIF, WebP, TIFF, HEIC"

# A JPEG is decoded at the smallest scale (1/2, 1/4, 1/8) whose long side is still at least
# this share of max_side: a 4,000 px phone photo decodes at 2,000 px, a quarter of the pixels,
# instead of at full size only to be shrunk to 2,560 px; 2,000 px is plenty to see a drain.
# Other formats are reduced to the same floor after decoding. Only what is still longer than
# max_side after that is resized (LANCZOS) to max_side.
DRAFT_FLOOR = 0.75
JPEG_QUALITY = 85
_SRGB = ImageCms.createProfile("sRGB")
_ORIENTATION = {  # EXIF orientation → the turn that makes the pixels stand upright
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
BAND_ROWS = 128  # rows of the reduced picture made at a time (see _shrink)
_ALPHA = {"RGBA", "LA", "La", "RGBa", "PA"}


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int
    max_side: int
    thumb_side: int

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(
            max_bytes=config["PHOTO_MAX_BYTES"],
            max_pixels=config["PHOTO_MAX_PIXELS"],
            max_side=config["PHOTO_MAX_SIDE"],
            thumb_side=config["PHOTO_THUMB_SIDE"],
        )


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo ready to store: encoded bytes of the clean copy and its thumbnail."""

    name: str  # the sender's file name, shortened: for messages only
    data: bytes
    thumb: bytes
    ext: str  # ".jpg" or ".png"
    width: int
    height: int


def short_name(name: str | None) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name if len(name) <= 40 else name[:37] + "…"


def read_upload(file_storage, limits: Limits, field: str) -> bytes:
    """The file's bytes, read once and never more than the limit (413 beyond it).

    The upload stream is put back at its start, not closed, so the request keeps it intact.
    """
    stream = file_storage.stream
    seekable = hasattr(stream, "seek")
    if seekable:
        stream.seek(0)
    data = stream.read(limits.max_bytes + 1)
    if seekable:
        stream.seek(0)
    if len(data) > limits.max_bytes:
        raise Refused(
            _(
                "%(name)s is larger than %(mb)d MB.",
                name=short_name(file_storage.filename),
                mb=limits.max_bytes // (1024 * 1024),
            ),
            field=field,
            status=413,
        )
    return data


def process(data: bytes, name: str, limits: Limits, field: str = "photos") -> PreparedPhoto:
    """Bytes of an uploaded file → a PreparedPhoto, or Refused (413 too big, 422 not a photo)."""
    not_a_photo = Refused(
        _(
            "%(name)s is not a photo that can be opened (%(formats)s).",
            name=name,
            formats=FORMAT_NAMES,
        ),
        field=field,
        status=422,
    )
    too_many_pixels = Refused(
        _("%(name)s has too many pixels.", name=name), field=field, status=413
    )
    try:
        # Pillow's own bomb guard may fire in open() itself, as an error or as a warning (an
        # exception under `filterwarnings = error`); both mean the same as our budget.
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise not_a_photo from None
    with image:
        width, height = image.size
        if width * height > limits.max_pixels:
            raise Refused(
                _(
                    "%(name)s is %(width)d × %(height)d pixels; photos of up to "
                    "%(mp)d megapixels are taken.",
                    name=name,
                    width=width,
                    height=height,
                    mp=limits.max_pixels // 1_000_000,
                ),
                field=field,
                status=413,
            )
        try:
            clean = _clean(image, limits.max_side)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels from None
        except Exception:  # decoders raise many kinds of errors on truncated or corrupt data
            raise not_a_photo from None
    thumb = clean.copy()
    thumb.thumbnail((limits.thumb_side, limits.thumb_side), Image.Resampling.LANCZOS)
    ext = ".png" if clean.mode == "RGBA" else ".jpg"
    return PreparedPhoto(
        name=name,
        data=_encode(clean),
        thumb=_encode(thumb),
        ext=ext,
        width=clean.width,
        height=clean.height,
    )


def _clean(image: Image.Image, max_side: int) -> Image.Image:
    """Decoded small, upright, sRGB, RGB or RGBA, at most max_side, with no info at all."""
    if image.format in ("JPEG", "MPO"):
        scale = _draft_scale(image.size, max_side)
        if scale > 1:
            image.draft(None, (image.width // scale, image.height // scale))
    image.load()  # the first frame of an animated GIF, WebP or PNG; the first TIFF page
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    icc = image.info.get("icc_profile")
    pixels = _srgb(_shrink(image, max_side), icc)
    if max(pixels.size) > max_side:
        pixels.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    if orientation in _ORIENTATION:
        pixels = pixels.transpose(_ORIENTATION[orientation])
    # A new image holding only the pixels carries nothing of the file's info on to the copy.
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    return clean


def _draft_scale(size: tuple[int, int], max_side: int) -> int:
    long_side = max(size)
    for scale in (8, 4, 2):
        if long_side / scale >= max_side * DRAFT_FLOOR:
            return scale
    return 1


def _shrink(image: Image.Image, max_side: int) -> Image.Image:
    """The decoded picture in 8 bits (L, LA, RGB, RGBA or CMYK), averaged down by a whole
    factor to the draft floor: what draft() does for a JPEG, done after decoding for the
    others, so a 12 MP PNG or HEIC is kept at 2,000 px like a 12 MP JPEG.

    Band by band: a converted copy (palette, 16-bit) or the premultiplied copy reduce() makes
    of RGBA is then made of one band at a time, never of the whole decoded picture (for a
    60 MP RGBA PNG that would be a second 240 MB).
    """
    factor = int(max(image.size) // (max_side * DRAFT_FLOOR))
    to_eight = _grey_factor(image)
    if factor < 2:
        return _eight_bit(image, to_eight)
    width, height = image.size
    step = factor * BAND_ROWS
    out = None
    for top in range(0, height, step):
        band = _eight_bit(image.crop((0, top, width, min(top + step, height))), to_eight)
        band = band.reduce(factor)
        if out is None:
            out = Image.new(band.mode, (-(-width // factor), -(-height // factor)))
        out.paste(band, (0, top // factor))
    return out


def _grey_factor(image: Image.Image) -> float:
    """16- and 32-bit greyscale is scaled to 8 bits, not clipped to white."""
    if image.mode.startswith("I;16"):
        return 1 / 256
    if image.mode in ("I", "F"):
        high = image.getextrema()[1] or 1
        return 1 / 256 if 255 < high <= 65535 else (255 / high if high > 255 else 1)
    return 1


def _eight_bit(image: Image.Image, grey_factor: float) -> Image.Image:
    if image.mode in ("L", "LA", "RGB", "RGBA", "CMYK"):
        return image
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        return image.point(lambda v: v * grey_factor).convert("L")
    if _has_alpha(image):
        return image.convert("RGBA")
    return image.convert("L" if image.mode == "1" else "RGB")  # P, YCbCr, LAB, HSV


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in _ALPHA or (image.mode == "P" and "transparency" in image.info)


def _srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB, or RGBA when some pixel is see-through, in sRGB.

    The ICC profile is used to convert (an iPhone's Display P3, a print shop's CMYK) and then
    dropped with the rest of the metadata: the colours stay right without it.
    """
    if image.mode in ("LA", "RGBA"):
        rgba = image.convert("RGBA")
        opaque = rgba.getchannel("A").getextrema()[0] == 255
        image, mode = (rgba.convert("RGB"), "RGB") if opaque else (rgba, "RGBA")
    else:
        mode = "RGB"
    if icc and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            return ImageCms.profileToProfile(image, io.BytesIO(icc), _SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the plain conversion below is close enough
    return image if image.mode == mode else image.convert(mode)


def _encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    if image.mode == "RGBA":
        image.save(out, format="PNG")
    else:
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()
