"""The URL map of sign-ups: take a place in a role, give it up."""

from flask import Blueprint

from coordinator.signups import routes

bp = Blueprint("signups", __name__)

bp.add_url_rule(
    "/events/<int:event_id>/roles/<int:role_id>/sign-up", view_func=routes.sign_up, methods=["POST"]
)
bp.add_url_rule(
    "/events/<int:event_id>/signups/<int:signup_id>/cancel",
    view_func=routes.cancel_signup,
    methods=["POST"],
)
