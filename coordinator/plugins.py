"""What a domain offers to the pages every domain shares, without those pages importing it.

The navigation, the home page and a team's page are made of what the installed domains offer
(indico's menu signals, as a plain registry). Each domain says what it offers in its own
`<domain>/offers.py`, called from its init_app, so a domain that is not installed offers
nothing, and core/ and ui.py name no domain:

    from coordinator import plugins

    def register(app):  # coordinator/<domain>/offers.py
        plugins.offer_nav(app, "cases.board", _l("Cases"), "☰", access.OFFICE, order=20)
        plugins.offer_home_numbers(app, home_numbers, order=10)   # home_numbers(user) → stats
        plugins.offer_home_area(app, area_name, order=10)         # area_name(user) → str | None
        plugins.offer_team_record(app, "cases/_team_record.html", team_record)  # (team_id) → dict
        plugins.offer_language_keeper(app, keep_language)         # (user, lang) → None
        plugins.offer_periodic(app, "plans", run_due, every_seconds)  # () → str, in the worker

Orders of the navigation today (the bottom bar shows five: a role with more places has its
first four in-bar places there and "more" opening the rest, ui.nav_bar): home 10,
cases board 20, my jobs 30, events 40, patrols 42, dashboard 45, hot spots 45, campaigns 46,
plans 47, weather warnings 48, my hours 50, report 60, teams 70, places 80, people 90, service
records 100, Open311 keys 105, outbox 110. Home numbers: cases 10, patrols 12, dashboard 15,
events 20. The words under the greeting: the team's name (teams, 10), else the community's
(places, 20).

create_app() calls each installed domain's `offers.register(app)` after its init_app.
"""

from dataclasses import dataclass, field

from flask import current_app

from coordinator.extensions import db
from coordinator.i18n import utcnow


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: object  # a lazy string: worded in the reader's language when shown
    icon: str
    roles: frozenset
    in_bar: bool = True  # False: only on the home page's list of places
    order: int = 50


@dataclass(frozen=True)
class TeamRecord:
    template: str  # included with `record` = what build(team_id) returned
    build: object
    order: int = 50


@dataclass(frozen=True)
class Periodic:
    name: str
    run: object  # () → a line for the log; runs in an app context of the delivery worker
    every: float  # seconds (0: never)


@dataclass
class Offers:
    nav: list = field(default_factory=list)
    home_numbers: list = field(default_factory=list)  # (order, build)
    home_area: list = field(default_factory=list)
    team_records: list = field(default_factory=list)
    language_keepers: list = field(default_factory=list)
    periodic: list = field(default_factory=list)


def _offers(app=None) -> Offers:
    app = app or current_app
    offers = app.extensions.get("offers")
    if offers is None:
        offers = app.extensions["offers"] = Offers()
    return offers


# ---------------------------------------------------------------- offering (init_app)


def offer_nav(app, endpoint, label, icon, roles, *, in_bar=True, order=50) -> None:
    """A place in the navigation, for the roles named (skipped if the endpoint is missing)."""
    nav = _offers(app).nav
    nav.append(NavEntry(endpoint, label, icon, frozenset(roles), in_bar, order))
    nav.sort(key=lambda entry: entry.order)


def offer_home_numbers(app, build, *, order=50) -> None:
    """build(user, now) → the home page's numbers for that user (a list of `stat(...)`, or [])."""
    numbers = _offers(app).home_numbers
    numbers.append((order, build))
    numbers.sort(key=lambda offer: offer[0])


def offer_home_area(app, build, *, order=50) -> None:
    """build(user) → the words under the greeting (a team's or a community's name), or None
    when it has none for that user: the first offer that has words wins."""
    areas = _offers(app).home_area
    areas.append((order, build))
    areas.sort(key=lambda offer: offer[0])


def offer_team_record(app, template, build, *, order=50) -> None:
    """A section of a team's page: build(team_id) → its facts, shown by template."""
    records = _offers(app).team_records
    records.append(TeamRecord(template, build, order))
    records.sort(key=lambda record: record.order)


def offer_language_keeper(app, keep) -> None:
    """keep(user, lang): remember a signed-in user's choice of language."""
    _offers(app).language_keepers.append(keep)


def offer_periodic(app, name, run, every_seconds: float) -> None:
    """A job the delivery worker (`flask notifications worker`) runs every so many seconds
    besides the outbox: plans' due work. A failure is logged and tried again next time."""
    _offers(app).periodic.append(Periodic(name, run, float(every_seconds or 0)))


def periodic_jobs(app) -> list[Periodic]:
    return [job for job in _offers(app).periodic if job.every > 0]


# ---------------------------------------------------------------- reading (requests)


def nav_entries() -> list[NavEntry]:
    return _offers().nav


def stat(number, label, url: str, tone: str = "") -> dict:
    """One number on the home page: a link to the list behind it; coloured only when not 0."""
    return {"number": number or 0, "label": label, "url": url, "tone": tone if number else ""}


def count(stmt) -> int:
    """A home number's count (or sum) statement run: 0 when there is nothing to count."""
    return db.session.scalar(stmt) or 0


def home_numbers(user) -> list[dict]:
    now = utcnow()
    return [item for _order, build in _offers().home_numbers for item in build(user, now)]


def home_area(user) -> str:
    for _order, build in _offers().home_area:
        found = build(user)
        if found is not None:
            return found
    return ""


def team_records(team_id: int) -> list[dict]:
    """[{"template", "record"}] for a team's page, in order."""
    return [
        {"template": offer.template, "record": offer.build(team_id)}
        for offer in _offers().team_records
    ]


def keep_language(user, lang: str) -> None:
    for keep in _offers().language_keepers:
        keep(user, lang)
