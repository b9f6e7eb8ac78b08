"""What the dashboard offers to the shared pages: its nav place, this month's call-backs."""

from flask import url_for
from sqlalchemy import func, select

from coordinator import access, months, plugins
from coordinator.dashboard.models import MonthFigures
from coordinator.i18n import lazy_gettext as _l


def register(app) -> None:
    plugins.offer_nav(app, "dashboard.index", _l("Dashboard"), "▤", access.OFFICE, order=45)
    plugins.offer_home_numbers(app, home_numbers, order=15)


def home_numbers(user, now) -> list[dict]:
    """The office: this month's valid call-backs (staff: of their community)."""
    if user.role not in access.OFFICE:
        return []
    stmt = select(func.sum(MonthFigures.callbacks)).where(
        MonthFigures.month == months.month_of(now)
    )
    if user.role == access.STAFF:
        stmt = stmt.where(MonthFigures.community_id == user.community_id)
    return [
        plugins.stat(
            plugins.count(stmt), _l("Call-backs this month"), url_for("dashboard.index"), "green"
        )
    ]
