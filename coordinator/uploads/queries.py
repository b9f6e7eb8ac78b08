"""Finding photos, and their addresses (who may open one: viewers.py)."""

from flask import url_for
from sqlalchemy import select

from coordinator.extensions import db
from coordinator.uploads.models import Photo


def photos_of(owner_type: str, owner_ids) -> dict[int, list[Photo]]:
    """Photos of many owners in one query: {owner_id: [photos, oldest first]}."""
    ids = list(owner_ids)
    found: dict[int, list[Photo]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = db.session.scalars(
        select(Photo)
        .where(Photo.owner_type == owner_type, Photo.owner_id.in_(ids))
        .order_by(Photo.id)
    )
    for photo in rows:
        found[photo.owner_id].append(photo)
    return found


def get_photo(photo_id: int) -> Photo | None:
    return db.session.get(Photo, photo_id)


def photo_url(photo: Photo, thumb: bool = False, token: str | None = None) -> str:
    """URL of a photo (or its thumbnail); pass the link token on token-opened pages."""
    endpoint = "uploads.thumb" if thumb else "uploads.photo"
    return (
        url_for(endpoint, photo_id=photo.id, t=token)
        if token
        else url_for(endpoint, photo_id=photo.id)
    )
