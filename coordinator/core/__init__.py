"""Pages every role shares: home, language, health, and the error pages.

blueprint.py is the URL map; the home page is made of what the domains offer (plugins.py).
"""


def init_app(app):
    from coordinator.core import errors, security
    from coordinator.core.i18n import translate

    errors.register(app)
    app.after_request(security.add_headers)
    app.cli.add_command(translate)
