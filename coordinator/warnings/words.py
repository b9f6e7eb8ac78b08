"""What a warning says on the screens: its name ("大风黄色预警"), its badge in the level's own
colour (the board, the case and job pages), and the text for residents' WeChat groups."""

import re

from flask_babel import get_locale
from markupsafe import Markup

from coordinator.i18n import gettext as _
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import per_language, to_local
from coordinator.warnings.models import KINDS, LEVELS

# What residents can do before each kind (DOMAIN.md: the typical work before one).
ADVICE = {
    "wind": _l(
        "Do not park or stand under big trees or billboards; bring in flowerpots and washing "
        "from balconies and close doors and windows."
    ),
    "rainstorm": _l(
        "Avoid basements, underpasses and low ground; do not park there; keep away from "
        "manholes and fallen wires, and move goods out of basements."
    ),
    "snow": _l(
        "Go out less and walk carefully; clear the snow in front of your door; do not park "
        "under trees or weak sheds."
    ),
    "cold_wave": _l(
        "Keep warm and check the heating; use coal and gas stoves safely (carbon monoxide); "
        "look in on elderly neighbours who live alone."
    ),
    "heat": _l(
        "Avoid going out at midday; drink water and keep cool; look in on elderly neighbours "
        "who live alone; do not overload wiring with air conditioners."
    ),
    "icy_roads": _l(
        "Walk and ride slowly, wear shoes that do not slip; older people should go out less."
    ),
    "fog": _l("Drive slowly with lights on; people with breathing problems should stay in."),
    "sandstorm": _l(
        "Close doors and windows, go out less and wear a mask; secure loose objects on balconies."
    ),
    "lightning": _l(
        "Stay indoors, keep away from trees, poles and open ground; unplug appliances."
    ),
    "hail": _l("Stay indoors, park under cover, and keep away from windows."),
}
# What to report to the community (the hazard the work of each kind looks for).
HAZARDS = {
    "wind": _l("broken branches or loose objects"),
    "rainstorm": _l("blocked drains or water getting in"),
    "snow": _l("icy paths or sheds under heavy snow"),
    "cold_wave": _l("a neighbour living alone who needs help, or a burst pipe"),
    "heat": _l("a neighbour living alone who needs help"),
    "icy_roads": _l("icy paths"),
    "fog": _l("broken street lights"),
    "sandstorm": _l("loose objects or boards"),
    "lightning": _l("fallen wires"),
    "hail": _l("broken windows or damaged sheds"),
}
_FORECAST = re.compile(r"(?:将出现|将有|可能出现|出现)([^。；！]{2,80})")


def name(kind: str, level: str) -> str:
    """大风黄色预警 / Yellow wind warning."""
    return _(
        "%(level)s %(kind)s warning",
        kind=str(KINDS.get(kind, kind)),
        level=str(LEVELS.get(level, level)),
    )


def badge_markup(kind: str, level: str) -> Markup:
    tone = level if level in LEVELS else "blue"
    return Markup('<span class="badge warning-badge warning-{}">{}</span>').format(
        tone, name(kind, level)
    )


@per_language
def badges() -> dict[str, Markup]:
    """Every kind × level's badge, keyed "kind:level" (the board's rows look theirs up)."""
    return {f"{k}:{lv}": badge_markup(k, lv) for k in KINDS for lv in LEVELS}


def badge(warning) -> Markup:
    return badges().get(f"{warning.kind}:{warning.level}") or badge_markup(
        warning.kind, warning.level
    )


def valid_span(warning) -> str:
    """12月2日14时至3日20时 (Beijing time; the month and the day only when they change)."""
    start, end = to_local(warning.valid_from), to_local(warning.valid_to)
    if not str(get_locale() or "").startswith("zh"):
        return f"{start:%d %b %H:%M} – {end:%d %b %H:%M}"

    def hour(t):
        return f"{t.hour}时" + (f"{t.minute:02d}分" if t.minute else "")

    first = f"{start.month}月{start.day}日{hour(start)}"
    if (end.year, end.month) != (start.year, start.month):
        last = f"{end.month}月{end.day}日{hour(end)}"
    elif end.day != start.day:
        last = f"{end.day}日{hour(end)}"
    else:
        last = hour(end)
    return f"{first}至{last}"


def forecast(warning) -> str:
    """What the published text says will happen ("5级左右偏北风，阵风可达8级"), if it says."""
    found = _FORECAST.search(warning.text or "")
    return found.group(1).strip("，, …") if found else ""


def wechat_text(warning, office_name: str, office_phone: str, subdistrict: bool = False) -> str:
    """The text for residents' WeChat groups: the warning, its times, what it brings, what to
    do, whom to call (the community's office, or the subdistrict's when an admin writes it).
    In the reader's language (the office's Chinese)."""
    title = name(warning.kind, warning.level)
    said = forecast(warning)
    headline = (
        _(
            "The weather service has issued a %(name)s: %(span)s, %(forecast)s.",
            name=title,
            span=valid_span(warning),
            forecast=said,
        )
        if said
        else _(
            "The weather service has issued a %(name)s, valid %(span)s.",
            name=title,
            span=valid_span(warning),
        )
    )
    parts = [f"【{title}】", headline, str(ADVICE.get(warning.kind, ""))]
    hazard = HAZARDS.get(warning.kind)
    if hazard and office_phone:
        words = {"hazard": str(hazard), "phone": office_phone}
        parts.append(
            _("If you see %(hazard)s, call the subdistrict on %(phone)s.", **words)
            if subdistrict
            else _("If you see %(hazard)s, call the community on %(phone)s.", **words)
        )
    text = "".join(parts) if _chinese() else " ".join(parts)
    return f"{text}——{office_name}" if office_name else text


def _chinese() -> bool:
    return str(get_locale() or "").startswith("zh")


def case_badge(case) -> Markup:
    """The badge of the warning a case is the work of (its campaign's), or nothing; the case
    pages load the campaign and its warning with the case (cases.queries.with_page)."""
    campaign = case.campaign if case.campaign_id else None
    warning = campaign.warning if campaign is not None and campaign.warning_id else None
    return badge(warning) if warning is not None else Markup("")
