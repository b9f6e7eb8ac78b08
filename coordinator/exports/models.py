"""The audit trail of full exports: who took unmasked personal data out, when, and why."""

import json
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db
from coordinator.i18n import utcnow


class FullExport(db.Model):
    __tablename__ = "full_exports"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    export: Mapped[str] = mapped_column(String(40))  # which download, e.g. "service_records"
    purpose: Mapped[str] = mapped_column(Text)
    # The filter as the person chose it (JSON), in words on the log page.
    filters: Mapped[str] = mapped_column(Text, default="{}")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    user = relationship("User")

    @property
    def filter_values(self) -> dict:
        return json.loads(self.filters or "{}")
