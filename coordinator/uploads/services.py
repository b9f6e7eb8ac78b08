"""Taking photos in, in two steps, so that no photo is decoded while the database is locked.

1. `prepare_photos(files)` — before the use case's unit of work begins. Every chosen file is
   read, recognised, held against the byte and pixel budgets, decoded small, turned upright,
   stripped of metadata and encoded again (processing.py). It returns PreparedPhoto values:
   bytes in memory, nothing written, nothing open. One bad file refuses them all.
2. `save_photos(prepared, owner…)` — inside the unit of work: writes those bytes under
   UPLOAD_FOLDER and adds the Photo rows to the caller's transaction (milliseconds).

Before this split, six 60 MP JPEGs in one anonymous /report were decoded between the case's
INSERT and its COMMIT, so SQLite's write lock was held for seconds and other users got
"database is locked". save_photos still takes raw uploads and prepares them itself, for
callers not yet changed, but then the decoding happens inside their transaction.

Nothing here commits. Files written for a transaction that rolls back are deleted again, so a
refused form leaves no orphans on disk.
"""

import os
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import event

from coordinator.extensions import db
from coordinator.i18n import gettext as _
from coordinator.i18n import utcnow
from coordinator.rules import Refused
from coordinator.uploads.models import Photo
from coordinator.uploads.processing import Limits, PreparedPhoto, process, read_upload, short_name

_WRITTEN = "uploads.written"  # session.info key: files written in the open transaction


def _present(files) -> list:
    """The files actually chosen: an empty <input type=file> posts a nameless part."""
    return [
        f
        for f in (files or [])
        if isinstance(f, PreparedPhoto) or (f is not None and getattr(f, "filename", ""))
    ]


def prepare_photo(file_storage, field: str = "photos") -> PreparedPhoto:
    """One upload → a PreparedPhoto, or Refused naming `field` (413 too large, 422 not a
    photo). Call it before the unit of work: it is the slow part."""
    if isinstance(file_storage, PreparedPhoto):
        return file_storage
    limits = Limits.from_config(current_app.config)
    data = read_upload(file_storage, limits, field)
    return process(data, short_name(file_storage.filename), limits, field)


def prepare_photos(files, field: str = "photos", max_count: int = 6) -> list[PreparedPhoto]:
    """Every chosen file prepared, or Refused for the first that cannot be (all or nothing).

    Empty file inputs are dropped; more than max_count files is refused before any is read.
    Already prepared photos pass through, so calling it twice costs nothing.
    """
    chosen = _present(files)
    if len(chosen) > max_count:
        raise Refused(
            _("At most %(count)d photos, please.", count=max_count), field=field, status=422
        )
    return [prepare_photo(f, field) for f in chosen]


def _write(full: Path, data: bytes) -> None:
    full.parent.mkdir(parents=True, exist_ok=True)
    full.write_bytes(data)
    db.session.info.setdefault(_WRITTEN, []).append(full)


def save_photo(
    photo,
    owner_type: str,
    owner_id: int,
    kind: str = "photo",
    uploaded_by=None,
    field: str = "photos",
) -> Photo:
    """Store a prepared photo (or an upload, prepared here) and its thumbnail; add the Photo
    to the session. Never commits."""
    prepared = prepare_photo(photo, field)
    folder = utcnow().strftime("%Y/%m/%d")
    stem = secrets.token_hex(16)
    path, thumb_path = f"{folder}/{stem}{prepared.ext}", f"{folder}/{stem}_t{prepared.ext}"
    root = Path(current_app.config["UPLOAD_FOLDER"])
    _write(root / path, prepared.data)
    _write(root / thumb_path, prepared.thumb)
    row = Photo(
        owner_type=owner_type,
        owner_id=owner_id,
        kind=kind,
        path=path,
        thumb_path=thumb_path,
        width=prepared.width,
        height=prepared.height,
        bytes=len(prepared.data),
        uploaded_by_id=getattr(uploaded_by, "id", uploaded_by),
    )
    db.session.add(row)
    return row


def save_photos(
    files,
    owner_type: str,
    owner_id: int,
    kind: str = "photo",
    uploaded_by=None,
    field: str = "photos",
    max_count: int = 6,
) -> list[Photo]:
    """Store photos from prepare_photos() (uploads not yet prepared are prepared first): all
    or nothing, in the caller's transaction."""
    prepared = prepare_photos(files, field=field, max_count=max_count)
    return [
        save_photo(p, owner_type, owner_id, kind=kind, uploaded_by=uploaded_by, field=field)
        for p in prepared
    ]


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
