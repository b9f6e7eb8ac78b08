"""The URL map of attendance: the roster and its ticks, hours and corrections, the QR check-in."""

from flask import Blueprint

from coordinator.attendance import routes

bp = Blueprint("attendance", __name__)

SIGNUP = "/events/<int:event_id>/signups/<int:signup_id>"

bp.add_url_rule("/events/<int:event_id>/roster", view_func=routes.roster)
bp.add_url_rule("/events/<int:event_id>/walk-ins", view_func=routes.walk_in, methods=["POST"])
bp.add_url_rule(f"{SIGNUP}/check-in", view_func=routes.tick_in, methods=["POST"])
bp.add_url_rule(f"{SIGNUP}/check-out", view_func=routes.tick_out, methods=["POST"])
bp.add_url_rule(f"{SIGNUP}/confirm-hours", view_func=routes.confirm_hours, methods=["POST"])
bp.add_url_rule(
    "/events/<int:event_id>/corrections/<int:correction_id>",
    view_func=routes.decide_correction,
    methods=["POST"],
)
bp.add_url_rule("/events/<int:event_id>/qr", view_func=routes.qr)
bp.add_url_rule("/events/<int:event_id>/checkin", view_func=routes.checkin, methods=["GET", "POST"])
bp.add_url_rule(
    "/me/hours/<int:signup_id>/correction", view_func=routes.correction, methods=["GET", "POST"]
)
