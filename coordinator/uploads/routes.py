"""The photos' views (their URLs: blueprint.py)."""

from flask import current_app, request, send_from_directory
from flask_login import current_user

from coordinator import access
from coordinator.access import public
from coordinator.uploads import queries
from coordinator.uploads.viewers import may_view

# Public at the door because a link token (job link, tracking link) may open a photo without
# an account; the owner domain's registered viewer decides every request, else 404.


def _serve(photo_id: int, thumb: bool):
    photo = queries.get_photo(photo_id)
    access.require(photo is not None)
    token = request.args.get("t") or None
    access.require(may_view(current_user, token, photo.owner_type, photo.owner_id))
    response = send_from_directory(
        current_app.config["UPLOAD_FOLDER"],
        photo.thumb_path if thumb else photo.path,
        mimetype=photo.mimetype,
        max_age=3600,
    )
    # A photo of someone's flat is nobody else's: never in a shared cache.
    response.cache_control.public = False
    response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.vary.add("Cookie")
    return response


@public
def photo(photo_id: int):
    return _serve(photo_id, thumb=False)


@public
def thumb(photo_id: int):
    return _serve(photo_id, thumb=True)
