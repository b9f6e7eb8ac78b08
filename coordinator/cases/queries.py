"""The cases' read models: the scope rule, the case page's reads, the pickers, my jobs, a team's
record and the dispatch board. Nothing here writes; the use cases are in services.py.

The board: at a million cases its cost was hardly the database (every query is an index walk)
but Python: building the query anew, loading ORM instances with their places, and per-row
formatting. So each of its statements is built once per process for its shape (which role, which
filters are in use, which section) with every value a named parameter, run straight on the
connection (paging.read_rows), and each row becomes a small object with its words ready.
Figures: bench/README.md.
"""

from datetime import datetime, time, timedelta
from functools import cache
from operator import attrgetter
from typing import NamedTuple

from flask import current_app
from sqlalchemy import and_, bindparam, exists, false, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from coordinator import access
from coordinator.campaigns.models import Campaign
from coordinator.cases import matching, records, workflow
from coordinator.cases import words as words_
from coordinator.cases.forms import _id as picker_id  # '' → None, not a number → -1
from coordinator.cases.models import (
    CHANNELS,
    TIER_SHORT,
    TIERS,
    Callback,
    Case,
    CaseEvent,
    CaseLink,
    Notice,
    Visit,
    satisfaction_rate,
)
from coordinator.cases.records import RECORD_DAYS
from coordinator.categories import CATEGORIES, category_labels
from coordinator.extensions import db
from coordinator.filters import options
from coordinator.forms import MOBILE, date_arg
from coordinator.i18n import date_writers, gettext, per_language, to_utc, translated, utcnow
from coordinator.i18n import lazy_gettext as _l
from coordinator.paging import Page, paginate, read_rows
from coordinator.places.models import Building, Community, Compound, Entrance
from coordinator.places.queries import visible as places_visible
from coordinator.teams.models import (
    Team,
    TeamMember,
    TeamSkill,
    team_communities,
    team_compounds,
)
from coordinator.teams.queries import visible as teams_visible
from coordinator.ui import status_badge
from coordinator.warnings.models import WeatherWarning
from coordinator.warnings.words import badges as warning_badges

# ---------------------------------------------------------------- scope


def visible(stmt, actor):
    """The cases' scope rule: admins see every case; staff their community's; a team side its
    own team's jobs; nobody else any.

    The actor's community or team goes in as a named parameter (access.py), so that a statement
    built once for a role (the board's) serves every actor of that role. A team side without a
    team sees nothing: its parameter is NULL, which no case's team equals.
    """
    if actor.role == access.ADMIN:
        return stmt
    if actor.role == access.STAFF:
        return stmt.where(Case.community_id == bindparam("actor_community", actor.community_id))
    if actor.role in access.TEAM_SIDE:
        return stmt.where(Case.team_id == bindparam("actor_team", actor.team_id))
    return stmt.where(false())


# ---------------------------------------------------------------- the case page


def with_page(stmt):
    """Load what a case's page (and a job's) shows with the case, in a fixed number of queries."""
    return stmt.options(
        joinedload(Case.community),
        joinedload(Case.compound),
        joinedload(Case.building),
        joinedload(Case.entrance),
        joinedload(Case.team),
        joinedload(Case.assignee),
        joinedload(Case.campaign).joinedload(Campaign.warning),
        selectinload(Case.events).joinedload(CaseEvent.actor),
        selectinload(Case.visits),
        selectinload(Case.notices),
        selectinload(Case.callbacks),
    )


def get_case(actor, case_id: int) -> Case | None:
    """A case in the actor's scope, with everything its page shows; None when out of scope."""
    return db.session.scalar(with_page(visible(select(Case).where(Case.id == case_id), actor)))


def taken_from_team(case_id: int, team_id: int | None) -> bool:
    """The office took this case from the team before it accepted (a recall, or a reassign to
    another team): the team's late press then lost a race, it is not a stranger's (a 409 that
    says who moved it, not a 404). The recall's trail line names the team it was taken from;
    a reassign's names the new team, so the one before is the send that gave it to this team."""
    if team_id is None:
        return False
    sends = db.session.execute(
        select(CaseEvent.action, CaseEvent.team_id)
        .where(CaseEvent.case_id == case_id, CaseEvent.action.in_((*workflow.SENDS, "recall")))
        .order_by(CaseEvent.id.desc())
        .limit(2)
    ).all()
    if not sends or sends[0].action not in ("recall", "reassign"):
        return False
    if sends[0].action == "recall":
        return sends[0].team_id == team_id
    return len(sends) > 1 and sends[1].team_id == team_id


