"""Events with roles and volunteers: sign-up, waitlist, check-in and hours.

Times are stored naive UTC (like every timestamp here) and entered/shown in Asia/Shanghai.
A role's `confirmed_count` is the seat counter: it only ever moves inside the services' one
conditional UPDATE, and a CHECK keeps it within 0..capacity even if code forgets.

Events and sign-ups carry a `version` (the mapper's version_id_col): every ORM write of one is
`UPDATE … WHERE id = :id AND version = :read`, so a status change made on what a request read
fails, as a 409 (coordinator.work), when someone else changed the row in between. The few
Core UPDATEs of sign-ups (cancel, promote) bump the version themselves.
"""

import uuid
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import utcnow

if TYPE_CHECKING:  # the campaigns domain owns the table; events only point at it
    from coordinator.campaigns.models import Campaign

KINDS = {
    "cleanup": _l("Cleanup"),
    "bike_drive": _l("Abandoned-bike drive"),
    "recycle_exchange": _l("Recycle and exchange"),
    "notice_distribution": _l("Notice distribution"),
    "escort_elderly": _l("Escorting the elderly"),
    "other": _l("Other"),
}

DRAFT, PUBLISHED, UNDER_WAY, DONE, CANCELLED = (
    "draft",
    "published",
    "under_way",
    "done",
    "cancelled",
)
STATUSES = {
    DRAFT: (_l("Draft"), "grey"),
    PUBLISHED: (_l("Open for sign-up"), "blue"),
    UNDER_WAY: (_l("Under way"), "orange"),
    DONE: (_l("Finished"), "green"),
    CANCELLED: (_l("Cancelled"), "grey"),
}
# The kinds whose owners claim bikes in a claim period (the bikes domain's drives).
BIKE_KINDS = ("bike_drive", "recycle_exchange")

# Statuses in which people may still sign up (until the event ends).
OPEN = (PUBLISHED, UNDER_WAY)

CONFIRMED, WAITLISTED, SIGNUP_CANCELLED = "confirmed", "waitlisted", "cancelled"
SIGNUP_STATUSES = {
    CONFIRMED: (_l("Confirmed"), "green"),
    WAITLISTED: (_l("On the waitlist"), "orange"),
    SIGNUP_CANCELLED: (_l("Cancelled"), "grey"),
}

ID_TYPES = {
    "resident_id": _l("Resident ID card"),
    "passport": _l("Passport"),
    "hk_macao": _l("Mainland travel permit (Hong Kong/Macao)"),
    "taiwan": _l("Mainland travel permit (Taiwan)"),
    "foreign_permit": _l("Foreigner's permanent residence card"),
}

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
CORRECTION_STATUSES = {
    PENDING: (_l("Waiting for the organiser"), "orange"),
    ACCEPTED: (_l("Approved"), "green"),
    REJECTED: (_l("Rejected"), "grey"),
}


class StatusWords:
    """status_label and status_tone from the class's LABELS: {status: (word, tone)}."""

    LABELS: dict = {}

    @property
    def status_label(self) -> str:
        return str(self.LABELS.get(self.status, (self.status, "grey"))[0])

    @property
    def status_tone(self) -> str:
        return self.LABELS.get(self.status, (self.status, "grey"))[1]


def claim_deadline(notice_date: date | None, claim_days: int) -> date | None:
    """Notice date + claim period; None until there is a notice date.

    The form keeps both within sensible bounds; a value stored before it did (9999-12-31)
    still gives a date, the last one there is, rather than an error on every page."""
    if notice_date is None:
        return None
    try:
        return notice_date + timedelta(days=claim_days)
    except OverflowError:
        return date.max


def new_uid() -> str:
    return f"{uuid.uuid4()}@coordinator"


class Event(StatusWords, db.Model):
    __tablename__ = "events"
    LABELS = STATUSES
    __table_args__ = (
        Index("ix_events_community_starts", "community_id", "starts_at"),
        Index("ix_events_status_starts", "status", "starts_at"),
        # The event list's id choice read from the index alone (index-only scans, no visit to
        # the table's scattered rows): "not over yet" (the default) by the end time, past and
        # all by the start time; each carries what the list filters by.
        Index(
            "ix_events_open",
            "ends_at",
            "starts_at",
            "id",
            "status",
            "organiser_id",
            "kind",
            "community_id",
        ),
        Index(
            "ix_events_list",
            "starts_at",
            "id",
            "ends_at",
            "status",
            "organiser_id",
            "kind",
            "community_id",
        ),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("claim_days >= 1", name="claim_days_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=new_uid)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    title: Mapped[str] = mapped_column(String(120))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    compound_id: Mapped[int | None] = mapped_column(ForeignKey("compounds.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime)  # indexed by ix_events_list
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    meeting_place: Mapped[str] = mapped_column(String(200), default="")
    # What volunteers should bring (gloves, a bag): said in the WeChat text and on the page.
    bring: Mapped[str] = mapped_column(String(200), default="", server_default="")
    organiser_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    # iCalendar SEQUENCE: bumped on every change a subscriber should see.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Abandoned-bike drives (the bikes domain): notice posted on notice_date; owners may claim
    # until notice_date + claim_days.
    notice_date: Mapped[date | None] = mapped_column(Date)
    claim_days: Mapped[int] = mapped_column(Integer, default=15)
    notice_text: Mapped[str] = mapped_column(Text, default="")
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    community = relationship("Community")
    compound = relationship("Compound")
    organiser = relationship("User", foreign_keys=[organiser_id])
    campaign: Mapped["Campaign | None"] = relationship(
        back_populates="events", foreign_keys=[campaign_id]
    )
    roles: Mapped[list["EventRole"]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        order_by="(EventRole.position, EventRole.id)",
    )

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))

    @property
    def claim_deadline(self) -> date | None:
        """Last day an owner may claim a bike: notice date + claim period."""
        return claim_deadline(self.notice_date, self.claim_days)

    @property
    def capacity(self) -> int:
        return sum(r.capacity for r in self.roles)

    @property
    def confirmed(self) -> int:
        return sum(r.confirmed_count for r in self.roles)

    @property
    def place(self) -> str:
        parts = [self.community.name if self.community else ""]
        if self.compound is not None:
            parts.append(self.compound.name)
        if self.meeting_place:
            parts.append(self.meeting_place)
        return " · ".join(p for p in parts if p)


