from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.extensions import db
from coordinator.i18n import utcnow


class Photo(db.Model):
    """A stored image of something another domain owns: ("case", 12), ("bike", 7), …"""

    __tablename__ = "photos"
    __table_args__ = (Index("ix_photos_owner", "owner_type", "owner_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), default="photo")  # photo, before, after, bike
    # Relative to UPLOAD_FOLDER, e.g. 2026/11/26/3f9c….jpg
    path: Mapped[str] = mapped_column(String(200))
    thumb_path: Mapped[str] = mapped_column(String(200))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def mimetype(self) -> str:
        return "image/png" if self.path.endswith(".png") else "image/jpeg"
