"""Time and language, in one place: the catalog, the local zone, and the date writers.

Translating: Flask-Babel's gettext family, with a cheaper catalog lookup. Flask-Babel finds
the catalog anew for every string, through several context proxies; on a list page that lookup
cost more than the rows themselves (bench/README.md). Here the locale is Flask-Babel's, asked
through its public `get_locale()` (so `force_locale`, a message in its recipient's language,
keeps working), and the catalog for that locale is found once per process, keyed by
`str(locale)`: catalogs are compiled at setup and never change while the app runs.

Time: every timestamp is stored naive UTC (`utcnow`); people read and type the local time of
the subdistrict, `LOCAL`, the zone the config names in `BABEL_DEFAULT_TIMEZONE` (one zone per
process: hours and deadlines are worked out in workers too, outside any request).
`to_local` / `to_utc` convert, `local_date` is the calendar day there (today by default),
`when` / `day` write a moment in the reader's language, or in a recipient's (`locale=`).

The catalog commands are in coordinator/core/i18n.py.
"""

from datetime import UTC, date, datetime, timedelta
from functools import wraps
from zoneinfo import ZoneInfo

from babel import Locale
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from markupsafe import Markup
from pytz import timezone as pytz_timezone

from coordinator.config import Config

# ---------------------------------------------------------------- the local zone

LOCAL = ZoneInfo(Config.BABEL_DEFAULT_TIMEZONE)
# Babel's (pytz) copy of the same zone, for moments before 1970, where the standard library's
# data may differ from it (local mean time): dates are written as Babel would write them.
_BABEL_LOCAL = pytz_timezone(Config.BABEL_DEFAULT_TIMEZONE)


def init_app(app) -> None:
    """One zone per process: an app configured with another would write dates that its
    workers' arithmetic (deadlines, end of day) does not share."""
    if app.config.get("BABEL_DEFAULT_TIMEZONE") != Config.BABEL_DEFAULT_TIMEZONE:
        raise ValueError(
            "BABEL_DEFAULT_TIMEZONE is set in coordinator/config.py for every process "
            f"({Config.BABEL_DEFAULT_TIMEZONE}); an app cannot choose another one"
        )


