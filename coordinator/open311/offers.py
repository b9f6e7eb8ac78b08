"""What Open311 offers to the shared pages: the admin's place for client keys."""

from coordinator import access, plugins
from coordinator.i18n import lazy_gettext as _l


def register(app) -> None:
    plugins.offer_nav(
        app, "open311.keys", _l("Open311 keys"), "⇄", {access.ADMIN}, in_bar=False, order=105
    )
