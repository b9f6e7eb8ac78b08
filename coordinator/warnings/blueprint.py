"""The warnings URL map: the list, recording one (typed or pasted), one warning."""

from flask import Blueprint

from coordinator.warnings import routes

bp = Blueprint("warnings", __name__)

bp.add_url_rule("/warnings", view_func=routes.index)
bp.add_url_rule("/warnings/new", view_func=routes.new, methods=["GET", "POST"])
bp.add_url_rule("/warnings/<int:warning_id>", view_func=routes.detail)
