"""What warnings offer to the shared pages: a place in the office's navigation."""

from coordinator import access, plugins
from coordinator.i18n import lazy_gettext as _l


def register(app) -> None:
    # Off the bottom bar (its five places are taken); on the home page's list of places.
    plugins.offer_nav(
        app, "warnings.index", _l("Weather warnings"), "⚠", access.OFFICE, in_bar=False, order=48
    )
