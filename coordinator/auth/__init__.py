"""Signing in, roles, and the people who use the coordinator."""

from flask import Blueprint

bp = Blueprint("auth", __name__)



def init_app(app):
    from sqlalchemy import bindparam, select

    from coordinator.auth.models import User
    from coordinator.extensions import db, login_manager

    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says why on its own

    # Built once: on every signed-in request, building the query cost as much as running it.
    by_id = select(User).where(User.id == bindparam("id"))

    @login_manager.user_loader
    def load_user(user_id: str):
        if not user_id.isdigit():
            return None
        return db.session.execute(by_id, {"id": int(user_id)}).scalar_one_or_none()
