"""The dispatch board's read side: one statement per role and filter shape, plain rows.

At a million cases the board's cost was hardly the database (every query is an index walk)
but Python: building the query anew, loading ORM instances with their places, and per-row
formatting. Here each statement is built once per process for its shape (which role, which
filters are in use, which section) with every value a named parameter, run straight on the
connection (paging.read_rows), and each row becomes a small object with its words ready.
Figures: bench/README.md.
"""

from datetime import datetime, time, timedelta
from functools import cache
from operator import attrgetter
from types import SimpleNamespace

from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy import and_, bindparam, false, literal, or_, select, text, union_all

from coordinator import access
from coordinator.cases import workflow
from coordinator.cases.forms import _id as picker_id  # '' → None, not a number → -1
from coordinator.cases.models import CHANNELS, ON_THE_CLOCK_SQL, OPEN_SQL, TIER_SHORT, Case
from coordinator.categories import CATEGORIES, category_labels
from coordinator.forms import MOBILE, date_arg
from coordinator.i18n import gettext, per_language, translated
from coordinator.i18n import lazy_gettext as _l
from coordinator.paging import Page, read_rows
from coordinator.places.models import Building, Community, Compound, Entrance
from coordinator.teams.models import Team
from coordinator.ui import status_badge

FILTERS = ("community", "category", "team", "channel")


def search_kind(q: str) -> str:
    """Which condition the search box means (see _search): each kind is its own statement."""
    if not q:
        return ""
    digits = q.lstrip("#")
    if q.startswith("#") and digits.isascii() and digits.isdigit():  # '²'.isdigit() is True
        return "id" if len(digits) < 10 else "none"
    if MOBILE.match(q):
        return "phone"
    if q.isascii() and q.isdigit():
        return "number" if len(q) < 10 else "ticket"
    return "words"


def _search(kind: str):
    """#123 → that case; a mobile number → the reporter's phone; digits → a case number or a
    12345 ticket; words → the reporter's name or ticket, or the description of cases logged in
    the last CASE_SEARCH_DAYS days (a substring search cannot use an index, so it is bounded)."""
    q = bindparam("q")
    if kind == "id":
        return Case.id == bindparam("q_id")
    if kind == "none":
        return false()
    if kind == "phone":
        return Case.reporter_phone == q
    if kind == "number":
        return or_(Case.id == bindparam("q_id"), Case.hotline_ticket == q)
    if kind == "ticket":
        return Case.hotline_ticket == q
    return or_(
        Case.reporter_name == q,
        Case.hotline_ticket == q,
        and_(Case.created_at >= bindparam("q_since"), Case.description.like(bindparam("q_like"))),
    )


def _scoped(stmt, role: str):
    """services.scoped for a role: its statement serves every actor of the role, whose
    community or team comes as a parameter (actor_community, actor_team) when it runs."""
    from coordinator.cases.services import scoped  # services reads the board through here

    return scoped(stmt, SimpleNamespace(role=role, community_id=None, team_id=None))


COLUMNS = (
    "id",
    "category",
    "tier",
    "channel",
    "description",
    "status",
    "due_at",
    "created_at",
    "floor",
    "household",
    "team_id",
    "community_id",
    "compound_id",
    "building_id",
    "entrance_id",
)


@cache  # one per role × section × search kind × filters in use: built once each
def statement(
    role: str,
    section: str,
    search: str = "",
    filters: frozenset = frozenset(),
    status: str = "",
    since: bool = False,
    until: bool = False,
    skip_pinned: bool = False,
):
    """The board's statement for one shape. section: "new" / "overdue" (the pinned lists of
    page one) or "list" (the paged list). Everything a row shows comes in the same query."""
    stmt = _scoped(select(*(getattr(Case, name) for name in COLUMNS)), role)
    # Literal SQL for the open and on-the-clock sets, so the partial indexes serve them
    # (models.OPEN_SQL).
    overdue = (text("cases." + ON_THE_CLOCK_SQL), Case.due_at < bindparam("now"))
    if section == "pinned":  # both pinned lists of page one in one statement, each its part
        return union_all(
            _named(
                stmt.where(Case.status == workflow.RECEIVED), [("created_at", True)], section="new"
            ),
            _named(stmt.where(*overdue), [("due_at", False)], section="overdue"),
        )
    if search:
        stmt = stmt.where(_search(search))
    for key, column in (
        ("community", Case.community_id),
        ("category", Case.category),
        ("team", Case.team_id),
        ("channel", Case.channel),
    ):
        if key in filters:
            stmt = stmt.where(column == bindparam(key))
    if status == "overdue":
        stmt = stmt.where(*overdue)
    elif status == "":
        stmt = stmt.where(text("cases." + OPEN_SQL))
    elif status != "all":
        stmt = stmt.where(Case.status == bindparam("status"))
    if since:
        stmt = stmt.where(Case.created_at >= bindparam("since"))
    if until:
        stmt = stmt.where(Case.created_at < bindparam("until"))
    if skip_pinned:
        stmt = stmt.where(Case.id.not_in(bindparam("pinned", expanding=True)))
    order = (
        [("due_at", False), ("id", False)]
        if status == "overdue"
        else [("created_at", True), ("id", True)]
    )
    return _named(stmt, order)


