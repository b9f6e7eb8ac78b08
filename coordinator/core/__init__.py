"""Pages every role shares: home, language, health, and the error pages."""

from flask import Blueprint

bp = Blueprint("core", __name__)


def init_app(app):
    from coordinator.core import errors, security
    from coordinator.core.i18n import translate

    errors.register(app)
    app.after_request(security.add_headers)
    app.cli.add_command(translate)
