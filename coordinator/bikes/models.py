"""The bike register of an abandoned-bike drive: each bike with its tag, claims, handovers."""

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import utcnow

REGISTERED, CLAIMED, TO_RECYCLE, RECYCLED, REUSED = (
    "registered",
    "claimed",
    "to_recycle",
    "recycled",
    "reused",
)
STATUSES = {
    REGISTERED: (_l("In the shed"), "blue"),
    CLAIMED: (_l("Claimed"), "green"),
    TO_RECYCLE: (_l("To recycle"), "orange"),
    RECYCLED: (_l("Recycled"), "grey"),
    REUSED: (_l("Reused"), "green"),
}
IN_SHED = (REGISTERED, TO_RECYCLE)

PENDING, CONFIRMED, REJECTED = "pending", "confirmed", "rejected"
CLAIM_STATUSES = {
    PENDING: (_l("Waiting for staff"), "orange"),
    CONFIRMED: (_l("Released to owner"), "green"),
    REJECTED: (_l("Not confirmed"), "grey"),
}

RECEIVERS = {
    "subdistrict": _l("Subdistrict (central storage)"),
    "recycler": _l("Recycling firm"),
}


class BikeRegister(db.Model):
    """One per drive: the tag counter (bumped by a conditional UPDATE) and the last location.

    Tag numbers come from this row rather than max(tag)+1, so two phones registering at once
    never get the same number: the UPDATE takes the row's lock and returns the new value.
    """

    __tablename__ = "bike_registers"
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    last_tag: Mapped[int] = mapped_column(Integer, default=0)
    last_location: Mapped[str] = mapped_column(String(80), default="")


class Bike(db.Model):
    __tablename__ = "bikes"
    __table_args__ = (
        UniqueConstraint("event_id", "tag_number"),
        Index("ix_bikes_event_status", "event_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    tag_number: Mapped[int] = mapped_column(Integer)
    colour: Mapped[str] = mapped_column(String(20), default="")
    brand: Mapped[str] = mapped_column(String(40), default="")
    location: Mapped[str] = mapped_column(String(80), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=REGISTERED)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    registered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    claimant_phone: Mapped[str] = mapped_column(String(20), default="")
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    handover_id: Mapped[int | None] = mapped_column(ForeignKey("bike_handovers.id"), index=True)

    event = relationship("Event")
    registered_by = relationship("User", foreign_keys=[registered_by_id])
    released_by = relationship("User", foreign_keys=[released_by_id])
    claims: Mapped[list["BikeClaim"]] = relationship(back_populates="bike", order_by="BikeClaim.id")

    @property
    def status_label(self) -> str:
        return str(STATUSES[self.status][0])

    @property
    def status_tone(self) -> str:
        return STATUSES[self.status][1]

    @property
    def pending_claims(self) -> list["BikeClaim"]:
        return [c for c in self.claims if c.status == PENDING]


class BikeClaim(db.Model):
    """An owner says 'this one is mine' with tag and mobile; staff check and release it."""

    __tablename__ = "bike_claims"
    __table_args__ = (
        Index("ix_bike_claims_event_status", "event_id", "status"),
        # One open claim per owner and bike, also when the owner taps "claim" twice at once.
        # Two different numbers may claim one bike: staff find out who the owner is.
        Index(
            "uq_bike_claims_bike_phone_pending",
            "bike_id",
            "phone",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    bike_id: Mapped[int] = mapped_column(ForeignKey("bikes.id", ondelete="CASCADE"), index=True)
    phone: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    bike: Mapped[Bike] = relationship(back_populates="claims")

    @property
    def status_label(self) -> str:
        return str(CLAIM_STATUSES[self.status][0])

    @property
    def status_tone(self) -> str:
        return CLAIM_STATUSES[self.status][1]


class BikeHandover(db.Model):
    """Unclaimed bikes leaving the shed: to the subdistrict's storage or a recycler."""

    __tablename__ = "bike_handovers"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    to_kind: Mapped[str] = mapped_column(String(20), default="subdistrict")
    to_whom: Mapped[str] = mapped_column(String(80))
    receiver_name: Mapped[str] = mapped_column(String(40))
    handed_at: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer, default=0)
    reused: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def to_kind_label(self) -> str:
        return str(RECEIVERS.get(self.to_kind, self.to_kind))
