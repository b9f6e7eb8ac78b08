"""Signing in, roles, and the people who use the coordinator.

blueprint.py is the URL map; queries.py reads the people list (one scope rule, `visible`);
services.py signs in and out and changes accounts.
"""


def init_app(app):
    from coordinator.auth.models import SignedIn
    from coordinator.extensions import login_manager

    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says why on its own

    @login_manager.user_loader
    def load_user(session_key: str):
        return SignedIn.load(session_key)
