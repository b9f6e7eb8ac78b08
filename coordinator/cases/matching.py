"""Which teams could take this case, best first, and why — in words a dispatcher can check.

Rules, in order: the team must have the skill for the category and cover the place (its
compound, or the whole community); it must have room (jobs in hand below capacity). Among
those: a team that names the compound beats one that covers the whole community, a lighter
load beats a heavier one, then the track record (satisfaction, median time to resolve).

The facts come from a handful of set-based queries (`fetch_facts`); the ranking itself
(`rank`) is plain Python over those facts, so it is cheap and testable without a database.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from operator import itemgetter
from statistics import median

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy import case as sql_case

from coordinator.cases.models import Callback, Case, CaseEvent
from coordinator.cases.workflow import TEAM_LOAD
from coordinator.categories import category_label
from coordinator.extensions import db
from coordinator.i18n import gettext as _
from coordinator.teams.models import Team, TeamSkill, team_communities, team_compounds
from coordinator.ui import utcnow

RECORD_DAYS = 365


@dataclass
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
    satisfaction: float | None = None  # (satisfied + 0.9 × basically) / rated


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


def rank(need: Need, teams: list[TeamFacts], returned_by=frozenset(),
         explain: int = 5) -> list[Suggestion]:
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
        append(((t.id in returned_by, not names_compound, t.open_jobs / t.capacity,
                 -0.8 if sat is None else -sat, 1e9 if hours is None else hours, t.id),
                t, names_compound))
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
        words.append(_("%(pct)d %% satisfied (%(n)d call-backs)",
                       pct=round(t.satisfaction * 100), n=t.rated))
    else:
        words.append(_("no call-backs yet"))
    if s.returned_before:
        words.append(_("returned this case before"))
    return words


def need_of(case: Case) -> Need:
    return Need(case.category, case.community_id, case.compound_id,
                case.community.name if case.community else "",
                case.compound.name if case.compound else "")


def fetch_facts(need: Need) -> list[TeamFacts]:
    """The candidate teams and their load and record, in four set-based queries."""
    covers = or_(
        exists().where(team_communities.c.team_id == Team.id,
                       team_communities.c.community_id == need.community_id),
        exists().where(team_compounds.c.team_id == Team.id,
                       team_compounds.c.compound_id == need.compound_id)
        if need.compound_id else False,
    )
    names_compound = (exists().where(team_compounds.c.team_id == Team.id,
                                     team_compounds.c.compound_id == need.compound_id)
                      if need.compound_id else None)
    candidates = (select(Team.id).where(Team.active, covers,
                                        exists().where(TeamSkill.team_id == Team.id,
                                                       TeamSkill.skill == need.category)))
    cols = [Team.id, Team.name, Team.capacity]
    if names_compound is not None:
        cols.append(names_compound.label("names_compound"))
    rows = db.session.execute(select(*cols).where(Team.id.in_(candidates))).all()
    if not rows:
        return []
    ids = candidates.scalar_subquery()
    load = dict(db.session.execute(
        select(Case.team_id, func.count()).where(Case.team_id.in_(ids),
                                                 Case.status.in_(TEAM_LOAD))
        .group_by(Case.team_id)).all())
    since = utcnow() - timedelta(days=RECORD_DAYS)
    durations: dict[int, list[float]] = {}
    for team_id, accepted, handled in db.session.execute(
            select(Case.team_id, Case.accepted_at, Case.handled_at)
            .where(Case.team_id.in_(ids), Case.handled_at.is_not(None),
                   Case.accepted_at.is_not(None), Case.handled_at >= since)):
        durations.setdefault(team_id, []).append((handled - accepted).total_seconds() / 3600)
    rated = {r.team_id: r for r in db.session.execute(
        select(Callback.team_id, func.count().label("n"),
               func.sum(sql_case((Callback.satisfaction == "satisfied", 1.0),
                                 (Callback.satisfaction == "basically", 0.9),
                                 else_=0.0)).label("score"))
        .where(Callback.team_id.in_(ids), Callback.created_at >= since)
        .group_by(Callback.team_id))}
    facts = []
    for row in rows:
        r = rated.get(row.id)
        compounds = (frozenset({need.compound_id})
                     if names_compound is not None and row.names_compound else frozenset())
        facts.append(TeamFacts(
            id=row.id, name=row.name, capacity=row.capacity or 1,
            skills=frozenset({need.category}), communities=frozenset({need.community_id})
            if not compounds else frozenset(), compounds=compounds,
            open_jobs=load.get(row.id, 0),
            median_hours=median(durations[row.id]) if row.id in durations else None,
            rated=r.n if r else 0, satisfaction=float(r.score) / r.n if r and r.n else None))
    return facts


def returned_by(case: Case) -> frozenset:
    """Teams that sent this case back: asking them again is the last resort."""
    return frozenset(db.session.scalars(
        select(CaseEvent.team_id).where(and_(CaseEvent.case_id == case.id,
                                             CaseEvent.action == "return"))))


def suggest(case: Case, explain: int = 5) -> list[Suggestion]:
    need = need_of(case)
    return rank(need, fetch_facts(need), returned_by(case), explain=explain)
