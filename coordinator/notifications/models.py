from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import utcnow

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
# A claimed message is "sending" until its lease (next_attempt_at) runs out; a worker that died
# mid-send leaves it due again then, so nothing waits forever on a dead worker.
DUE = (PENDING, SENDING)
# How the outbox page shows each status: its word and its badge's colour.
STATUS_LABELS = {
    PENDING: _l("Waiting"),
    SENDING: _l("Sending"),
    SENT: _l("Sent"),
    FAILED: _l("Failed"),
}
STATUS_TONES = {PENDING: "blue", SENDING: "orange", SENT: "green", FAILED: "red"}
# What the outbox page calls each kind of message, its channel and what it is about (a kind
# not listed here shows its code: the page never hides a message for want of a word).
KIND_LABELS = {
    "case_dispatched": _l("New job for a team"),
    "case_link": _l("Job link"),
    "case_assigned": _l("Job given to a team member"),
    "case_withdrawn": _l("Job withdrawn from a team"),
    "case_tracking": _l("Report received, with its link"),
    "case_callback": _l("Call-back request"),
    "event_reminder": _l("Event reminder"),
    "event_changed": _l("Event changed"),
    "event_cancelled": _l("Event cancelled"),
    "event_promoted": _l("Moved up from the waiting list"),
    "signup_cancelled": _l("Sign-up cancelled"),
    "bike_claim_rejected": _l("Bike claim not accepted"),
    "bike_released": _l("Bike released to its owner"),
    "hours_confirmed": _l("Service hours confirmed"),
    "password_link": _l("Link to set a password"),
}
CHANNEL_LABELS = {"sms": _l("Text message"), "email": _l("E-mail")}
SUBJECT_LABELS = {
    "case": _l("Case"),
    "event": _l("Event"),
    "campaign": _l("Campaign"),
    "bike": _l("Bike"),
    "signup": _l("Sign-up"),
}


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_status_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # e.g. case_dispatched, event_reminder
    channel: Mapped[str] = mapped_column(String(20), default="sms")  # sms | email | log
    recipient: Mapped[str] = mapped_column(String(120))  # phone number or e-mail address
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    # What the message is about, for the record: ("case", 12), ("event", 3), …
    subject_type: Mapped[str] = mapped_column(String(20), default="")
    subject_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Which delivery run holds the message while sending; its result only counts if it still does.
    claimed_by: Mapped[str] = mapped_column(String(32), default="")
