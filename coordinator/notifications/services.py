"""Writing to the outbox. Callers are other services, inside their own transaction."""

from coordinator.extensions import db
from coordinator.notifications.models import OutboxMessage


def queue(kind: str, recipient: str, body: str, *, channel: str = "sms", subject: str = "",
          user_id: int | None = None, about: tuple[str, int] | None = None) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction; never commits.

    The message exists exactly when the change that caused it does: if the caller rolls back,
    the message is gone too, and once committed a worker will deliver it.
    """
    message = OutboxMessage(kind=kind, recipient=recipient, body=body, channel=channel,
                            subject=subject, user_id=user_id,
                            subject_type=about[0] if about else "",
                            subject_id=about[1] if about else None)
    db.session.add(message)
    return message
