"""The pages every role shares: the root, home, the language switch and the health check."""

from flask import Blueprint

from coordinator.core import routes

bp = Blueprint("core", __name__)

bp.add_url_rule("/", view_func=routes.root)
bp.add_url_rule("/home", view_func=routes.home)
bp.add_url_rule("/lang", view_func=routes.set_language, methods=["POST"])
bp.add_url_rule("/healthz", view_func=routes.healthz)
