"""Test images made with Pillow on the spot: nothing binary is committed."""

import io
import struct
import zlib

import pillow_heif
from PIL import ExifTags, Image, ImageCms
from werkzeug.datastructures import FileStorage

pillow_heif.register_heif_opener()  # to write HEIC test files; the app registers it to read

RED, BLUE = (200, 30, 30), (30, 30, 200)


def picture(size=(800, 600), mode="RGB") -> Image.Image:
    """Red with a blue mark in the top-left quarter's top half: shows any turn or flip."""
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (0, 0, size[0] // 2, size[1] // 4))
    return image.convert(mode) if mode != "RGB" else image


def phone_exif(orientation: int = 1) -> Image.Exif:
    """What a phone writes: camera, a GPS position and an orientation."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (39.0, 57.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (116.0, 21.0, 10.0)
    return exif


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description exif:GPSLatitude="39,57.5N"/>'
    b"</x:xmpmeta>"
)


def jpeg_with_gps(size=(800, 600), orientation: int = 6) -> bytes:
    """A JPEG as a phone makes it: EXIF with GPS, XMP, an ICC profile, a comment, turned."""
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encode(
        picture(size),
        "JPEG",
        exif=phone_exif(orientation),
        comment=b"secret comment",
        xmp=XMP,
        icc_profile=icc,
        quality=90,
    )


def in_format(fmt: str, size=(800, 600), orientation: int = 1) -> bytes:
    """The same picture as JPEG, PNG, WEBP, TIFF or HEIF, with the phone's EXIF where the
    format holds it."""
    exif = phone_exif(orientation)
    if fmt == "GIF":
        return encode(picture(size), "GIF")
    # TIFF writes the GPS directory only from EXIF given as bytes.
    return encode(picture(size), fmt, exif=exif.tobytes() if fmt == "TIFF" else exif)


def animated_gif(size=(120, 80)) -> bytes:
    """Three frames, red first: only the first is kept."""
    frames = [Image.new("RGB", size, colour) for colour in (RED, (0, 160, 0), BLUE)]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)


def cmyk_jpeg(size=(640, 480)) -> bytes:
    """A print shop's JPEG: CMYK, pure cyan-free red (0 C, 255 M, 255 Y, 0 K)."""
    return encode(Image.new("CMYK", size, (0, 255, 255, 0)), "JPEG")


def grey16_png(size=(300, 200), level: int = 40000) -> bytes:
    """A 16-bit greyscale PNG (I;16): 40,000 of 65,535 is a mid grey, not white."""
    return encode(Image.new("I;16", size, level), "PNG")


def _png(width: int, height: int, depth: int, colour_type: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def rgb16_png(size=(200, 100)) -> bytes:
    """A 16-bit-per-channel RGB PNG (Pillow reads but cannot write these): orange."""
    width, height = size
    row = b"\0" + struct.pack(">HHH", 65535, 32768, 0) * width
    return _png(width, height, 16, 2, row * height)


def png_with_alpha(size=(300, 200)) -> bytes:
    image = Image.new("RGBA", size, (0, 128, 0, 0))
    image.paste((0, 128, 0, 255), (50, 50, 150, 150))
    return encode(image, "PNG")


def opaque_rgba_png(size=(300, 200)) -> bytes:
    """A screenshot: RGBA, but every pixel opaque."""
    return encode(picture(size, "RGBA"), "PNG")


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A few hundred bytes whose header claims 10 gigapixels: decoding would eat 30 GB."""
    return _png(width, height, 8, 2, b"\0" * 1000)


def fake_pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def text_file() -> bytes:
    return "这不是照片，是一段文字。\nnot a photo at all\n".encode() * 20


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def big_jpeg_bytes(megabytes: float = 11) -> bytes:
    """A valid JPEG start padded past the limit: the size check must come first."""
    head = jpeg_with_gps(size=(64, 64))
    return head + b"\0" * int(megabytes * 1024 * 1024)


def upload(data: bytes, name: str = "photo.jpg", mimetype: str = "image/jpeg") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=mimetype)
