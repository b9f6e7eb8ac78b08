"""What auth offers to the shared pages: the people list, and keeping a chosen language."""

from coordinator import access, plugins
from coordinator.auth import services
from coordinator.i18n import lazy_gettext as _l


def register(app) -> None:
    plugins.offer_nav(app, "auth.users", _l("People"), "☺", access.OFFICE, in_bar=False, order=90)
    plugins.offer_language_keeper(app, keep_language)


def keep_language(user, lang: str) -> None:
    """A signed-in user's choice of language is kept on the account."""
    if user.is_authenticated and user.locale != lang:
        services.set_locale(user, lang)
