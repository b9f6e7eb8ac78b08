"""Photos: checked, stripped of metadata, stored under UPLOAD_FOLDER and served only to those
whom the owning domain lets see them.

Owner domains (cases, events, …) say who may see their photos by registering a viewer in
their own init_app:

    register_viewer("case", lambda user, case_id: ...)            # signed-in users
    register_token_viewer("case", lambda token, case_id: ...)     # /photos/<id>?t=<token>

An owner type with no viewer, or a viewer that says False, answers 404.

blueprint.py is the URL map; queries.py finds photos and their addresses; services.py takes
photos in (prepared before the unit of work, stored inside it).
"""

from coordinator.uploads.viewers import register_token_viewer, register_viewer

__all__ = ["init_app", "register_token_viewer", "register_viewer"]

DEFAULTS = {
    "PHOTO_MAX_BYTES": 10 * 1024 * 1024,  # per photo, read no further
    # The longest side stored. Decoding goes down to 3/4 of it first (processing.DRAFT_FLOOR):
    # a 4,000 px phone photo is decoded and kept at 2,000 px, a 6,000 px one shrunk to this.
    "PHOTO_MAX_SIDE": 2560,
    "PHOTO_THUMB_SIDE": 400,
    # Width × height from the file's header, checked before decoding: more is a memory bomb,
    # not a photo. A 60 MP JPEG decodes at 1/4 scale (draft), other formats at full size.
    "PHOTO_MAX_PIXELS": 60_000_000,
}


def init_app(app):
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)

    from coordinator.uploads.queries import photo_url

    app.jinja_env.globals["photo_url"] = photo_url


from coordinator.uploads import models  # noqa: E402,F401
