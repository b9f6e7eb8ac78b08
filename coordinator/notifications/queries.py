"""Reading the outbox: the admins' page of messages (every message; the page is theirs)."""

from sqlalchemy import select

from coordinator.notifications.models import OutboxMessage
from coordinator.paging import Page, paginate


def outbox_page(status: str = "", page: int = 1, per_page: int = 25) -> Page:
    """Newest first, optionally one status."""
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    return paginate(stmt, page, per_page)