def get_by_token(token: str) -> Case | None:
    """The case a resident's tracking link opens."""
    if not token or len(token) > 40:
        return None
    return db.session.scalar(with_page(select(Case).where(Case.tracking_token == token)))


def followed(case: Case) -> Case | None:
    """The case a report was joined to (a duplicate, the same root cause): its resident follows
    that one's progress on their own tracking link (services._join)."""
    return db.session.scalar(
        select(Case)
        .join(CaseLink, CaseLink.other_id == Case.id)
        .where(CaseLink.case_id == case.id, CaseLink.kind.in_(("duplicate_of", "same_root_cause")))
        .order_by(CaseLink.id)
        .limit(1)
        .options(
            joinedload(Case.compound),
            joinedload(Case.building),
            joinedload(Case.team),
            selectinload(Case.events),
        )
    )


def get_notice(actor, case_id: int, notice_id: int) -> Notice | None:
    case = get_case(actor, case_id)
    if case is None:
        return None
    return next((n for n in case.notices if n.id == notice_id), None)


def links_of(case: Case) -> list[CaseLink]:
    return list(
        db.session.scalars(
            select(CaseLink)
            .where(or_(CaseLink.case_id == case.id, CaseLink.other_id == case.id))
            .options(joinedload(CaseLink.case), joinedload(CaseLink.other))
            .order_by(CaseLink.id)
        )
    )


def photos_of(case: Case) -> list:
    """The case's photos and its visits', oldest first."""
    from coordinator.uploads.models import Photo

    visit_ids = [v.id for v in case.visits]
    cond = and_(Photo.owner_type == "case", Photo.owner_id == case.id)
    if visit_ids:
        cond = or_(cond, and_(Photo.owner_type == "case_visit", Photo.owner_id.in_(visit_ids)))
    return list(db.session.scalars(select(Photo).where(cond).order_by(Photo.id)))


def may_view_case(user, case_id: int) -> bool:
    """uploads' viewer: a case's photos are seen by those who see the case."""
    return db.session.scalar(visible(select(Case.id).where(Case.id == case_id), user)) is not None


def may_view_visit(user, visit_id: int) -> bool:
    case_id = db.session.scalar(select(Visit.case_id).where(Visit.id == visit_id))
    return case_id is not None and may_view_case(user, case_id)


# ---------------------------------------------------------------- pickers


def place_options(level: str, parent_id: int | None) -> list[tuple[int, str]]:
    """Choices for a dependent picker: compounds of a community, buildings of a compound, …"""
    if not parent_id:
        return []
    model, parent = {
        "compound": (Compound, Compound.community_id),
        "building": (Building, Building.compound_id),
        "entrance": (Entrance, Entrance.building_id),
    }[level]
    rows = db.session.execute(
        select(model.id, model.name)
        .where(parent == parent_id)
        .order_by(model.id if level != "compound" else model.name)
    )
    return [(r.id, r.name) for r in rows]


def may_take(stmt, case: Case):
    """Teams that may be sent this case: active, with the skill, covering its place (its
    compound by name, or its whole community), as matching's rule reads."""
    covers = or_(
        exists().where(
            team_communities.c.team_id == Team.id,
            team_communities.c.community_id == case.community_id,
        ),
        exists().where(
            team_compounds.c.team_id == Team.id, team_compounds.c.compound_id == case.compound_id
        ),
    )
    return stmt.where(
        Team.active,
        covers,
        exists().where(TeamSkill.team_id == Team.id, TeamSkill.skill == case.category),
    )


def team_options(case: Case) -> list[tuple[int, str]]:
    """The dispatch picker: only teams the case may be sent to (a team elsewhere is another
    committee's to send work to, so it is not offered)."""
    rows = db.session.execute(may_take(select(Team.id, Team.name), case).order_by(Team.name))
    return [(r.id, r.name) for r in rows]


