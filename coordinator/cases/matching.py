"""Which teams could take this case, best first, and why — in words a dispatcher can check.

Rules, in order: the team must have the skill for the category and cover the place (its
compound, or the whole community); it must have room (jobs in hand below capacity). Among
those: a team that names the compound beats one that covers the whole community, a lighter
load beats a heavier one, then the track record (satisfaction, median time to resolve).

The facts come from one statement over the teams and their rollup rows (`fetch_facts`,
records.py keeps the rows); the ranking itself (`rank`) is plain Python over those facts, so
it is cheap and testable without a database.
"""

from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter

from sqlalchemy import Float, and_, bindparam, cast, exists, false, func, or_, select
from sqlalchemy import case as sql_case

from coordinator.cases.models import Case, CaseEvent, TeamRecord, satisfaction_rate
from coordinator.categories import category_label
from coordinator.extensions import db
from coordinator.i18n import gettext as _
from coordinator.teams.models import Team, TeamSkill, team_communities, team_compounds

# A team without call-backs ranks as if 80 % satisfied (rank() and its SQL twin).
UNRATED = 0.8


@dataclass(slots=True)
class TeamFacts:
    id: int
    name: str
    capacity: int
    skills: frozenset = frozenset()
    communities: frozenset = frozenset()
    compounds: frozenset = frozenset()
    open_jobs: int = 0
    median_hours: float | None = None
    rated: int = 0
    satisfaction: float | None = None  # models.satisfaction_rate


@dataclass
class Suggestion:
    team: TeamFacts
    names_compound: bool
    returned_before: bool
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Need:
    category: str
    community_id: int
    compound_id: int | None
    community_name: str = ""
    compound_name: str = ""


def rank(
    need: Need, teams: list[TeamFacts], returned_by=frozenset(), explain: int = 5
) -> list[Suggestion]:
    """Eligible teams best first; only the first `explain` get their reasons written."""
    picked = []
    append = picked.append
    category, compound, community = need.category, need.compound_id, need.community_id
    for t in teams:
        if category not in t.skills or t.open_jobs >= t.capacity:
            continue
        names_compound = compound in t.compounds
        if not names_compound and community not in t.communities:
            continue
        sat = t.satisfaction
        hours = t.median_hours
        append(
            (
                (
                    t.id in returned_by,
                    not names_compound,
                    t.open_jobs / t.capacity,
                    -UNRATED if sat is None else -sat,
                    1e9 if hours is None else hours,
                    t.id,
                ),
                t,
                names_compound,
            )
        )
    picked.sort(key=itemgetter(0))
    out = [Suggestion(t, nc, t.id in returned_by) for _key, t, nc in picked]
    for s in out[:explain]:
        s.reasons = reasons(need, s)
    return out


def reasons(need: Need, s: Suggestion) -> list[str]:
    t = s.team
    words = []
    if s.names_compound:
        words.append(_("covers %(place)s", place=need.compound_name or _("this compound")))
    else:
        words.append(_("covers %(place)s", place=need.community_name or _("this community")))
    words.append(_("has the skill: %(skill)s", skill=category_label(need.category)))
    words.append(_("%(open)d of %(cap)d jobs in hand", open=t.open_jobs, cap=t.capacity))
    if t.median_hours is not None:
        words.append(_("median %(hours)s h to resolve", hours=f"{t.median_hours:.1f}"))
    if t.satisfaction is not None:
        words.append(
            _("%(pct)d %% satisfied (%(n)d call-backs)", pct=round(t.satisfaction * 100), n=t.rated)
        )
    else:
        words.append(_("no call-backs yet"))
    if s.returned_before:
        words.append(_("returned this case before"))
    return words


def need_of(case: Case) -> Need:
    return Need(
        case.category,
        case.community_id,
        case.compound_id,
        case.community.name if case.community else "",
        case.compound.name if case.compound else "",
    )


def fetch_facts(need: Need, returned=frozenset(), limit: int | None = None) -> list[TeamFacts]:
    """The candidate teams with room, with their load and record: one statement over the
    teams and their rollup rows (records.py), built once per shape. With a limit, only the
    best `limit` of them, in rank()'s order (the database sorts; rank() sorts them again)."""
    stmt = _facts_statement(need.compound_id is not None, limit is not None)
    rows = db.session.execute(
        stmt,
        {
            "category": need.category,
            "community": need.community_id,
            "compound": need.compound_id,
            "returned": sorted(returned),
            "limit": limit,
        },
    ).all()
    skills = frozenset({need.category})
    community = frozenset({need.community_id})
    compound = frozenset({need.compound_id})
    none = frozenset()
    facts = []
    append = facts.append
    for row in rows:
        rated = row.rated or 0
        append(
            TeamFacts(
                row.id,
                row.name,
                row.capacity or 1,
                skills,
                none if row.names_compound else community,
                compound if row.names_compound else none,
                row.open_jobs or 0,
                row.median_hours,
                rated,
                satisfaction_rate(row.score, rated),
            )
        )
    return facts


@cache
def _facts_statement(with_compound: bool, ranked: bool):
    """Active teams with the skill that cover the place (the compound by name, or the whole
    community) and have room (jobs in hand below capacity), with their rollup row; ranked:
    the first `limit` in rank()'s order."""
    community, compound = bindparam("community"), bindparam("compound")
    names_compound = (
        exists().where(
            team_compounds.c.team_id == Team.id, team_compounds.c.compound_id == compound
        )
        if with_compound
        else false()
    )
    covers = or_(
        exists().where(
            team_communities.c.team_id == Team.id, team_communities.c.community_id == community
        ),
        names_compound,
    )
    capacity = func.coalesce(func.nullif(Team.capacity, 0), 1)
    open_jobs = func.coalesce(TeamRecord.open_jobs, 0)
    stmt = (
        select(
            Team.id,
            Team.name,
            Team.capacity,
            names_compound.label("names_compound"),
            TeamRecord.open_jobs,
            TeamRecord.median_hours,
            TeamRecord.rated,
            TeamRecord.score,
        )
        .select_from(TeamSkill)
        .join(Team, Team.id == TeamSkill.team_id)
        .outerjoin(TeamRecord, TeamRecord.team_id == Team.id)
        .where(TeamSkill.skill == bindparam("category"), Team.active, covers, open_jobs < capacity)
    )
    if not ranked:
        return stmt
    return stmt.order_by(  # rank()'s key, term by term
        sql_case((Team.id.in_(bindparam("returned", expanding=True)), 1), else_=0),
        names_compound.desc(),
        cast(open_jobs, Float) / capacity,
        func.coalesce(TeamRecord.satisfaction, UNRATED).desc(),
        func.coalesce(TeamRecord.median_hours, 1e9),
        Team.id,
    ).limit(bindparam("limit"))


def returned_by(case: Case) -> frozenset:
    """Teams that sent this case back: asking them again is the last resort."""
    return frozenset(
        db.session.scalars(
            select(CaseEvent.team_id).where(
                and_(CaseEvent.case_id == case.id, CaseEvent.action == "return")
            )
        )
    )


def suggest(case: Case, explain: int = 5, limit: int | None = None) -> list[Suggestion]:
    """The teams that could take the case, best first (only the best `limit` when given)."""
    need = need_of(case)
    returned = returned_by(case)
    return rank(need, fetch_facts(need, returned, limit), returned, explain=explain)
