"""The URL map of signing in and of the people who use the coordinator."""

from flask import Blueprint

from coordinator.auth import routes

bp = Blueprint("auth", __name__)

bp.add_url_rule("/login", view_func=routes.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", view_func=routes.logout, methods=["POST"])
# A texted link to set one's password (auth/password_links.py): ask for it, then use it.
bp.add_url_rule("/password", view_func=routes.password_link, methods=["GET", "POST"])
bp.add_url_rule("/password/<token>", view_func=routes.set_password, methods=["GET", "POST"])
bp.add_url_rule("/people", view_func=routes.users)
bp.add_url_rule("/people/new", view_func=routes.new_user, methods=["GET", "POST"])
bp.add_url_rule("/people/<int:user_id>", view_func=routes.edit_user, methods=["GET", "POST"])
