"""What campaigns offer to the shared pages: a place in the office's navigation."""

from coordinator import access, plugins
from coordinator.i18n import lazy_gettext as _l


def register(app) -> None:
    plugins.offer_nav(
        app, "campaigns.index", _l("Campaigns"), "◎", access.OFFICE, in_bar=False, order=46
    )
