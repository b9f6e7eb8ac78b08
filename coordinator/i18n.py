"""Translating at run time: Flask-Babel's gettext family, with a cheaper catalog lookup.

Flask-Babel finds the catalog anew for every string, through several context proxies; on a
list page that lookup cost more than the rows themselves (bench/README.md). Here the catalog
is found once per locale and process: catalogs are compiled at setup and never change while
the app runs. The locale is still Flask-Babel's, so `force_locale` (a message in its
recipient's language) keeps working. The catalog commands are in coordinator/core/i18n.py.
"""

from datetime import UTC, datetime
from functools import wraps
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import g, has_app_context
from flask_babel import format_datetime, get_locale, get_timezone, get_translations
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


# ---------------------------------------------------------------- time


def when(dt: datetime | None) -> str:
    """2026年11月26日 14:30 in Chinese, 26 Nov 2026 14:30 in English; stored UTC, shown local."""
    if dt is None:
        return ""
    return _date_writer()[0](dt)


def day(dt: datetime | None) -> str:
    if dt is None:
        return ""
    return _date_writer()[1](dt)


_date_writers = {}  # (locale, time zone) → (when, day): worked out once per process


def _date_writer():
    """when() and day() for the reader's locale and time zone.

    The same text as Babel's format_datetime with the patterns "yyyy年M月d日 HH:mm" (Chinese)
    and "d MMM yyyy HH:mm" (others), which parses its pattern and looks up locale data on
    every call: on a list with a date per row that was a tenth of the page. The pair is
    remembered beside Flask-Babel's locale and zone for as long as those very objects are in
    force (force_locale() puts others there), as i18n.translations() does for the catalog.
    """
    ctx = g.get("_flask_babel") if g else None
    seen = getattr(ctx, "date_writers", None)
    if seen is not None and seen[0] is ctx.babel_locale and seen[1] is ctx.babel_tzinfo:
        return seen[2]
    locale, zone = get_locale(), get_timezone()
    if locale is None or zone is None:  # no request: Babel's own defaults
        return (
            lambda dt: format_datetime(dt, "d MMM yyyy HH:mm"),
            lambda dt: format_datetime(dt, "d MMM yyyy"),
        )
    key = (str(locale), str(zone))
    writers = _date_writers.get(key)
    if writers is None:
        writers = _date_writers[key] = _make_date_writers(locale, zone)
    g._flask_babel.date_writers = (locale, zone, writers)
    return writers


def _make_date_writers(locale, zone):
    try:  # the same zone from the standard library: its conversion is several times faster
        fast = ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        fast = None

    def local(dt: datetime) -> datetime:
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        if fast is not None and dt.year >= 1970:  # before, the two may differ (local mean time)
            return dt.astimezone(fast)
        return zone.normalize(dt.astimezone(zone))  # as flask_babel.to_user_timezone

    if str(locale).startswith("zh"):

        def date(t):
            return f"{t.year:04d}年{t.month}月{t.day}日"
    else:
        months = dict(locale.months["format"]["abbreviated"])

        def date(t):
            return f"{t.day} {months[t.month]} {t.year:04d}"

    def when_(dt):
        t = local(dt)
        return f"{date(t)} {t.hour:02d}:{t.minute:02d}"

    def day_(dt):
        return date(local(dt))

    return when_, day_


def utcnow() -> datetime:
    """Naive UTC, as every timestamp is stored (SQLite keeps no time zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


def due_in(deadline: datetime | None, now: datetime | None = None) -> str:
    """'3 小时后到期' / '已超时 2 天' style words for a deadline."""
    if deadline is None:
        return ""
    now = now or utcnow()
    seconds = (deadline - now).total_seconds()
    late = seconds < 0
    seconds = abs(seconds)
    if seconds >= 86400:
        n = int(seconds // 86400)
        unit = ngettext("%(num)d day", "%(num)d days", n)
    elif seconds >= 3600:
        n = int(seconds // 3600)
        unit = ngettext("%(num)d hour", "%(num)d hours", n)
    else:
        n = max(int(seconds // 60), 1)
        unit = ngettext("%(num)d minute", "%(num)d minutes", n)
    if late:
        return gettext("overdue by %(span)s", span=unit)
    return gettext("due in %(span)s", span=unit)
