"""Taking photos in: check every file first, then store clean copies and a thumbnail.

Nothing here commits: the Photo rows join the caller's transaction. Files written for a
transaction that rolls back are deleted again, so a refused form leaves no orphans on disk.
"""

import os
import secrets
import warnings
from pathlib import Path

from flask import current_app, url_for
from PIL import Image, ImageOps
from sqlalchemy import event, select

from coordinator.extensions import db
from coordinator.i18n import gettext as _
from coordinator.rules import Refused
from coordinator.ui import utcnow
from coordinator.uploads.models import Photo

# What phones and cameras send; anything else Pillow may open (PDF, EPS, …) is refused.
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP", "TIFF"}
_WRITTEN = "uploads.written"  # session.info key: files written in the open transaction


def _present(files) -> list:
    """The files actually chosen: an empty <input type=file> posts a nameless part."""
    return [f for f in (files or []) if f is not None and getattr(f, "filename", "")]


def _short(name: str) -> str:
    name = os.path.basename(name or "")
    return name if len(name) <= 40 else name[:37] + "…"


def _size(file_storage) -> int:
    stream = file_storage.stream
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _open_checked(file_storage, field: str) -> Image.Image:
    """The decoded image, or Refused: too large (413) or not an image Pillow can read (422)."""
    name = _short(file_storage.filename)
    limit = current_app.config["PHOTO_MAX_BYTES"]
    if _size(file_storage) > limit:
        raise Refused(_("%(name)s is larger than %(mb)d MB.", name=name,
                        mb=limit // (1024 * 1024)), field=field, status=413)
    not_an_image = Refused(
        _("%(name)s is not a photo that can be opened (JPEG, PNG, WebP or GIF).", name=name),
        field=field, status=422)
    stream = file_storage.stream
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise not_an_image
                width, height = probe.size
                probe.verify()
            if width * height > current_app.config["PHOTO_MAX_PIXELS"]:
                raise Refused(_("%(name)s has too many pixels.", name=name), field=field,
                              status=413)
            stream.seek(0)
            image = Image.open(stream)
            image.load()  # a truncated or corrupt file fails here, before anything is saved
    except Refused:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise Refused(_("%(name)s has too many pixels.", name=name), field=field,
                      status=413) from None
    except Exception:  # Pillow's decoders raise many kinds of errors on bad input
        raise not_an_image from None
    finally:
        stream.seek(0)
    return image


def validate_photos(files, field: str = "photos", max_count: int = 6) -> list:
    """Check every file before any is stored, so one bad photo leaves nothing half-saved.

    Returns the files actually chosen (empty file inputs dropped).
    """
    chosen = _present(files)
    if len(chosen) > max_count:
        raise Refused(_("At most %(count)d photos, please.", count=max_count), field=field,
                      status=422)
    for file_storage in chosen:
        _open_checked(file_storage, field).close()
    return chosen


def _clean(image: Image.Image) -> tuple[Image.Image, str]:
    """Upright pixels with no metadata at all (EXIF, GPS, XMP, ICC, comments) and a format."""
    upright = ImageOps.exif_transpose(image) or image
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info)
    mode, fmt = ("RGBA", "PNG") if has_alpha else ("RGB", "JPEG")
    converted = upright.convert(mode)
    # A new image from the raw pixels carries nothing of the original file's info.
    clean = Image.frombytes(mode, converted.size, converted.tobytes())
    return clean, fmt


def _write(image: Image.Image, full: Path, fmt: str) -> None:
    full.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "JPEG":
        image.save(full, format="JPEG", quality=85, optimize=True)
    else:
        image.save(full, format="PNG", optimize=True)
    db.session.info.setdefault(_WRITTEN, []).append(full)


def save_photo(file_storage, owner_type: str, owner_id: int, kind: str = "photo",
               uploaded_by=None, field: str = "photos") -> Photo:
    """Store a checked, metadata-free copy and a thumbnail; add the Photo to the session.

    Refused (413 too large, 422 not an image) names `field`. Never commits.
    """
    image = _open_checked(file_storage, field)
    try:
        clean, fmt = _clean(image)
    finally:
        image.close()
    max_side = current_app.config["PHOTO_MAX_SIDE"]
    if max(clean.size) > max_side:
        clean.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    thumb = clean.copy()
    side = current_app.config["PHOTO_THUMB_SIDE"]
    thumb.thumbnail((side, side), Image.Resampling.LANCZOS)

    ext = ".png" if fmt == "PNG" else ".jpg"
    folder = utcnow().strftime("%Y/%m/%d")
    stem = secrets.token_hex(16)
    path, thumb_path = f"{folder}/{stem}{ext}", f"{folder}/{stem}_t{ext}"
    root = Path(current_app.config["UPLOAD_FOLDER"])
    _write(clean, root / path, fmt)
    _write(thumb, root / thumb_path, fmt)
    photo = Photo(owner_type=owner_type, owner_id=owner_id, kind=kind, path=path,
                  thumb_path=thumb_path, width=clean.width, height=clean.height,
                  bytes=(root / path).stat().st_size,
                  uploaded_by_id=getattr(uploaded_by, "id", uploaded_by))
    db.session.add(photo)
    return photo


def save_photos(files, owner_type: str, owner_id: int, kind: str = "photo", uploaded_by=None,
                field: str = "photos", max_count: int = 6) -> list[Photo]:
    """validate_photos, then save_photo for each: all or nothing."""
    chosen = validate_photos(files, field=field, max_count=max_count)
    return [save_photo(f, owner_type, owner_id, kind=kind, uploaded_by=uploaded_by, field=field)
            for f in chosen]


def photos_of(owner_type: str, owner_ids) -> dict[int, list[Photo]]:
    """Photos of many owners in one query: {owner_id: [photos, oldest first]}."""
    ids = list(owner_ids)
    found: dict[int, list[Photo]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = db.session.scalars(
        select(Photo).where(Photo.owner_type == owner_type, Photo.owner_id.in_(ids))
        .order_by(Photo.id))
    for photo in rows:
        found[photo.owner_id].append(photo)
    return found


def get_photo(photo_id: int) -> Photo | None:
    return db.session.get(Photo, photo_id)


def photo_url(photo: Photo, thumb: bool = False, token: str | None = None) -> str:
    """URL of a photo (or its thumbnail); pass the link token on token-opened pages."""
    endpoint = "uploads.thumb" if thumb else "uploads.photo"
    return url_for(endpoint, photo_id=photo.id, t=token) if token else url_for(
        endpoint, photo_id=photo.id)


@event.listens_for(db.session, "after_commit")
def _keep_written(session):
    session.info.pop(_WRITTEN, None)


@event.listens_for(db.session, "after_rollback")
def _remove_written(session):
    """The rows are gone, so the files they pointed at go too."""
    for full in session.info.pop(_WRITTEN, []):
        try:
            os.remove(full)
        except FileNotFoundError:
            pass
