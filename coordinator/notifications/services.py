"""The outbox: writing messages in the caller's transaction, and delivering them later.

Delivery claims due messages so that any number of workers on any number of hosts never send
one message twice: on PostgreSQL the claim locks with FOR UPDATE SKIP LOCKED, elsewhere (SQLite)
it is one conditional UPDATE, which the database runs under its single write lock. A failed send
is retried with exponential backoff and, after NOTIFY_MAX_ATTEMPTS, marked failed: never deleted.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import insert, select, update

from coordinator.extensions import db
from coordinator.i18n import gettext as _
from coordinator.i18n import utcnow
from coordinator.notifications.models import (
    DUE,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    OutboxMessage,
)
from coordinator.notifications.senders import sender_for
from coordinator.rules import Refused
from coordinator.work import unit_of_work, update_where

OUTBOX_DUE = "outbox.due"  # session.info: this transaction added a message due now


def queue(
    kind: str, recipient: str, body: str, *, send_at: datetime | None = None, **details
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction; never commits.

    The message exists exactly when the change that caused it does: if the caller rolls back,
    the message is gone too, and once committed a worker will deliver it. `send_at` (naive
    UTC) holds it back until then, e.g. an event reminder for the day before. details: see
    _fields (channel, subject, user_id, about).
    """
    message = OutboxMessage(**_fields(kind, recipient, body, **details))
    if send_at is not None:
        message.next_attempt_at = send_at
    db.session.add(message)
    return message


def message_row(kind: str, recipient: str, body: str, *, send_at: datetime, **details) -> dict:
    """A message held back until `send_at`, as a row for queue_rows (details: see _fields)."""
    return {**_fields(kind, recipient, body, **details), "next_attempt_at": send_at}


def _fields(
    kind: str,
    recipient: str,
    body: str,
    *,
    channel: str = "sms",
    subject: str = "",
    user_id: int | None = None,
    about: tuple[str, int] | None = None,
) -> dict:
    """A message's columns, for queue (an ORM row) and message_row (a row for one INSERT)."""
    return {
        "kind": kind,
        "recipient": recipient,
        "body": body,
        "channel": channel,
        "subject": subject,
        "user_id": user_id,
        "subject_type": about[0] if about else "",
        "subject_id": about[1] if about else None,
    }


def queue_rows(rows: list[dict]) -> None:
    """Add messages for later (message_row) in one INSERT, in the caller's transaction; never
    commits. For a busy path: no ORM objects, so no kick either, which messages due later do
    not need (the worker's poll sends them when their time comes)."""
    if rows:
        db.session.connection().execute(insert(OutboxMessage.__table__), rows)


@dataclass
class DeliveryRun:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.failed


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: base × 2^(attempts−1), capped (30 s, 1 min, 2 min, …)."""
    config = current_app.config
    seconds = config["NOTIFY_BACKOFF_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["NOTIFY_BACKOFF_MAX_SECONDS"]))


def claim_due(limit: int = 100, now: datetime | None = None) -> tuple[str, list[int]]:
    """Take up to `limit` due messages for this run; commits the claim at once.

    A claimed message is "sending" with a lease: if this worker dies, the lease runs out and
    another worker takes the message again. The attempt is counted at the claim, so a message
    that kills its worker every time still ends as failed.
    """
    now = now or utcnow()
    token = secrets.token_hex(16)
    lease = now + timedelta(seconds=current_app.config["NOTIFY_LEASE_SECONDS"])
    is_due = (OutboxMessage.status.in_(DUE), OutboxMessage.next_attempt_at <= now)
    due = (
        select(OutboxMessage.id)
        .where(*is_due)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    with unit_of_work():
        claimed = db.session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(due.scalar_subquery()), *is_due)
            .values(
                status=SENDING,
                claimed_by=token,
                next_attempt_at=lease,
                attempts=OutboxMessage.attempts + 1,
            )
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        ).all()
    return token, sorted(claimed)


def _finish(message_id: int, token: str, **values) -> None:
    # Only the run that still holds the claim may record the outcome.
    with unit_of_work():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == token)
            .values(claimed_by="", **values)
            .execution_options(synchronize_session=False)
        )


def deliver_due(limit: int = 100) -> DeliveryRun:
    """Send the due messages through their channel's sender; never loses one.

    Sent → "sent". A sender error → retried later with backoff, the error kept in last_error;
    after NOTIFY_MAX_ATTEMPTS tries → "failed", kept in the outbox for people to see and retry.
    """
    run = DeliveryRun()
    token, ids = claim_due(limit)
    if not ids:
        return run
    max_attempts = current_app.config["NOTIFY_MAX_ATTEMPTS"]
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
    ).all()
    for message in messages:
        message_id, attempts = message.id, message.attempts
        try:
            sender_for(message.channel)(message)
        except Exception as error:  # any sender failure is a retry, never a lost message
            db.session.rollback()
            current_app.logger.warning(
                "outbox #%s attempt %s failed: %r", message_id, attempts, error
            )
            now, gives_up = utcnow(), attempts >= max_attempts
            if gives_up:
                run.failed += 1
            else:
                run.retrying += 1
            _finish(
                message_id,
                token,
                status=FAILED if gives_up else PENDING,
                last_error=repr(error)[:2000],
                next_attempt_at=now if gives_up else now + backoff(attempts),
            )
        else:
            run.sent += 1
            _finish(message_id, token, status=SENT, sent_at=utcnow(), last_error="")
    return run


def retry_now(message_id: int) -> OutboxMessage | None:
    """Put a pending or failed message back in line for an immediate try, with fresh attempts.

    A sent message is not sent again, and one being sent right now is left to its worker.
    """
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        return None
    if message.status == SENT:
        raise Refused(_("This message was sent already."), status=409)
    if message.status == SENDING and message.next_attempt_at > utcnow():
        raise Refused(_("This message is being sent right now."), status=409)
    # On the status and claim as read: a worker claiming it meanwhile, or a second press,
    # finds the row changed (409) instead of handing it out twice.
    with unit_of_work():
        update_where(
            OutboxMessage,
            message.id,
            {"status": message.status, "claimed_by": message.claimed_by},
            status=PENDING,
            attempts=0,
            claimed_by="",
            next_attempt_at=utcnow(),
        )
        db.session.info[OUTBOX_DUE] = True  # deliver it after this request, like a new message
    return message
