"""What the outbox offers to the shared pages: its nav place, for admins."""

from coordinator import access, plugins
from coordinator.i18n import lazy_gettext as _l


def register(app) -> None:
    plugins.offer_nav(
        app,
        "notifications.outbox",
        _l("Messages sent"),
        "✉",
        {access.ADMIN},
        in_bar=False,
        order=110,
    )
