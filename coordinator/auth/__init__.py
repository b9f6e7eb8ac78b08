"""Signing in, roles, and the people who use the coordinator."""

from flask import Blueprint

bp = Blueprint("auth", __name__)



def init_app(app):
    from coordinator.auth.models import User
    from coordinator.extensions import db, login_manager

    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says why on its own

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id)) if user_id.isdigit() else None
