"""What every page shares: the language, the navigation by role, dates and masked phones."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, g, has_request_context, request, url_for
from flask_babel import format_datetime, get_locale, get_timezone
from flask_login import current_user
from markupsafe import Markup

from coordinator import access
from coordinator.categories import category_label
from coordinator.i18n import gettext, ngettext, template_gettext, template_ngettext
from coordinator.i18n import lazy_gettext as _l

# The role's places: (endpoint, label, icon, roles, in the bottom bar). The bar shows at most
# five; the home page lists them all. Entries whose endpoint is not registered are skipped.
NAV = [
    ("core.home", _l("Home"), "⌂", access.SIGNED_IN, True),
    ("cases.board", _l("Cases"), "☰", access.OFFICE, True),
    ("cases.my_jobs", _l("My jobs"), "✓", access.TEAM_SIDE, True),
    ("events.index", _l("Events"), "◷", access.SIGNED_IN, True),
    ("events.my_hours", _l("My hours"), "◔", {access.VOLUNTEER}, True),
    ("cases.report", _l("Report a problem"), "✎", {access.RESIDENT, access.VOLUNTEER}, True),
    ("teams.index", _l("Teams"), "⚒", access.OFFICE | access.TEAM_SIDE, True),
    ("places.index", _l("Places"), "▣", access.OFFICE, True),
    ("auth.users", _l("People"), "☺", access.OFFICE, False),
    ("events.records", _l("Volunteer service records"), "▤", access.OFFICE, False),
    ("notifications.outbox", _l("Messages sent"), "✉", {access.ADMIN}, False),
]


def nav_items(bar: bool = True):
    """The signed-in user's places: the bottom bar's (bar=True) or all of them."""
    if not current_user.is_authenticated:
        return []
    here = request.endpoint or ""
    items = [dict(item) for item in _role_places(current_user.role, bar)]
    # The current place: its own entry, else the first entry of the same domain.
    current = next((i for i in items if i["endpoint"] == here), None) or next(
        (i for i in items if i["endpoint"].split(".")[0] == here.split(".")[0]), None)
    if current:
        current["active"] = True
    return items


def _role_places(role: str, bar: bool) -> list[dict]:
    """A role's entries of NAV with their addresses: the same for every request of the app
    (behind one prefix), so worked out once per app rather than on every page."""
    key = (role, bar, request.script_root)
    known = current_app.extensions.setdefault("nav", {})
    if key not in known:
        views = current_app.view_functions
        items = [{"url": url_for(endpoint), "label": label, "icon": icon,
                  "endpoint": endpoint, "active": False}
                 for endpoint, label, icon, roles, in_bar in NAV
                 if (in_bar or not bar) and endpoint in views and role in roles]
        known[key] = items[:5] if bar else items
    return known[key]


def select_locale():
    """Signed-in users keep their choice; others by cookie; Chinese unless asked otherwise."""
    if not has_request_context():  # CLI, workers, tests of services: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get("lang")
    if cookie in languages:
        return cookie
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def html_lang() -> str:
    return "zh-CN" if str(get_locale()).startswith("zh") else "en"


def mask_phone(number: str | None) -> str:
    """138****1234: enough to recognise a number, not enough to call it."""
    if not number:
        return ""
    digits = str(number)
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


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
        return (lambda dt: format_datetime(dt, "d MMM yyyy HH:mm"),
                lambda dt: format_datetime(dt, "d MMM yyyy"))
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


def status_badge(label: str, tone: str) -> Markup:
    """A coloured badge that always carries its word (colour is never the only signal)."""
    return Markup('<span class="badge badge-{}">{}</span>').format(tone, label)


def input_attrs(field, attrs: dict, hint=None) -> dict:
    """Attributes that tie an input to its error or hint for screen readers."""
    out = dict(attrs)
    if field.errors:
        out["aria-invalid"] = "true"
        out["aria-describedby"] = f"err-{field.id}"
    elif hint or field.description:
        out["aria-describedby"] = f"hint-{field.id}"
    return out


def init_app(app):
    # Templates translate through the cached catalog (replaces Jinja's i18n callables).
    app.jinja_env.install_gettext_callables(template_gettext, template_ngettext, newstyle=True)
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext,
                                 ngettext=template_ngettext)

    @app.context_processor
    def macros():
        # Shared macros as a global: a block rendered alone (an htmx fragment) cannot see
        # a template's top-level imports.
        return {"ui": app.jinja_env.get_template("_macros.html").module}

    app.jinja_env.filters.update(
        mask_phone=mask_phone, when=when, day=day, due_in=due_in
    )
    app.jinja_env.globals.update(nav_items=nav_items, html_lang=html_lang, badge=status_badge,
                                input_attrs=input_attrs, roles=access.ROLES,
                                has_endpoint=lambda name: name in app.view_functions,
                                category_label=category_label)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
