"""The hot spots' figures: cases per local month and place and category, and repeat spots.

Both are derived from the cases and kept in the same transaction as the case that moves
them (counts.py, repeats.py, on cases.signals.case_opened); `flask hotspots rebuild` works
them out again from the cases. No foreign keys: they are figures, rebuilt from source.
"""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.extensions import db

# building_id of the row that counts a whole compound (its cases with or without a
# building); compound_id of cases logged without a compound.
WHOLE = 0


class PlaceMonthCount(db.Model):
    """Cases logged in one local (Beijing) month, in one place, of one category.

    For each compound there are two kinds of rows: building_id = WHOLE counts every case of
    the compound (the heat grid reads these), and one row per building counts that
    building's cases (the compound's buildings, opened in the grid)."""

    __tablename__ = "place_month_counts"
    __table_args__ = (
        # The heat grid: a range of months of the compounds' own rows, per community or all.
        Index(
            "ix_place_month_counts_level",
            "building_id",
            "month",
            "community_id",
            "compound_id",
            "category",
            "cases",
        ),
        # One compound's buildings over a range of months.
        Index("ix_place_month_counts_compound", "compound_id", "month"),
    )
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day
    community_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compound_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    building_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    cases: Mapped[int] = mapped_column(Integer, default=0)


class RepeatSpot(db.Model):
    """One building and category with three or more cases within REPEAT_DAYS: a run that
    goes on while each new case comes within REPEAT_DAYS of the one before (repeats.py)."""

    __tablename__ = "repeat_spots"
    __table_args__ = (
        UniqueConstraint("building_id", "category", "first_case_id"),
        Index("ix_repeat_spots_last", "last_at"),
        Index("ix_repeat_spots_community_last", "community_id", "last_at"),
        Index("ix_repeat_spots_place", "building_id", "category", "last_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(Integer)
    compound_id: Mapped[int] = mapped_column(Integer)
    building_id: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(20))
    first_case_id: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(DateTime)
    last_at: Mapped[datetime] = mapped_column(DateTime)
    cases: Mapped[int] = mapped_column(Integer, default=0)
    # The local dates of the run's latest cases, oldest first: "2026-03-02,2026-04-11,…".
    dates: Mapped[str] = mapped_column(Text, default="")