def suggestions(case: Case) -> list[matching.Suggestion]:
    if case.status not in workflow.TO_DISPATCH:
        return []
    return matching.suggest(case, limit=5)


# ---------------------------------------------------------------- field work


def my_jobs(actor, page: int, per_page: int) -> Page:
    """The team's open jobs: those its lead gave to me first, then most urgent first
    (overdue/soonest deadline), then newest. Each with the member who has it."""
    mine = (
        select(TeamMember.id)
        .where(TeamMember.id == Case.assignee_id, TeamMember.user_id == actor.id)
        .exists()
    )
    stmt = (
        visible(select(Case), actor)
        .where(Case.status.in_(workflow.TEAM_LOAD | {workflow.HANDLED}))
        .options(
            joinedload(Case.compound),
            joinedload(Case.building),
            joinedload(Case.entrance),
            joinedload(Case.community),
            joinedload(Case.assignee),
            joinedload(Case.campaign).joinedload(Campaign.warning),
        )
        .order_by(
            ~mine,
            Case.due_at.is_(None),
            Case.due_at,
            Case.dispatched_at.desc(),
            Case.id.desc(),
        )
    )
    return paginate(stmt, page, per_page)


def team_members(team_id: int | None) -> list[tuple[int, str]]:
    """The members a lead can give a job to: (id, name), the lead first."""
    if team_id is None:
        return []
    return [
        (row.id, row.name)
        for row in db.session.execute(
            select(TeamMember.id, TeamMember.name)
            .where(TeamMember.team_id == team_id)
            .order_by(TeamMember.is_lead.desc(), TeamMember.id)
        )
    ]


# ---------------------------------------------------------------- the resident's side


class Step(NamedTuple):
    """One line of the tracking timeline, in a resident's words."""

    title: str
    detail: str
    at: datetime


def resident_steps(case: Case, own: bool = True, followed: bool = False) -> list[Step]:
    """What a resident is shown of a case's trail (cases/words.py STEPS): each step in plain
    words, never a note staff wrote; an arrival recorded with its visit shows once, as the
    visit, numbered; the call-back's answers beside the closing they caused (own=False, the
    earlier report someone follows: not another resident's answers). Reads only what the
    page loaded with the case (with_page)."""
    steps: list[Step] = []
    events = case.events
    answers = iter(case.callbacks) if own else iter(())
    visits = 0
    for i, event in enumerate(events):
        action = event.action
        following = events[i + 1].action if i + 1 < len(events) else None
        if action == "callback":
            answer = next(answers, None)
            if answer is not None and steps:
                words = gettext(words_.YOUR_ANSWER.msgid, answer=answer.satisfaction_label)
                steps[-1] = steps[-1]._replace(detail=words)
            continue
        if action == "arrive" and following == "visit":
            continue
        if action not in words_.STEPS:
            continue
        if action == "visit":
            visits += 1
        team = case.team.name if case.team and event.team_id == case.team_id else None
        if action == "void" and followed:
            title = str(words_.JOINED)
        else:
            title = gettext(
                words_.STEPS[action].msgid, team=team or str(words_.SOME_TEAM), n=visits
            )
        steps.append(Step(title, "", event.at))
    return steps


def resident_status(status: str) -> str:
    """A case's status as its resident reads it: the public words of similar cases, except
    where it asks something of them (their rating) or is theirs alone (void)."""
    from coordinator.cases.similar import PUBLIC_STATUS

    if status == workflow.VOID:
        return str(_l("Closed without a separate job"))
    if status in workflow.ASKING:
        return str(_l("Done: please tell us how it went"))
    return str(PUBLIC_STATUS.get(status, ""))


MY_REPORTS_PER_PAGE = 20


def my_reports(user, page: int) -> Page:
    """The cases a resident reported: those whose reporter's phone is their account's (a
    resident's account is made by the office, which checks the number is theirs), newest
    first; one statement a page, by the index on the phone."""
    stmt = (
        select(
            Case.id,
            Case.tracking_token,
            Case.category,
            Case.status,
            Case.created_at,
            Compound.name.label("compound"),
            Building.name.label("building"),
        )
        .outerjoin(Compound, Compound.id == Case.compound_id)
        .outerjoin(Building, Building.id == Case.building_id)
        .where(Case.reporter_phone == user.phone, Case.reporter_phone != "")
        .order_by(Case.created_at.desc(), Case.id.desc())
    )
    return paginate(stmt, page, MY_REPORTS_PER_PAGE, scalars=False)


