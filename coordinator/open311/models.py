"""Open311's own rows: the clients' API keys, and what a client sent with a case that the case
itself has no column for."""

import hashlib
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db
from coordinator.i18n import utcnow

# Every key starts with this, so that a key pasted into a chat or a repository is recognisable
# (and secret scanners can be told the pattern).
KEY_PREFIX = "o311_"


def key_digest(key: str) -> str:
    """What is stored of a key: its SHA-256. A key is 256 random bits, so a fast hash is
    enough (a password needs a slow one because people choose guessable ones)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class ApiKey(db.Model):
    """One client system's key (the city's 12345 platform, a residents' app): made by an admin,
    shown once, stored as its digest, revoked by an admin; who did each and when stays here."""

    __tablename__ = "open311_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_name: Mapped[str] = mapped_column(String(80))
    contact: Mapped[str] = mapped_column(String(200), default="")
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The key's first characters (o311_Ab3d…), shown on the list to tell keys apart.
    key_start: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)

    created_by = relationship("User", foreign_keys=[created_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Submission(db.Model):
    """A case that came in through Open311: which key sent it, and the fields of the POST that
    cases do not keep (the media URL is shown again on GET; e-mail, device and account ids are
    kept for the office only, never shown on GET)."""

    __tablename__ = "open311_submissions"
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    key_id: Mapped[int] = mapped_column(ForeignKey("open311_keys.id"), index=True)
    media_url: Mapped[str] = mapped_column(String(2000), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    device_id: Mapped[str] = mapped_column(String(100), default="")
    account_id: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    key = relationship("ApiKey")
