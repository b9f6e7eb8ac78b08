"""What every page shares: the language, the navigation by role (the places the domains
offer, coordinator/plugins.py), dates and masked phones."""

from flask import current_app, g, has_request_context, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from coordinator import access, plugins
from coordinator.categories import category_label
from coordinator.i18n import (
    calendar_day,
    due_in,
    month_day,
    template_catalog,
    template_day,
    template_gettext,
    template_ngettext,
    template_when,
    time_limit,
)


def nav_items():
    """All the signed-in user's places (the home page's list; the bar is nav_bar's)."""
    if not current_user.is_authenticated:
        return []
    return _marked(_role_places(current_user.role))


def _marked(places: list[dict]) -> list[dict]:
    """The places with the current one marked: its own entry, else the first entry of the
    same domain."""
    here = request.endpoint or ""
    items = [dict(item) for item in places]
    current = next((i for i in items if i["endpoint"] == here), None) or next(
        (i for i in items if i["endpoint"].split(".")[0] == here.split(".")[0]), None
    )
    if current:
        current["active"] = True
    return items


# How many places the bar holds: five fit a 390 px phone at 78 px each (the longest label four
# characters). A role with more has its first four there and a fifth, "more", which opens the
# rest (a <details>: no script needed). A wide screen (the bar on top) has room for every place
# offered for the bar; only the others stay behind "more" there.
BAR_SLOTS = 5


def nav_bar() -> dict:
    """The bar of the signed-in user: {"main": places in the bar, "wide": the bar's places that
    only a wide screen shows in the bar (a phone finds them under "more"), "more": the rest,
    opened by the bar's last item, "more_class": the current page is one of the rest (on a wide
    screen: "current" is one of those not in its bar, "narrow-current" one that is),
    "more_wide": "more" still has something on a wide screen}."""
    if not current_user.is_authenticated:
        return {"main": [], "wide": [], "more": [], "more_class": "", "more_wide": False}
    places = _marked(_role_places(current_user.role))
    in_bar = [p for p in places if p["in_bar"]]
    if len(places) <= BAR_SLOTS:
        main, more = places, []
    else:
        main = in_bar[: BAR_SLOTS - 1]
        more = [p for p in places if p not in main]
    wide = [p for p in more if p["in_bar"]]
    return {
        "main": main,
        "wide": wide,
        "more": more,
        "more_class": (
            "current"
            if any(p["active"] and not p["in_bar"] for p in more)
            else "narrow-current"
            if any(p["active"] for p in more)
            else ""
        ),
        "more_wide": any(not p["in_bar"] for p in more),
    }


def _role_places(role: str) -> list[dict]:
    """A role's places, as the domains offer them (plugins.offer_nav), with their addresses:
    the same for every request of the app (behind one prefix), so worked out once per app
    rather than on every page. Entries whose endpoint is not registered are skipped."""
    key = (role, request.script_root)
    known = current_app.extensions.setdefault("nav", {})
    if key not in known:
        views = current_app.view_functions
        items = [
            {
                "url": url_for(entry.endpoint),
                "label": entry.label,
                "icon": entry.icon,
                "endpoint": entry.endpoint,
                "in_bar": entry.in_bar,
                "active": False,
            }
            for entry in plugins.nav_entries()
            if entry.endpoint in views and role in entry.roles
        ]
        known[key] = items
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


def status_badge(label: str, tone: str) -> Markup:
    """A coloured badge that always carries its word (colour is never the only signal)."""
    return Markup('<span class="badge badge-{}">{}</span>').format(tone, label)


def first_error() -> bool:
    """True once a request, for the first field drawn with an error (the field macro):
    that field gets `autofocus`, so a form sent back lands at its first error, with or
    without JavaScript (the browser focuses and scrolls to it on load; htmx focuses
    [autofocus] in what it swaps in, and static/js/app.js centres it)."""
    if not has_request_context() or g.get("_first_error_shown"):
        return False
    g._first_error_shown = True
    return True


def input_attrs(field, attrs: dict, hint=None) -> dict:
    """Attributes that tie an input to its error or hint for screen readers."""
    out = dict(attrs)
    if field.errors:
        out["aria-invalid"] = "true"
        out["aria-describedby"] = f"err-{field.id}"
        if first_error():
            out["autofocus"] = True
    elif hint or field.description:
        out["aria-describedby"] = f"hint-{field.id}"
    return out


def init_app(app):
    # Templates translate through the cached catalog (replaces Jinja's i18n callables).
    app.jinja_env.install_gettext_callables(template_gettext, template_ngettext, newstyle=True)
    app.jinja_env.globals.update(
        _=template_gettext, gettext=template_gettext, ngettext=template_ngettext
    )

    app.context_processor(template_catalog)

    @app.context_processor
    def macros():
        # Shared macros as a global: a block rendered alone (an htmx fragment) cannot see
        # a template's top-level imports.
        return {"ui": app.jinja_env.get_template("_macros.html").module}

    app.jinja_env.filters.update(
        mask_phone=mask_phone,
        when=template_when,
        day=template_day,
        due_in=due_in,
        time_limit=time_limit,
        calendar_day=calendar_day,  # a date without a time (a deadline, a notice date)
        month_day=month_day,
    )
    app.jinja_env.globals.update(
        nav_items=nav_items,
        nav_bar=nav_bar,
        html_lang=html_lang,
        badge=status_badge,
        input_attrs=input_attrs,
        first_error=first_error,
        roles=access.ROLES,
        has_endpoint=lambda name: name in app.view_functions,
        category_label=category_label,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
