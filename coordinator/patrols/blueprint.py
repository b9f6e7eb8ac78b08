"""The patrols' URL map: today's round and its three steps, the log, the week's coverage."""

from flask import Blueprint

from coordinator.patrols import routes

bp = Blueprint("patrols", __name__)

bp.add_url_rule("/patrols", view_func=routes.today)
bp.add_url_rule("/patrols/visits", view_func=routes.arrive, methods=["POST"])
bp.add_url_rule("/patrols/visits/<int:visit_id>/checks", view_func=routes.check, methods=["POST"])
bp.add_url_rule("/patrols/visits/<int:visit_id>/leave", view_func=routes.leave, methods=["POST"])
bp.add_url_rule("/patrols/log", view_func=routes.log)
bp.add_url_rule("/patrols/coverage", view_func=routes.coverage)
