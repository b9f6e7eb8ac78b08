"""People who sign in. A resident's phone number is personal data: see ui.mask_phone."""

from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, String, bindparam, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from coordinator.extensions import db
from coordinator.paging import read_rows
from coordinator.ui import utcnow


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

    community = relationship("Community")
    team = relationship("Team", foreign_keys=[team_id])

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def set_password(self, password: str) -> None:
        # scrypt by default; the test suite asks for a cheap method (PASSWORD_HASH_METHOD).
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)


class SignedIn(UserMixin):
    """Who is signed in, for one request: the account's columns the app reads, not its ORM row.

    Loaded on every signed-in request, where the ORM row cost several times a plain row (see
    bench/README.md). Views pass it to services as `actor`; what changes the account itself
    writes to User by id (auth.services).
    """

    __slots__ = ("id", "name", "phone", "role", "community_id", "team_id", "locale", "active")
    _by_id = select(User.id, User.name, User.phone, User.role, User.community_id, User.team_id,
                    User.locale, User.active).where(User.id == bindparam("id"))

    def __init__(self, row):
        (self.id, self.name, self.phone, self.role, self.community_id, self.team_id,
         self.locale, self.active) = row

    @classmethod
    def load(cls, user_id: int) -> "SignedIn | None":
        row = read_rows(cls._by_id, {"id": user_id}).first()
        return cls(row) if row else None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active
