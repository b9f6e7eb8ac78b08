"""People who sign in. A resident's phone number is personal data: see ui.mask_phone.

Sessions are revocable: the id Flask-Login keeps in the session cookie and in the "remember
me" cookie is "<user id>:<session token>", and the token is the account's own random
`session_token`. Signing out, a new password and deactivation give the account a new token
(auth.services.end_sessions), so every cookie made before no longer loads anyone.
"""

import hmac
import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, String, bindparam, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.paging import read_rows


def new_session_token() -> str:
    return secrets.token_urlsafe(16)  # 22 characters, 128 bits


def session_id(user_id: int, token: str) -> str:
    """What Flask-Login keeps in the cookies for this account (see the top of this module)."""
    return f"{user_id}:{token}"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), index=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    role: Mapped[str] = mapped_column(String(20), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Part of every session and remember-me cookie: a new one ends them all (see the top).
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)

    community = relationship("Community")
    team = relationship("Team", foreign_keys=[team_id])

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        return session_id(self.id, self.session_token)

    def set_password(self, password: str) -> None:
        # scrypt by default; the test suite asks for a cheap method (PASSWORD_HASH_METHOD).
        method = current_app.config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)


class SignedIn(UserMixin):
    """Who is signed in, for one request: the account's columns the app reads, not its ORM row.

    Loaded on every signed-in request, where the ORM row cost several times a plain row (see
    bench/README.md). Views pass it to services as `actor`; what changes the account itself
    writes to User by id (auth.services).
    """

    __slots__ = (
        "id",
        "name",
        "phone",
        "role",
        "community_id",
        "team_id",
        "locale",
        "active",
        "session_token",
    )
    _by_id = select(
        User.id,
        User.name,
        User.phone,
        User.role,
        User.community_id,
        User.team_id,
        User.locale,
        User.active,
        User.session_token,
    ).where(User.id == bindparam("id"))

    def __init__(self, row):
        (
            self.id,
            self.name,
            self.phone,
            self.role,
            self.community_id,
            self.team_id,
            self.locale,
            self.active,
            self.session_token,
        ) = row

    @classmethod
    def load(cls, session_key: str) -> "SignedIn | None":
        """The account a session or remember-me cookie names, if its token is still current."""
        user_id, _, token = session_key.partition(":")
        if not user_id.isdigit() or not token or len(user_id) > 18:
            return None  # a cookie from before tokens, or not ours
        row = read_rows(cls._by_id, {"id": int(user_id)}).first()
        if row is None or not hmac.compare_digest(row.session_token.encode(), token.encode()):
            return None
        return cls(row)

    def get_id(self) -> str:
        return session_id(self.id, self.session_token)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active