# ---------------------------------------------------------------- a team's record


def team_record(team_id: int) -> dict:
    """Jobs done, median hours to respond and resolve, satisfaction, open now — for the team
    page. Three aggregate queries."""
    since = utcnow() - timedelta(days=RECORD_DAYS)
    counts = db.session.execute(
        select(
            func.count().filter(Case.status.in_(workflow.TEAM_LOAD)).label("open"),
            func.count().filter(Case.handled_at.is_not(None)).label("done"),
        ).where(Case.team_id == team_id)
    ).one()
    rows = db.session.execute(
        select(Case.dispatched_at, Case.accepted_at, Case.handled_at).where(
            Case.team_id == team_id, Case.accepted_at.is_not(None), Case.accepted_at >= since
        )
    ).all()
    respond = [records.hours_between(r.dispatched_at, r.accepted_at) for r in rows]
    resolve = [records.hours_between(r.accepted_at, r.handled_at) for r in rows]
    rated = db.session.execute(
        select(func.count().label("n"), func.sum(Callback.score).label("score")).where(
            Callback.team_id == team_id, Callback.created_at >= since
        )
    ).one()
    return {
        "open": counts.open,
        "done": counts.done,
        "respond_hours": records.median_of(respond),
        "resolve_hours": records.median_of(resolve),
        "rated": rated.n,
        "satisfaction": satisfaction_rate(rated.score, rated.n),
    }


# ---------------------------------------------------------------- the board

FILTERS = ("community", "category", "team", "channel", "tier", "compound", "building", "campaign")
# Which of a case's dates the board's From/To apply to: when it was logged (the default), or
# when it was closed or handed over (the dashboard's "closed in November" links here).
DATED = {"created": "created_at", "closed": "closed_at", "handled": "handled_at"}


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
    "campaign_id",
    "deadline_at",
)


class Shape(NamedTuple):
    """Which of the board's conditions a query string uses (its values are parameters): the
    key a filtered statement is built and cached for, the board's and the exports' alike."""

    search: str = ""  # search_kind()
    filters: frozenset = frozenset()  # the FILTERS in use
    status: str = ""  # '' (open), all, overdue, or one status code
    since: bool = False
    until: bool = False
    dated: str = "created"  # which date since/until mean (DATED)


NO_FILTER = Shape()


def board_query(actor, filters: dict, now: datetime) -> tuple[Shape, dict]:
    """The board's filters (parse_board_filters' values) as a statement shape and its bind
    parameters, the actor's scope included: the one reading of the filters that the board
    and the exports (/cases.csv, /cases.xlsx) share."""
    params = {**access.scope_params(actor), "now": now}
    q = filters.get("q") or ""
    search = search_kind(q)
    if search:
        params["q"] = q
        if search in ("id", "number"):
            params["q_id"] = int(q.lstrip("#"))
        if search == "words":
            params["q_since"] = now - timedelta(days=current_app.config["CASE_SEARCH_DAYS"])
            params["q_like"] = f"%{q}%"
    # A drop-down sent blank (spaces only) counts as none chosen, as parse_board_filters says.
    chosen = {key: value for key, value in filters.items() if not _blank(value)}
    used = frozenset(key for key in FILTERS if chosen.get(key))
    for key in used:
        params[key] = chosen[key]
    status = chosen.get("status") or ""
    if status not in ("", "overdue", "all"):
        params["status"] = status
    # From and To are local (Beijing) calendar days, inclusive; the columns hold naive UTC.
    if filters.get("since"):
        params["since"] = to_utc(datetime.combine(filters["since"], time()))
    if filters.get("until"):
        params["until"] = to_utc(datetime.combine(filters["until"], time()) + timedelta(days=1))
    shape = Shape(
        search,
        used,
        status,
        bool(filters.get("since")),
        bool(filters.get("until")),
        chosen.get("dated") or "created",
    )
    return shape, params