def _named(stmt, order: list[tuple[str, bool]], section: str = ""):
    """The page's cases first (an index walk over cases alone), then the names of their team
    and places, looked up for those rows only. Joining the five small tables instead cost
    PostgreSQL 5 ms of planning per query at a million cases; these subqueries, 0.2 ms.
    A section (a part of the pinned statement) is tagged with its name, sorted by read()."""

    def sort(columns):
        return [columns[name].desc() if desc else columns[name] for name, desc in order]

    stmt = stmt.order_by(*sort(Case.__table__.c))
    if section:
        page = stmt.limit(bindparam("pinned_limit")).subquery(f"pinned_{section}")
    else:
        page = stmt.limit(bindparam("limit")).offset(bindparam("offset")).subquery("page")

    def name_of(model, key):
        return select(model.name).where(model.id == page.c[key]).scalar_subquery()

    columns = [
        *(page.c[name] for name in COLUMNS[:10]),
        name_of(Team, "team_id").label("team_name"),
        name_of(Community, "community_id").label("community_name"),
        name_of(Compound, "compound_id").label("compound_name"),
        name_of(Building, "building_id").label("building_name"),
        name_of(Entrance, "entrance_id").label("entrance_name"),
    ]
    if section:
        return select(*columns, literal(section).label("section"))
    return select(*columns).order_by(*sort(page.c))


class BoardRow:
    """A row of the board: plain values and the words it shows, no ORM object behind it."""

    __slots__ = (
        "id",
        "category",
        "tier",
        "channel",
        "description",
        "status",
        "due_at",
        "created_at",
        "team_name",
        "place",
        "overdue",
        "on_the_clock",
    )

    def __init__(self, row, now: datetime, floor_word):
        (
            self.id,
            self.category,
            self.tier,
            self.channel,
            self.description,
            self.status,
            self.due_at,
            self.created_at,
            floor,
            household,
            self.team_name,
        ) = row[:11]
        self.on_the_clock = self.status in workflow.ON_THE_CLOCK and self.due_at is not None
        self.overdue = self.on_the_clock and self.due_at < now
        # 红联北村 3号楼 2单元 1层 101: as precise as the case knows (as Case.place).
        parts = [name for name in row[12:15] if name is not None]
        if not parts and row[11] is not None:
            parts.append(row[11])
        if floor is not None:
            parts.append(floor_word % {"n": floor})
        if household:
            parts.append(household)
        self.place = " ".join(parts)


@per_language
def labels() -> dict:
    """The words every row looks up, in the reader's language: worked out once per language
    and process, as ready markup (escaped here, once: the board's rows are written with as
    few escapes as they need, see templates/cases/board.html)."""
    statuses = {code: str(label) for code, (label, _tone) in workflow.STATUSES.items()}
    return {
        "categories": {code: escape(label) for code, label in category_labels().items()},
        "channels": {code: escape(label) for code, label in translated(CHANNELS).items()},
        "badges": {
            code: status_badge(statuses[code], tone)
            for code, (_label, tone) in workflow.STATUSES.items()
        },
        "late_badges": {code: status_badge(statuses[code], "red") for code in workflow.STATUSES},
        "emergency": status_badge(translated(TIER_SHORT)["emergency"], "red"),
    }


def read(actor, filters: dict, page: int, per_page: int, now: datetime) -> dict:
    """The board's data: pinned new and overdue cases (first page, no filters) and one page
    of the cases matching the filters. A fixed number of statements, whatever the data."""
    params = {
        "actor_community": actor.community_id,
        "actor_team": actor.team_id,
        "now": now,
        "pinned_limit": per_page,
    }
    floor_word = gettext("floor %(n)d")
    pinned = {"new": [], "overdue": []}
    first_page = page == 1 and not any(filters.values())
    if first_page:
        for r in read_rows(statement(actor.role, "pinned"), params):
            pinned[r.section].append(BoardRow(r, now, floor_word))
        # A union keeps no order: newest first, and earliest deadline first.
        pinned["new"].sort(key=attrgetter("created_at"), reverse=True)
        pinned["overdue"].sort(key=attrgetter("due_at"))
    q = filters.get("q") or ""
    search = search_kind(q)
    if search:
        params["q"] = q
        if search in ("id", "number"):
            params["q_id"] = int(q.lstrip("#"))
        if search == "words":
            params["q_since"] = now - timedelta(days=current_app.config.get("CASE_SEARCH_DAYS", 90))
            params["q_like"] = f"%{q}%"
    used = frozenset(key for key in FILTERS if filters.get(key))
    for key in used:
        params[key] = filters[key]
    status = filters.get("status") or ""
    if status not in ("", "overdue", "all"):
        params["status"] = status
    if filters.get("since"):
        params["since"] = datetime.combine(filters["since"], time())
    if filters.get("until"):
        params["until"] = datetime.combine(filters["until"], time()) + timedelta(days=1)
    shown = [row.id for row in pinned["new"] + pinned["overdue"]]
    if shown:
        params["pinned"] = shown
    params.update(limit=per_page + 1, offset=(page - 1) * per_page)
    stmt = statement(
        actor.role,
        "list",
        search,
        used,
        status,
        bool(filters.get("since")),
        bool(filters.get("until")),
        bool(shown),
    )
    rows = [BoardRow(r, now, floor_word) for r in read_rows(stmt, params)]
    return {
        "pinned": pinned,
        "page": Page(rows[:per_page], page, per_page, len(rows) > per_page),
        "now": now,
    }


