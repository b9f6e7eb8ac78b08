"""Similar cases: what is already logged at this place, of this kind, or told in the same words.

The office sees them while it logs a case (/cases/new) and on a case's page; a resident sees a
stripped-down list on /report ("already reported here"). One statement per lookup whatever the
data: a union of parts, each a LIMITed walk of one index —

- the same building and category: logged within CASE_SIMILAR_DAYS (ix_cases_building_category_
  created), and open however old (the partial ix_cases_open_building_category);
- the same compound and category, likewise (the compound's two indexes);
- the compound's latest cases of any category within the window (ix_cases_compound_created),
  whose descriptions are scored against the one being typed.

Void cases never match (a voided duplicate points nowhere; its original does). Text is scored
with rapidfuzz's WRatio on characters: Chinese has no spaces between words, so token scorers see
one token, while WRatio's character alignment (with its partial match for a short text inside a
long one) rates 厨房下水道反水 ~ 下水道堵了反味 at 57 and 楼道灯不亮 ~ 厨房下水道反水 at 17.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from rapidfuzz import fuzz, process, utils
from sqlalchemy import bindparam, literal, select, union_all

from coordinator import access
from coordinator.cases import workflow
from coordinator.cases.models import Case
from coordinator.cases.queries import visible
from coordinator.categories import category_label
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import utcnow
from coordinator.paging import read_rows
from coordinator.places.models import Building, Compound
from coordinator.teams.models import Team

# Candidates whose descriptions are scored: the compound's latest, of any category.
TEXT_CANDIDATES = 200
# Why a case matched, strongest first (the order a full panel keeps the strongest by).
REASONS = {
    "building": _l("Same building, same category"),
    "compound": _l("Same compound, same category"),
    "text": _l("Similar description"),
}
# The resident's words for a status (/report): no workflow jargon.
PUBLIC_STATUS = {
    "received": _l("Reported, waiting for a team"),
    "returned": _l("Reported, waiting for a team"),
    "reopened": _l("Being handled"),
    "dispatched": _l("Being handled"),
    "accepted": _l("Being handled"),
    "in_progress": _l("Being handled"),
    "extended": _l("Being handled"),
    "parked": _l("Planned for later"),
    "handled": _l("Fixed, being checked"),
    "verified": _l("Fixed, being checked"),
    "callback": _l("Fixed, being checked"),
    "closed": _l("Done, case closed"),
}


@dataclass
class Match:
    """A similar case as a panel shows it: plain values, and why it matched."""

    id: int
    category: str
    status: str
    created_at: datetime
    compound_id: int | None
    building_id: int | None
    compound_name: str | None
    building_name: str | None
    team_name: str | None
    description: str = ""
    reasons: set = field(default_factory=set)
    score: float = 0.0

    @property
    def number(self) -> str:
        return f"#{self.id}"

    @property
    def is_open(self) -> bool:
        return self.status not in workflow.FINAL

    @property
    def category_text(self) -> str:
        return category_label(self.category)

    @property
    def place(self) -> str:
        return " ".join(n for n in (self.compound_name, self.building_name) if n)

    @property
    def status_label(self) -> str:
        return workflow.status_label(self.status)

    @property
    def status_tone(self) -> str:
        return workflow.STATUSES.get(self.status, ("", "grey"))[1]

    @property
    def public_status(self) -> str:
        return str(PUBLIC_STATUS.get(self.status, ""))

    @property
    def why(self) -> list[str]:
        out = [str(REASONS[r]) for r in REASONS if r in self.reasons and r != "text"]
        if "text" in self.reasons:
            out.append(str(_l("Similar description (%(score)s)", score=f"{round(self.score)}%")))
        return out

    @property
    def strength(self) -> int:
        return min(i for i, r in enumerate(REASONS) if r in self.reasons)


COLUMNS = ("id", "category", "status", "created_at", "compound_id", "building_id", "team_id")


def _part(stmt, name: str, limit: int):
    """One LIMITed index walk, tagged with its name."""
    page = stmt.order_by(Case.created_at.desc()).limit(limit).subquery(f"p_{name}")
    return select(*page.c, literal(name).label("part"))


def _named(parts):
    """The parts' rows with the names they show: the three small tables joined once to the
    union (a lookup per row cost PostgreSQL 6 ms over the 230 rows of a busy compound)."""
    found = union_all(*parts).subquery("found")
    return (
        select(
            found,
            Compound.name.label("compound_name"),
            Building.name.label("building_name"),
            Team.name.label("team_name"),
        )
        .select_from(found)
        .outerjoin(Compound, Compound.id == found.c.compound_id)
        .outerjoin(Building, Building.id == found.c.building_id)
        .outerjoin(Team, Team.id == found.c.team_id)
    )


@cache  # one per role × shape, built once each (as the board's statements)
def statement(role: str, building: bool, text: bool, shown: int):
    """The lookup's one statement for a shape: with or without a building, with or without a
    description to score. role "public" is /report's: no scope (every case of the place), and
    the caller shows none of the rows' personal fields."""
    columns = select(*(getattr(Case, c) for c in COLUMNS), Case.description)
    if role != "public":
        columns = visible(columns, access.role_actor(role))
    columns = columns.where(Case.id != bindparam("exclude"))
    since = Case.created_at >= bindparam("since")
    not_void = Case.status != workflow.VOID
    parts = []
    places = [("compound", Case.compound_id, bindparam("compound"))]
    if building:
        # A resident who chose their building sees that building's reports only.
        building_part = ("building", Case.building_id, bindparam("building"))
        places = [building_part] if role == "public" else [building_part, *places]
    for name, column, value in places:
        same = columns.where(column == value, Case.category == bindparam("category"))
        # The compound's walk also finds the building's own: room for both.
        limit = shown * 2 if name == "compound" and building else shown
        parts.append(_part(same.where(since, not_void), f"{name}_recent", limit))
        parts.append(_part(same.where(Case.is_open), f"{name}_open", limit))
    if text:
        recent = columns.where(Case.compound_id == bindparam("compound"), since, not_void)
        parts.append(_part(recent, "text", TEXT_CANDIDATES))
    return _named(parts)