def utcnow() -> datetime:
    """Naive UTC, as every timestamp is stored (SQLite keeps no time zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


def local_moment(utc_naive: datetime) -> datetime:
    """Stored naive UTC → the same moment, aware, in the local zone (feeds, arithmetic)."""
    return utc_naive.replace(tzinfo=UTC).astimezone(LOCAL)


def to_local(utc_naive: datetime | None) -> datetime | None:
    """Stored naive UTC → naive local wall time (for forms)."""
    if utc_naive is None:
        return None
    return local_moment(utc_naive).replace(tzinfo=None)


def to_utc(local_naive: datetime | None) -> datetime | None:
    """Naive local wall time (as typed) → naive UTC (as stored)."""
    if local_naive is None:
        return None
    return local_naive.replace(tzinfo=LOCAL).astimezone(UTC).replace(tzinfo=None)


def local_date(utc_naive: datetime | None = None) -> date:
    """The local calendar date of a naive-UTC moment; today's by default (before 08:00 in
    Beijing, UTC's date is still yesterday's)."""
    return local_moment(utc_naive or utcnow()).date()


def end_of_local_day(utc_naive: datetime) -> datetime:
    """The first moment (naive UTC) after the local day that contains utc_naive."""
    local = to_local(utc_naive)
    return to_utc(datetime(local.year, local.month, local.day) + timedelta(days=1))


# ---------------------------------------------------------------- translations

_catalogs = {}  # str(locale) → that locale's merged catalog, found once per process
# The last locale object asked for and its catalog: within a request the same object comes
# back from get_locale() for every string, so one identity test finds the catalog. A
# force_locale() puts another object in force, and the catalog follows. (One pair for every
# thread: a thread that finds another's pair just takes the keyed path.)
_last_catalog = (None, None)


def translations():
    """The catalog for the current locale (Flask-Babel's own choice of locale)."""
    global _last_catalog
    locale = get_locale()
    if locale is None:  # no app context: the source strings
        return get_translations()
    last = _last_catalog
    if last[0] is locale:
        return last[1]
    key = str(locale)
    catalog = _catalogs.get(key)
    if catalog is None:
        catalog = _catalogs[key] = get_translations()
    _last_catalog = (locale, catalog)
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


class LazyText(LazyString):
    """A string translated when it is shown; `msgid` is its English source (searching a
    controlled list in either language)."""

    def __init__(self, string: str, **variables):
        super().__init__(gettext, string, **variables)
        self.msgid = string


def lazy_gettext(string: str, **variables) -> LazyText:
    """A string translated when it is shown, in the reader's language (labels, choices)."""
    return LazyText(string, **variables)


_ = gettext


# Templates: what Jinja's i18n extension installs with newstyle=True (a translation is
# trusted markup, its variables are escaped), minus the two layers of Context.call that its
# wrappers add around every string. Installed as `_`, `gettext` and `ngettext` (ui.init_app).
# A page finds its catalog once: render_template's context carries it (template_catalog, a
# context processor, run inside any force_locale around the render); a template rendered
# without it (a macro module, a bare jinja_env render) asks translations() for each string.
def template_catalog() -> dict:
    return {"i18n_catalog": translations(), "i18n_dates": date_writers()}


@pass_context
def template_gettext(context, string: str, **variables):
    catalog = context.get("i18n_catalog") or translations()
    text = catalog.ugettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables if variables else text


@pass_context
def template_ngettext(context, singular: str, plural: str, num: int, **variables):
    variables.setdefault("num", num)
    catalog = context.get("i18n_catalog") or translations()
    text = catalog.ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


# ---------------------------------------------------------------- dates in words


def when(dt: datetime | None, locale=None) -> str:
    """2026年11月26日 14:30 in Chinese, 26 Nov 2026 14:30 in English; stored UTC, shown local.
    In the reader's language, or in `locale`'s (a message in its recipient's language)."""
    if dt is None:
        return ""
    return date_writers(locale)[0](dt)


def day(dt: datetime | None, locale=None) -> str:
    """2026年11月26日 / 26 Nov 2026: the local date of a stored moment."""
    if dt is None:
        return ""
    return date_writers(locale)[1](dt)


def calendar_day(value: date | None, locale=None) -> str:
    """A calendar date (no time, no zone: a notice date, a deadline) in words."""
    if value is None:
        return ""
    if isinstance(value, datetime):  # a stored moment: its local date
        return day(value, locale)
    return date_writers(locale)[2](value)


def month_day(value: date | None, locale=None) -> str:
    """12月2日 / 2 Dec: a calendar date of this week or month, where the year goes without
    saying (a column of the week's coverage)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return date_writers(locale)[4](value)


def short_when(dt: datetime | None, locale=None) -> str:
    """11月26日 14:30 / 26 Nov 14:30: a moment of the coming weeks (reminders, texts)."""
    if dt is None:
        return ""
    return date_writers(locale)[3](dt)


# The template filters |when and |day: the writers of the page's context when it has them.
@pass_context
def template_when(context, dt: datetime | None) -> str:
    if dt is None:
        return ""
    return (context.get("i18n_dates") or date_writers())[0](dt)


@pass_context
def template_day(context, dt: datetime | None) -> str:
    if dt is None:
        return ""
    return (context.get("i18n_dates") or date_writers())[1](dt)


_writers = {}  # str(locale) → (when, day, calendar_day, short_when, month_day), made once
_last_writers = (None, None)  # as _last_catalog: the last locale object and its writers


def date_writers(locale=None):
    """(when, day, calendar_day, short_when, month_day) for `locale` (a name or a Locale), else the
    reader's: also for a read model that writes a date per row."""
    global _last_writers
    if locale is None:
        locale = get_locale()
        if locale is None:  # no app context: the default language
            locale = Config.BABEL_DEFAULT_LOCALE
        else:
            last = _last_writers
            if last[0] is locale:
                return last[1]
            writers = _writers_for(locale)
            _last_writers = (locale, writers)
            return writers
    return _writers_for(locale)


def _writers_for(locale):
    key = str(locale)
    writers = _writers.get(key)
    if writers is None:
        writers = _writers[key] = _make_date_writers(Locale.parse(key))
    return writers


def _make_date_writers(locale: Locale):
    """The same text as Babel's format_datetime with the patterns "yyyy年M月d日 HH:mm"
    (Chinese) and "d MMM yyyy HH:mm" (others), which parses its pattern and looks up locale
    data on every call: on a list with a date per row that was a tenth of the page. Written
    out flat: a date per row of a list is the hot path."""
    zone = LOCAL

    def local(dt: datetime) -> datetime:
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        if dt.year >= 1970:  # the standard library's conversion is several times faster
            return dt.astimezone(zone)
        return _BABEL_LOCAL.normalize(dt.astimezone(_BABEL_LOCAL))  # as Flask-Babel does

    if str(locale).startswith("zh"):

        def date_(t):
            return f"{t.year:04d}年{t.month}月{t.day}日"

        def when_(dt):
            t = local(dt)
            return f"{t.year:04d}年{t.month}月{t.day}日 {t.hour:02d}:{t.minute:02d}"

        def short_(dt):
            t = local(dt)
            return f"{t.month}月{t.day}日 {t.hour:02d}:{t.minute:02d}"

        def month_day_(t):
            return f"{t.month}月{t.day}日"
    else:
        months = dict(locale.months["format"]["abbreviated"])

        def date_(t):
            return f"{t.day} {months[t.month]} {t.year:04d}"

        def when_(dt):
            t = local(dt)
            return f"{t.day} {months[t.month]} {t.year:04d} {t.hour:02d}:{t.minute:02d}"

        def short_(dt):
            t = local(dt)
            return f"{t.day} {months[t.month]} {t.hour:02d}:{t.minute:02d}"

        def month_day_(t):
            return f"{t.day} {months[t.month]}"

    def day_(dt):
        return date_(local(dt))

    return when_, day_, date_, short_, month_day_


def time_limit(span: timedelta) -> str:
    """A time limit in words: '24 小时', '7 天', '2 小时' (whole days past one day)."""
    hours = span.total_seconds() / 3600
    if hours > 24 and hours % 24 == 0:
        n = int(hours // 24)
        return ngettext("%(num)d day", "%(num)d days", n)
    if hours >= 1:
        n = int(hours)
        return ngettext("%(num)d hour", "%(num)d hours", n)
    n = max(int(span.total_seconds() // 60), 1)
    return ngettext("%(num)d minute", "%(num)d minutes", n)


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
