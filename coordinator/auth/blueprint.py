"""The URL map of signing in and of the people who use the coordinator."""

from flask import Blueprint

from coordinator.auth import routes

bp = Blueprint("auth", __name__)

bp.add_url_rule("/login", view_func=routes.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", view_func=routes.logout, methods=["POST"])
bp.add_url_rule("/people", view_func=routes.users)
bp.add_url_rule("/people/new", view_func=routes.new_user, methods=["GET", "POST"])
bp.add_url_rule("/people/<int:user_id>", view_func=routes.edit_user, methods=["GET", "POST"])