def _blank(value) -> bool:
    return isinstance(value, str) and not value.strip()


def filtered(stmt, shape: Shape):
    """The board's conditions for one shape, added to a statement over cases: the one
    definition of what the board's filters mean (the board's list, the exports)."""
    if shape.search:
        stmt = stmt.where(_search(shape.search))
    for key, column in (
        ("community", Case.community_id),
        ("category", Case.category),
        ("team", Case.team_id),
        ("channel", Case.channel),
        ("tier", Case.tier),
        ("compound", Case.compound_id),
        ("building", Case.building_id),
        ("campaign", Case.campaign_id),
    ):
        if key in shape.filters:
            stmt = stmt.where(column == bindparam(key))
    if shape.status == "overdue":
        stmt = stmt.where(Case.is_overdue(bindparam("now")))
    elif shape.status == "":
        stmt = stmt.where(Case.is_open)
    elif shape.status != "all":
        stmt = stmt.where(Case.status == bindparam("status"))
    date_column = getattr(Case, DATED[shape.dated])
    if shape.since:
        stmt = stmt.where(date_column >= bindparam("since"))
    if shape.until:
        stmt = stmt.where(date_column < bindparam("until"))
    return stmt


@cache  # one per role × section × shape: built once each
def statement(role: str, section: str, shape: Shape = NO_FILTER, skip_pinned: bool = False):
    """The board's statement for one shape. section: "pinned" (both pinned lists of page one)
    or "list" (the paged list). Everything a row shows comes in the same query."""
    stmt = visible(select(*(getattr(Case, name) for name in COLUMNS)), access.role_actor(role))
    # Case.is_open and Case.on_the_clock are literal SQL: the partial indexes serve them.
    if section == "pinned":  # both pinned lists of page one in one statement, each its part
        return union_all(
            _named(
                stmt.where(Case.status == workflow.RECEIVED), [("created_at", True)], section="new"
            ),
            _named(stmt.where(Case.is_overdue(bindparam("now"))), [("due_at", False)], "overdue"),
        )
    stmt = filtered(stmt, shape)
    if skip_pinned:
        stmt = stmt.where(Case.id.not_in(bindparam("pinned", expanding=True)))
    order = (
        [("due_at", False), ("id", False)]
        if shape.status == "overdue"
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
        # Warning work (issue 11): the warning's "kind:level", for the badge in its colour.
        select(WeatherWarning.kind + literal(":") + WeatherWarning.level)
        .join(Campaign, Campaign.warning_id == WeatherWarning.id)
        .where(Campaign.id == page.c.campaign_id)
        .scalar_subquery()
        .label("warning"),
        page.c.deadline_at,
    ]
    if section:
        return select(*columns, literal(section).label("section"))
    return select(*columns).order_by(*sort(page.c))


class BoardRow:
    """A row of the board: plain values and the words it shows, no ORM object behind it."""

    __slots__ = (
        *COLUMNS[:8],
        *("team_name", "place", "overdue", "on_the_clock", "title", "logged", "warning"),
        "deadline",
    )

    def __init__(self, row, now: datetime, words: "RowWords"):
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
            parts.append(words.floor % {"n": floor})
        if household:
            parts.append(household)
        self.place = " ".join(parts)
        # The row's texts in the reader's words (escaped by the template like any text):
        # "#17 下水道堵塞" and "2026年11月26日 14:30 · 12345热线".
        self.title = f"#{self.id} {words.categories.get(self.category, '')}"
        self.logged = f"{words.when(self.created_at)} · {words.channels.get(self.channel, '')}"
        # The work of a weather warning: its badge ("大风黄色预警"), else None.
        self.warning = words.warnings.get(row.warning) if row.warning else None
        # Planned work's fixed deadline (before a warning, a plan's date), shown until the
        # team's own clock starts: "12月3日 09:00前".
        deadline = row.deadline_at
        self.deadline = words.before % {"when": words.when(deadline)} if deadline else None


