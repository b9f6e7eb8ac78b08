"""An event as a text for a residents' or volunteers' WeChat group: what, when (in the reader's
date style, with the weekday), where to meet, what to bring, which roles still have room, and
the sign-up link. In the reader's language (the office's Chinese)."""

from babel.dates import format_date
from flask_babel import get_locale

from coordinator.events.models import Event
from coordinator.i18n import calendar_day, short_when, to_local
from coordinator.i18n import gettext as _


def time_span(event: Event) -> str:
    """ "2026年12月8日 周二 09:00–12:00"; over two days, both ends in full."""
    start, end = to_local(event.starts_at), to_local(event.ends_at)
    weekday = format_date(start.date(), "EEE", locale=str(get_locale() or "zh"))
    if start.date() == end.date():
        return f"{calendar_day(start.date())} {weekday} {start:%H:%M}–{end:%H:%M}"
    return f"{calendar_day(start.date())} {weekday} {start:%H:%M} – {short_when(event.ends_at)}"


def share_text(event: Event, sign_up_url: str) -> str:
    """The lines of the text, one fact a line (WeChat keeps line breaks)."""
    free = [r for r in event.roles if r.free]
    lines = [
        _("[Volunteers wanted] %(title)s", title=event.title),
        _("When: %(span)s", span=time_span(event)),
        _("Where to meet: %(place)s", place=event.place),
    ]
    if event.bring:
        lines.append(_("Please bring: %(what)s", what=event.bring))
    if free:
        roles = _("; ").join(_("%(role)s: %(n)d places free", role=r.name, n=r.free) for r in free)
        lines.append(_("Still needed: %(roles)s", roles=roles))
    else:
        lines.append(_("All places are taken; you can still join the waitlist."))
    lines.append(_("Sign up: %(url)s", url=sign_up_url))
    return "\n".join(lines)
