"""What core offers to the navigation: the home page, first for every signed-in role."""

from coordinator import access, plugins
from coordinator.i18n import lazy_gettext as _l


def register(app) -> None:
    plugins.offer_nav(app, "core.home", _l("Home"), "⌂", access.SIGNED_IN, order=10)