class RowWords:
    """What every row of one board page writes with: worked out once a page."""

    __slots__ = ("floor", "categories", "channels", "when", "warnings", "before")

    def __init__(self):
        labels = board_labels()
        self.warnings = warning_badges()
        self.floor = gettext("floor %(n)d")
        self.before = gettext("by %(when)s")
        self.categories, self.channels = labels["categories"], labels["channels"]
        self.when = date_writers()[0]


@per_language
def board_labels() -> dict:
    """The words every row looks up, in the reader's language: worked out once per language
    and process (the badges too, by the app's one badge writer)."""
    statuses = {code: str(label) for code, (label, _tone) in workflow.STATUSES.items()}
    return {
        "categories": dict(category_labels()),
        "channels": translated(CHANNELS),
        "badges": {
            code: status_badge(statuses[code], tone)
            for code, (_label, tone) in workflow.STATUSES.items()
        },
        "late_badges": {code: status_badge(statuses[code], "red") for code in workflow.STATUSES},
        "emergency": status_badge(translated(TIER_SHORT)["emergency"], "red"),
    }


def board(actor, filters: dict, page: int, per_page: int, now: datetime | None = None) -> dict:
    """New and overdue cases pinned on top (first page, no filters), then one page of every case
    matching the filters, newest first (overdue: earliest deadline first). A fixed number of
    statements whatever the data, each served by an index (at a million cases: the open ones by
    partial indexes, see models.OPEN_SQL); the rows are plain values (BoardRow)."""
    now = now or utcnow()
    shape, params = board_query(actor, filters, now)
    params["pinned_limit"] = per_page
    words = RowWords()
    pinned = {"new": [], "overdue": []}
    first_page = page == 1 and not any(v for k, v in filters.items() if k != "dated")
    if first_page:
        for r in read_rows(statement(actor.role, "pinned"), params):
            pinned[r.section].append(BoardRow(r, now, words))
        # A union keeps no order: newest first, and earliest deadline first.
        pinned["new"].sort(key=attrgetter("created_at"), reverse=True)
        pinned["overdue"].sort(key=attrgetter("due_at"))
    shown = [row.id for row in pinned["new"] + pinned["overdue"]]
    if shown:
        params["pinned"] = shown
    params.update(limit=per_page + 1, offset=(page - 1) * per_page)
    stmt = statement(actor.role, "list", shape, bool(shown))
    rows = [BoardRow(r, now, words) for r in read_rows(stmt, params)]
    return {
        "pinned": pinned,
        "page": Page(rows[:per_page], page, per_page, len(rows) > per_page),
        "now": now,
    }


# ---------------------------------------------------------------- the board as a file

EXPORT_COLUMNS = (
    "id",
    "created_at",
    "channel",
    "hotline_ticket",
    "category",
    "tier",
    "community_id",
    "compound_id",
    "building_id",
    "entrance_id",
    "floor",
    "household",
    "reporter_name",
    "reporter_phone",
    "description",
    "status",
    "team_id",
    "dispatched_at",
    "accepted_at",
    "due_at",
    "handled_at",
    "closed_at",
)
EXPORT_BATCH = 2000  # rows fetched from the database at a time


@cache  # one per role × shape
def export_statement(role: str, shape: Shape):
    """Every case the board's filters match (the board's own conditions, filtered()), not one
    page: newest first, the cases' columns only (names come from place_names)."""
    stmt = visible(
        select(*(getattr(Case, name) for name in EXPORT_COLUMNS)), access.role_actor(role)
    )
    return filtered(stmt, shape).order_by(Case.created_at.desc(), Case.id.desc())


@cache
def _names_statement():
    parts = [
        select(literal(kind).label("kind"), model.id, model.name)
        for kind, model in (
            ("team", Team),
            ("community", Community),
            ("compound", Compound),
            ("building", Building),
            ("entrance", Entrance),
        )
    ]
    return union_all(*parts)


def place_names() -> dict[str, dict[int, str]]:
    """Every team's and place's name by id, in one statement: a subdistrict has hundreds of
    places, not millions, so a file of any length looks its names up here, not per row."""
    found = {"team": {}, "community": {}, "compound": {}, "building": {}, "entrance": {}}
    for row in read_rows(_names_statement()):
        found[row.kind][row.id] = row.name
    return found


