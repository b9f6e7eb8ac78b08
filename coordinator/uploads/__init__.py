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


def init_app(app):
    # PHOTO_* and UPLOAD_FOLDER: coordinator/config.py
    from coordinator.uploads.queries import photo_url

    app.jinja_env.globals["photo_url"] = photo_url


from coordinator.uploads import models  # noqa: E402,F401
