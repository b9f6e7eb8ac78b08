"""Pages every role shares: home, language, health, and the error pages."""

from flask import Blueprint

bp = Blueprint("core", __name__)

from coordinator.core import errors, routes  # noqa: E402,F401  (routes attach to bp)


def init_app(app):
    from coordinator.core.i18n import translate

    errors.register(app)
    app.cli.add_command(translate)