# ---------------------------------------------------------------- the filters

SEARCH_MAX = 60
STATUS_CHOICES = {
    "": _l("All open"),
    "overdue": _l("Overdue"),
    "all": _l("All"),
    **{code: label for code, (label, _tone) in workflow.STATUSES.items()},
}
FILTER_LABELS = {
    "q": _l("Search"),
    "status": _l("Status"),
    "community": _l("Community"),
    "category": _l("Category"),
    "team": _l("Team"),
    "channel": _l("Channel"),
    "since": _l("From"),
    "until": _l("To"),
}


def _choice(value: str | None, known) -> str | None:
    """A drop-down's value if it is one of its choices (blank counts as none chosen)."""
    if value is None:
        return None
    return value if value in known or not value.strip() else None


def parse_filters(args) -> tuple[dict, dict]:
    """The board's filters from the query string: (values to filter by, text to show back in
    the form). A value that is not one of a drop-down's choices, a search longer than 60
    characters or a date that is not one is ignored, never an error page; what was typed
    stays in the form."""
    q = args.get("q")
    q = q.strip() if q is not None else None
    values = {
        "q": q if q is None or len(q) <= SEARCH_MAX else None,
        "community": picker_id(args.get("community")),
        "category": _choice(args.get("category"), CATEGORIES),
        "status": _choice(args.get("status"), STATUS_CHOICES),
        "team": picker_id(args.get("team")),
        "channel": _choice(args.get("channel"), CHANNELS),
        "since": date_arg(args.getlist("since")),
        "until": date_arg(args.getlist("until")),
    }
    shown = {
        "q": q or "",
        "since": " ".join(args.getlist("since")) or "",
        "until": " ".join(args.getlist("until")) or "",
    }
    return values, shown


@cache
def _choices_statement(role: str):
    """The community and team filters' choices in one statement: the communities the reader
    may see (places.services.community_choices) and the teams (teams.services.team_choices),
    each by name."""
    from coordinator.teams.services import scoped as teams_in_view

    communities = select(literal("community").label("kind"), Community.id, Community.name)
    if role != access.ADMIN:
        communities = communities.where(Community.id == bindparam("actor_community"))
    teams = teams_in_view(
        select(literal("team").label("kind"), Team.id, Team.name),
        SimpleNamespace(role=role, community_id=None, team_id=None),
    )
    both = union_all(communities, teams).subquery("choices")
    return select(both.c.kind, both.c.id, both.c.name).order_by(both.c.kind, both.c.name)


def choices(actor) -> tuple[list, list]:
    """(communities, teams) the reader may filter by, as (id, name)."""
    found = {"community": [], "team": []}
    for row in read_rows(
        _choices_statement(actor.role),
        {"actor_community": actor.community_id, "actor_team": actor.team_id},
    ):
        found[row.kind].append((row.id, row.name))
    return found["community"], found["team"]


def filter_options(values: dict, args, communities, teams) -> dict:
    """The drop-downs' <option>s as markup, labels translated and escaped once per language.
    Written here rather than by WTForms' widgets or a template loop: those cost more than the
    board's rows."""
    fixed = _fixed_options()
    choices = {
        "status": fixed["status"],
        "community": [
            ("", escape(gettext("All communities"))),
            *((str(value), escape(label)) for value, label in communities),
        ],
        "category": fixed["category"],
        "team": [
            ("", escape(gettext("All teams"))),
            *((str(value), escape(label)) for value, label in teams),
        ],
        "channel": fixed["channel"],
    }
    options = {}
    for name, rows in choices.items():
        current = values[name] if name in ("community", "team") else args.get(name)
        current = "" if current is None else str(current)
        options[name] = Markup(
            "".join(
                f'<option value="{value}" selected>{label}</option>'
                if value == current
                else f'<option value="{value}">{label}</option>'
                for value, label in rows
            )
        )
    return options


@per_language
def _fixed_options() -> dict:
    """The drop-downs whose choices are the code's own: (value, escaped label), per language."""
    return {
        "status": [(value, escape(label)) for value, label in translated(STATUS_CHOICES).items()],
        "category": [
            ("", escape(gettext("All categories"))),
            *((code, escape(label)) for code, label in category_labels().items()),
        ],
        "channel": [
            ("", escape(gettext("All channels"))),
            *((code, escape(label)) for code, label in translated(CHANNELS).items()),
        ],
    }