def export_rows(actor, filters: dict, now: datetime):
    """The cases of the board's filters (parse_board_filters' values) in the actor's scope,
    as rows of EXPORT_COLUMNS, read from the database EXPORT_BATCH at a time (a server-side
    cursor on PostgreSQL): memory stays the same whatever their number."""
    shape, params = board_query(actor, filters, now)
    result = db.session.connection().execute(
        export_statement(actor.role, shape),
        params,
        execution_options={"yield_per": EXPORT_BATCH},
    )
    for batch in result.partitions():
        yield from batch


# ---------------------------------------------------------------- the board's filters

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
    "tier": _l("Urgency"),
    "dated": _l("Dates are"),
    "compound": _l("Compound"),
    "building": _l("Building"),
    "campaign": _l("Campaign"),
}
DATED_CHOICES = {
    "created": _l("when logged"),
    "closed": _l("when closed"),
    "handled": _l("when handed over"),
}


def _choice(value: str | None, known) -> str | None:
    """A drop-down's value if it is one of its choices (blank counts as none chosen)."""
    if value is None:
        return None
    return value if value in known or not value.strip() else None


def parse_board_filters(args) -> tuple[dict, dict]:
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
        "tier": _choice(args.get("tier"), TIERS),
        "compound": picker_id(args.get("compound")),
        "building": picker_id(args.get("building")),
        "campaign": picker_id(args.get("campaign")),
        "dated": _choice(args.get("dated"), DATED),
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
    may see (the places' scope rule) and the teams (the teams' scope rule), each by name."""
    communities = places_visible(
        select(literal("community").label("kind"), Community.id, Community.name),
        access.role_actor(role),
    )
    teams = teams_visible(
        select(literal("team").label("kind"), Team.id, Team.name), access.role_actor(role)
    )
    both = union_all(communities, teams).subquery("choices")
    return select(both.c.kind, both.c.id, both.c.name).order_by(both.c.kind, both.c.name)


def _choices(actor) -> tuple[list, list]:
    """(communities, teams) the reader may filter by, as (id, name)."""
    found = {"community": [], "team": []}
    for row in read_rows(_choices_statement(actor.role), access.scope_params(actor)):
        found[row.kind].append((row.id, row.name))
    return found["community"], found["team"]


def board_filter_rows(actor, values: dict, args) -> dict[str, list]:
    """Each drop-down's (value, label, selected) rows for ui.filter_select."""
    communities, teams = _choices(actor)
    fixed = _fixed_choices()
    choices = {
        "status": fixed["status"],
        "community": [("", gettext("All communities")), *communities],
        "category": fixed["category"],
        "team": [("", gettext("All teams")), *teams],
        "channel": fixed["channel"],
        "tier": fixed["tier"],
        "dated": fixed["dated"],
    }
    rows = {}
    for name, pairs in choices.items():
        current = values[name] if name in ("community", "team") else args.get(name)
        rows[name] = options(pairs, "" if current is None else current)
    return rows


@per_language
def _fixed_choices() -> dict:
    """The drop-downs whose choices are the code's own, as (value, label), per language."""
    return {
        "status": list(translated(STATUS_CHOICES).items()),
        "category": [("", gettext("All categories")), *category_labels().items()],
        "channel": [("", gettext("All channels")), *translated(CHANNELS).items()],
        "tier": [("", gettext("All urgencies")), *translated(TIER_SHORT).items()],
        "dated": list(translated(DATED_CHOICES).items()),
    }


def board_places(values: dict) -> list[tuple[str, int, str]]:
    """The compound and building the board is narrowed to by a link (the hot spots' "open
    the cases"), as (filter, id, name) for the chips that undo them; no query without one."""
    wanted = (
        ("compound", Compound.id, Compound.name),
        ("building", Building.id, Building.name),
        ("campaign", Campaign.id, Campaign.title),  # a campaign's page: "open its cases"
    )
    chosen_ids = [(key, id_, name, values.get(key)) for key, id_, name in wanted if values.get(key)]
    if not chosen_ids:
        return []
    parts = [
        select(literal(key).label("key"), id_, name.label("name")).where(id_ == place_id)
        for key, id_, name, place_id in chosen_ids
    ]
    return [(r.key, r.id, r.name) for r in db.session.execute(union_all(*parts))]
