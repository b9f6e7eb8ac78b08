"""What teams offer to the shared pages: the nav place, and the team's name on the home page."""

from sqlalchemy import select

from coordinator import access, plugins
from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.teams.models import Team


def register(app) -> None:
    plugins.offer_nav(
        app, "teams.index", _l("Teams"), "⚒", access.OFFICE | access.TEAM_SIDE, order=70
    )
    plugins.offer_home_area(app, team_name, order=10)


def team_name(user) -> str | None:
    """A team member's home page names their team."""
    if user.role in access.TEAM_SIDE and user.team_id:
        return db.session.scalar(select(Team.name).where(Team.id == user.team_id)) or ""
    return None
