"""What places offer to the shared pages: the nav place, and the community on the home page."""

from sqlalchemy import select

from coordinator import access, plugins
from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.places.models import Community


def register(app) -> None:
    plugins.offer_nav(app, "places.index", _l("Places"), "▣", access.OFFICE, order=80)
    plugins.offer_home_area(app, community_name, order=20)


def community_name(user) -> str | None:
    """'红联北村社区': the words under the greeting of anyone who belongs to a community."""
    if user.community_id:
        return (
            db.session.scalar(select(Community.name).where(Community.id == user.community_id)) or ""
        )
    return None
