"""A grid worker's patrol: one a day per worker and grid, a visit per compound walked, a check
per checklist item looked at (OK, or a problem that became a case).

A visit's arrival and departure are its state: arrived (on site), then left (done). Leaving is
a conditional write on "not left yet" (work.update_where), so two taps on 离开 record one time.
A check is unique per visit and item: the same item sent twice is one check and one case.
"""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db
from coordinator.i18n import utcnow


class Patrol(db.Model):
    __tablename__ = "patrols"
    __table_args__ = (
        UniqueConstraint("worker_id", "grid_id", "day"),
        Index("ix_patrols_community_day", "community_id", "day"),
        Index("ix_patrols_grid_day", "grid_id", "day"),
        Index("ix_patrols_day", "day"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    day: Mapped[date] = mapped_column(Date)  # the Beijing date of the round
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)  # the last departure
    visits: Mapped[list["PatrolVisit"]] = relationship(
        back_populates="patrol", order_by="PatrolVisit.arrived_at"
    )


class PatrolVisit(db.Model):
    __tablename__ = "patrol_visits"
    __table_args__ = (
        UniqueConstraint("patrol_id", "compound_id"),
        Index("ix_patrol_visits_compound_arrived", "compound_id", "arrived_at"),
        Index("ix_patrol_visits_arrived", "arrived_at", "id"),  # the log, newest first
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    patrol_id: Mapped[int] = mapped_column(ForeignKey("patrols.id"))
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    arrived_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(DateTime)
    patrol: Mapped[Patrol] = relationship(back_populates="visits")
    checks: Mapped[list["PatrolCheck"]] = relationship(
        back_populates="visit", order_by="PatrolCheck.id"
    )

    @property
    def minutes(self) -> int | None:
        """Time on site in whole minutes (at least 1 once left), None while still there."""
        if self.left_at is None:
            return None
        return max(1, round((self.left_at - self.arrived_at).total_seconds() / 60))


class PatrolCheck(db.Model):
    __tablename__ = "patrol_checks"
    __table_args__ = (UniqueConstraint("visit_id", "item"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("patrol_visits.id"))
    item: Mapped[str] = mapped_column(String(30))  # checklist.ITEMS code
    ok: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    visit: Mapped[PatrolVisit] = relationship(back_populates="checks")