class EventRole(db.Model):
    __tablename__ = "event_roles"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint(
            "confirmed_count >= 0 AND confirmed_count <= capacity", name="within_capacity"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    capacity: Mapped[int] = mapped_column(Integer)
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Hands out waitlist positions in order; moved by the same kind of UPDATE as the count.
    waitlist_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # How many have left the waitlist (promoted or cancelled), moved in the same transaction as
    # their sign-up: a new sign-up's place in the queue is waitlist_seq - waitlist_left.
    waitlist_left: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Who holds a seat in this role may register bikes for this drive while it runs (the
    # volunteers at the shed's table, "登记车辆"), not only the office.
    registers_bikes: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )

    event: Mapped[Event] = relationship(back_populates="roles")

    @property
    def is_full(self) -> bool:
        return self.confirmed_count >= self.capacity

    @property
    def free(self) -> int:
        return max(self.capacity - self.confirmed_count, 0)


class Signup(StatusWords, db.Model):
    __tablename__ = "signups"
    LABELS = SIGNUP_STATUSES
    __table_args__ = (
        # One active sign-up per person per event (any role), enforced by the database too.
        Index(
            "uq_signups_event_user_active",
            "event_id",
            "user_id",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        Index("ix_signups_role_status_position", "role_id", "status", "position"),
        Index("ix_signups_user_created", "user_id", "created_at"),
        CheckConstraint("hours_minutes IS NULL OR hours_minutes >= 0", name="hours_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("event_roles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(12), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # waitlist order within the role
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(DateTime)
    check_in_at: Mapped[datetime | None] = mapped_column(DateTime)
    check_out_at: Mapped[datetime | None] = mapped_column(DateTime)
    hours_minutes: Mapped[int | None] = mapped_column(Integer)
    hours_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hours_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The default serves take_place's Core INSERT too; the Core UPDATEs bump it themselves.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    event: Mapped[Event] = relationship()
    role: Mapped[EventRole] = relationship()
    user = relationship("User", foreign_keys=[user_id])
    hours_confirmed_by = relationship("User", foreign_keys=[hours_confirmed_by_id])
    corrections: Mapped[list["HoursCorrection"]] = relationship(
        back_populates="signup", order_by="HoursCorrection.id"
    )

    @property
    def hours(self) -> float | None:
        return None if self.hours_minutes is None else self.hours_minutes / 60


class VolunteerProfile(db.Model):
    """What a volunteer tells us about themselves. ID and volunteer numbers are private: only
    the volunteer and the export for the service record ever show them."""

    __tablename__ = "volunteer_profiles"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    id_type: Mapped[str] = mapped_column(String(20), default="")
    id_number: Mapped[str] = mapped_column(String(40), default="")
    volunteer_number: Mapped[str] = mapped_column(String(40), default="")
    skills: Mapped[str] = mapped_column(String(200), default="")
    availability: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user = relationship("User")


class HoursCorrection(StatusWords, db.Model):
    """A volunteer asks for other hours; the organiser accepts or rejects (the row is the audit)."""

    __tablename__ = "hours_corrections"
    LABELS = CORRECTION_STATUSES
    __table_args__ = (
        Index("ix_hours_corrections_status", "status"),
        # One open request per sign-up, also when a volunteer sends the form twice at once.
        Index(
            "uq_hours_corrections_signup_pending",
            "signup_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("signups.id", ondelete="CASCADE"), index=True)
    requested_minutes: Mapped[int] = mapped_column(Integer)
    previous_minutes: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")

    signup: Mapped[Signup] = relationship(back_populates="corrections")
    decided_by = relationship("User")


class CheckinCode(db.Model):
    """A one-time code sent to a mobile number to check in without signing in."""

    __tablename__ = "checkin_codes"
    __table_args__ = (Index("ix_checkin_codes_event_phone", "event_id", "phone"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    phone: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class EventLog(db.Model):
    """Who did what to an event and its people, when: status changes, check-ins, hours."""

    __tablename__ = "event_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    signup_id: Mapped[int | None] = mapped_column(
        ForeignKey("signups.id", ondelete="SET NULL"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    actor = relationship("User")


class CalendarFeed(db.Model):
    """A person's own calendar: the secret in its address (`/feeds/<token>.ics`), which a
    phone's calendar app fetches without a session. A random value nobody can guess (the page
    shows it again, so it is kept as it is, like a job link); a reset replaces it, and the old
    address answers 404 from then on."""

    __tablename__ = "calendar_feeds"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
