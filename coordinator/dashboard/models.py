"""The dashboard's monthly figures, kept as rows (never a scan of the cases per request).

One row per (community, local Beijing month) in `month_figures`, per (community, month, tier)
in `month_tier_figures` and per (community, month, category) in `month_category_figures`.
`month` is the first day of the local month. Attribution:

* received: the month of the case's created_at;
* closed: the month of its closed_at;
* callbacks, contacted, solved, score: the month of the call-back's created_at; every
  recorded call-back is a valid call-back 有效回访;
* handled, on_time (handled_at <= due_at), and the medians: the month of handled_at;
* respond hours = logged (created_at) → accepted (accepted_at, 签收); resolve hours = logged
  → handled (handled_at), of the cases handled in the month;
* overdue: live for the current month (Case.is_overdue(now), counted when read); at freeze,
  the cases that were on the clock and past due when the month ended.

The current month's rows are kept by the case signals in the same transaction (services.py);
a month is frozen when it ends: recomputed once from the cases and stamped frozen_at, and
nothing changes it afterwards.
"""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.extensions import db
from coordinator.i18n import utcnow


class MonthFigures(db.Model):
    __tablename__ = "month_figures"
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    received: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    closed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    callbacks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    contacted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    solved: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # At freeze only (the current month's is counted live when read).
    overdue: Mapped[int | None] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    frozen_at: Mapped[datetime | None] = mapped_column(DateTime)


class MonthTierFigures(db.Model):
    __tablename__ = "month_tier_figures"
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    tier: Mapped[str] = mapped_column(String(12), primary_key=True)
    handled: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    on_time: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class MonthCategoryFigures(db.Model):
    __tablename__ = "month_category_figures"
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    received: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    handled: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    median_respond_hours: Mapped[float | None] = mapped_column(Float)
    median_resolve_hours: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FrozenMonth(db.Model):
    """A month whose rows were frozen (one row: two processes freezing at once insert the
    same key, and the loser's transaction rolls back with nothing written)."""

    __tablename__ = "frozen_months"
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    frozen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
