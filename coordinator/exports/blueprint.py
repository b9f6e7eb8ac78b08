"""The exports' URL map: the log of full exports (the downloads are their lists' own URLs)."""

from flask import Blueprint

from coordinator.exports import routes

bp = Blueprint("exports", __name__, url_prefix="/exports")

bp.add_url_rule("/log", view_func=routes.log)
