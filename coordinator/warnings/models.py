"""Weather warnings (气象预警) as the Meteorological Service issues them: kind, level, valid
from–to, area, and the text as published. Recording one runs the plans bound to its kind."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import utcnow

KINDS = {
    "wind": _l("Wind"),
    "rainstorm": _l("Rainstorm"),
    "snow": _l("Snowstorm"),
    "cold_wave": _l("Cold wave"),
    "heat": _l("Heat"),
    "icy_roads": _l("Icy roads"),
    "fog": _l("Fog"),
    "sandstorm": _l("Sandstorm"),
    "lightning": _l("Lightning"),
    "hail": _l("Hail"),
}
# In order: a plan bound to "yellow" answers yellow, orange and red.
LEVELS = {
    "blue": _l("Blue"),
    "yellow": _l("Yellow"),
    "orange": _l("Orange"),
    "red": _l("Red"),
}
LEVEL_ORDER = {level: rank for rank, level in enumerate(LEVELS)}


class WeatherWarning(db.Model):
    __tablename__ = "warnings"
    __table_args__ = (Index("ix_warnings_valid", "valid_from", "valid_to"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    level: Mapped[str] = mapped_column(String(8))
    valid_from: Mapped[datetime] = mapped_column(DateTime)  # UTC, naive
    valid_to: Mapped[datetime] = mapped_column(DateTime)
    area: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")  # as published, if pasted
    issued_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    created_by = relationship("User")

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))

    @property
    def level_label(self) -> str:
        return str(LEVELS.get(self.level, self.level))
