"""Test images made with Pillow on the spot: nothing binary is committed."""

import io

from PIL import ExifTags, Image
from werkzeug.datastructures import FileStorage


def jpeg_with_gps(size=(800, 600), orientation: int = 6) -> bytes:
    """A JPEG as a phone makes it: camera, GPS position and a sideways orientation tag."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1] // 4))  # a mark to see rotation
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (39.0, 57.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (116.0, 21.0, 10.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"secret comment")
    return out.getvalue()


def png_with_alpha(size=(300, 200)) -> bytes:
    image = Image.new("RGBA", size, (0, 128, 0, 0))
    image.paste((0, 128, 0, 255), (50, 50, 150, 150))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def fake_pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def big_jpeg_bytes(megabytes: float = 11) -> bytes:
    """A valid JPEG start padded past the limit: the size check must come first."""
    head = jpeg_with_gps(size=(64, 64))
    return head + b"\0" * int(megabytes * 1024 * 1024)


def upload(data: bytes, name: str = "photo.jpg", mimetype: str = "image/jpeg") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=mimetype)
