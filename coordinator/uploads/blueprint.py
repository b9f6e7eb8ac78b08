"""The photos' URL map: a photo and its thumbnail (the owner domain's viewer decides)."""

from flask import Blueprint

from coordinator.uploads import routes

bp = Blueprint("uploads", __name__)

bp.add_url_rule("/photos/<int:photo_id>", view_func=routes.photo)
bp.add_url_rule("/photos/<int:photo_id>/thumb", view_func=routes.thumb)
