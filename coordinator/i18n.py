"""Translating at run time: Flask-Babel's gettext family, with a cheaper catalog lookup.

Flask-Babel finds the catalog anew for every string, through several context proxies; on a
list page that lookup cost more than the rows themselves (bench/README.md). Here the catalog
is found once per locale and process: catalogs are compiled at setup and never change while
the app runs. The locale is still Flask-Babel's, so `force_locale` (a message in its
recipient's language) keeps working. The catalog commands are in coordinator/core/i18n.py.
"""

from functools import wraps

from flask import g, has_app_context
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString
from jinja2 import pass_eval_context
from markupsafe import Markup

_catalogs = {}  # Locale → merged translations; one set of catalog folders per process


def translations():
    """The catalog for the current locale (Flask-Babel's own choice of locale)."""
    ctx = g.get("_flask_babel") if has_app_context() else None
    locale = getattr(ctx, "babel_locale", None)
    if locale is None:  # first string of the request: let Flask-Babel pick the locale
        locale = get_locale()
        if locale is None:  # no app or request context: the source strings
            return get_translations()
        ctx = g._flask_babel
    # Remembered beside Flask-Babel's locale, for as long as that very locale object is in
    # force: force_locale() puts another one there, and the catalog follows.
    seen = getattr(ctx, "catalog", None)
    if seen is not None and seen[0] is locale:
        return seen[1]
    catalog = _catalogs.get(locale)
    if catalog is None:
        catalog = _catalogs[locale] = get_translations()
    ctx.catalog = (locale, catalog)
    return catalog


def gettext(string: str, **variables) -> str:
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


_label_sets = {}  # (labels' id, catalog's id) → the labels translated


def translated(labels: dict) -> dict[str, str]:
    """A module's dict of lazy labels (categories, kinds …) as plain strings in the reader's
    language: worked out once per language and process, not once per list."""
    catalog = translations()
    key = (id(labels), id(catalog))
    found = _label_sets.get(key)
    if found is None:
        found = _label_sets[key] = {code: str(label) for code, label in labels.items()}
    return found


def per_language(build):
    """Decorator: build() runs once per language and process, its result kept by catalog (words
    made from translations: labels, badges, option lists). build takes no arguments."""
    made = {}

    @wraps(build)
    def cached():
        key = id(translations())
        found = made.get(key)
        if found is None:
            found = made[key] = build()
        return found
    return cached


def lazy_gettext(string: str, **variables) -> LazyString:
    """A string translated when it is shown, in the reader's language (labels, choices)."""
    return LazyString(gettext, string, **variables)


_ = gettext


# Templates: what Jinja's i18n extension installs with newstyle=True (a translation is
# trusted markup, its variables are escaped), minus the two layers of Context.call that its
# wrappers add around every string. Installed as `_`, `gettext` and `ngettext` (ui.init_app).
@pass_eval_context
def template_gettext(eval_ctx, string: str, **variables):
    text = translations().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % variables if variables else text


@pass_eval_context
def template_ngettext(eval_ctx, singular: str, plural: str, num: int, **variables):
    variables.setdefault("num", num)
    text = translations().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % variables