def _scores(query: str, texts: list[str]) -> dict[str, float]:
    """How alike each distinct text is to the query (0-100, rapidfuzz WRatio on characters)."""
    distinct = list(dict.fromkeys(texts))
    if not distinct:
        return {}
    scored = process.extract(
        query, distinct, scorer=fuzz.WRatio, processor=utils.default_process, limit=None
    )
    return {text: float(score) for text, score, _index in scored}


def find(
    actor,
    *,
    compound_id: int | None,
    category: str | None,
    building_id: int | None = None,
    description: str = "",
    exclude_id: int | None = None,
    now: datetime | None = None,
    public: bool = False,
) -> list[Match]:
    """Open or recent cases like the one being logged at this place: the same building (else
    the same compound) and category, or a description alike; each with its reasons. The
    strongest `shown` (building before compound before text, then newest), newest first.
    Staff see their community's only (queries.visible); `public` sees every case of the place
    and matches by place and category only: no one's words are compared for a stranger."""
    if not compound_id or compound_id < 0 or (building_id is not None and building_id < 0):
        return []
    config = current_app.config
    shown = 3 if public else config["CASE_SIMILAR_SHOWN"]
    query = (description or "").strip()[:500] if not public else ""
    if not category and not query:
        return []
    now = now or utcnow()
    params = {
        **(access.scope_params(actor) if not public else {}),
        "exclude": exclude_id or 0,
        "since": now - timedelta(days=config["CASE_SIMILAR_DAYS"]),
        "compound": compound_id,
        "building": building_id,
        "category": category or "",
    }
    role = "public" if public else actor.role
    stmt = statement(role, bool(building_id), bool(query), shown)
    rows = list(read_rows(stmt, params))
    # Every description scored in one call into rapidfuzz's C code, not one call per row.
    scores = _scores(query, [row.description or "" for row in rows]) if query else {}
    cutoff = config["CASE_SIMILAR_TEXT_SCORE"]
    found: dict[int, Match] = {}
    for row in rows:
        part = row.part.split("_")[0]
        score = scores.get(row.description or "", 0.0)
        if part == "text" and score < cutoff:
            continue
        match = found.get(row.id)
        if match is None:
            match = found[row.id] = Match(
                *(getattr(row, c) for c in COLUMNS[:6]),
                compound_name=row.compound_name,
                building_name=row.building_name,
                team_name=row.team_name,
                description=row.description or "",
                score=score,
            )
        if part == "compound" and building_id and row.building_id == building_id:
            part = "building"
        match.reasons.add(part)
        if score >= cutoff:
            match.reasons.add("text")
    strongest = sorted(found.values(), key=lambda m: (m.strength, -m.created_at.timestamp()))
    return sorted(strongest[:shown], key=lambda m: m.created_at, reverse=True)


def for_case(actor, case: Case) -> list[Match]:
    """The case page's panel: cases like this one, itself left out."""
    return find(
        actor,
        compound_id=case.compound_id,
        building_id=case.building_id,
        category=case.category,
        description=case.description,
        exclude_id=case.id,
    )


def public_ids(compound_id, building_id, category) -> set[int]:
    """The cases /report would show for this place and category (what a resident may follow)."""
    return {
        m.id
        for m in find(
            None,
            compound_id=compound_id,
            building_id=building_id,
            category=category,
            public=True,
        )
    }
