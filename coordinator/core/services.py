"""The home page's numbers and the language preference."""

from sqlalchemy import func, select

from coordinator import access
from coordinator.auth import services as auth_services
from coordinator.extensions import db
from coordinator.places.models import Community, Compound
from coordinator.teams.models import Team, team_communities


def home_context(user) -> dict:
    """What a role sees first: its own area and the places to go from there."""
    ctx: dict = {"user": user}
    if user.role == access.ADMIN:
        ctx["counts"] = {
            "communities": db.session.scalar(select(func.count(Community.id))),
            "compounds": db.session.scalar(select(func.count(Compound.id))),
            "teams": db.session.scalar(select(func.count(Team.id)).where(Team.active)),
        }
    elif user.role == access.STAFF and user.community_id:
        ctx["counts"] = {
            "compounds": db.session.scalar(
                select(func.count(Compound.id)).where(Compound.community_id == user.community_id)
            ),
            "teams": db.session.scalar(
                select(func.count(team_communities.c.team_id)).where(
                    team_communities.c.community_id == user.community_id
                )
            ),
        }
    return ctx


def remember_language(user, lang: str) -> None:
    if user.is_authenticated and user.locale != lang:
        auth_services.set_locale(user, lang)
