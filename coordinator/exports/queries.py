"""Reading the log of full exports (admins only: the page is theirs)."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from coordinator.exports.models import FullExport
from coordinator.paging import Page, paginate


def export_log_page(page: int, per_page: int) -> Page:
    """The log, newest first."""
    stmt = (
        select(FullExport)
        .options(joinedload(FullExport.user))
        .order_by(FullExport.created_at.desc(), FullExport.id.desc())
    )
    return paginate(stmt, page, per_page)
