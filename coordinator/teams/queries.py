"""Reading service teams: the team list and its search, a team's page, the pickers. Every
statement goes through the one scope rule, `visible`."""

from functools import cache

from sqlalchemy import bindparam, exists, func, or_, select
from sqlalchemy.orm import selectinload

from coordinator import access
from coordinator.categories import categories_matching
from coordinator.extensions import db
from coordinator.filters import like_pattern
from coordinator.paging import Page, read_rows
from coordinator.places.models import Community, Compound
from coordinator.teams.models import Team, TeamMember, TeamSkill, team_communities, team_compounds


def covers_community(community_id):
    """A team covers a community when it names it, or names one of its compounds."""
    return or_(
        exists().where(
            team_communities.c.team_id == Team.id, team_communities.c.community_id == community_id
        ),
        exists().where(
            team_compounds.c.team_id == Team.id,
            team_compounds.c.compound_id == Compound.id,
            Compound.community_id == community_id,
        ),
    )


def visible(stmt, actor):
    """The teams' scope rule: admins see every team; staff the teams that serve their
    community; a team lead or field worker their own team.

    The actor's community or team goes in as a named parameter, so that a statement built
    once for a role (the team list's) runs for every actor of that role.
    """
    if actor.role == access.ADMIN:
        return stmt
    if actor.role == access.STAFF:
        return stmt.where(covers_community(bindparam("actor_community", actor.community_id)))
    if actor.role in access.TEAM_SIDE:
        return stmt.where(Team.id == bindparam("actor_team", actor.team_id))
    return stmt.where(False)


def search_teams(
    actor,
    q: str = "",
    kind: str = "",
    skill: str = "",
    community_id: int = 0,
    page: int = 1,
    per_page: int = 25,
) -> Page:
    """One page of the teams the actor may see, each row with what the list shows."""
    codes = categories_matching(q) if q else []
    stmt = _team_page_statement(
        actor.role, bool(q), bool(codes), bool(kind), bool(skill), bool(community_id)
    )
    params = {
        **access.scope_params(actor),
        "like": like_pattern(q.lower()),
        "codes": codes,
        "kind": kind,
        "skill": skill,
        "community": community_id,
        "limit": per_page + 1,
        "offset": (page - 1) * per_page,
    }
    rows = [ListedTeam(row) for row in read_rows(stmt, params)]
    return Page(rows[:per_page], page, per_page, len(rows) > per_page)


@cache  # one statement per role and set of filters in use: at most 6 × 32, built once each
def _team_page_statement(role: str, q: bool, codes: bool, kind: bool, skill: bool, community: bool):
    """The team list's one statement, with every value a named parameter.

    The page's ids are chosen first (an index walk), then each of those rows gets its member
    count, lead, skills and communities from small correlated subqueries, so that work is done
    for the page only, never for the rows skipped before it. Built once and reused: building
    and compiling it cost several times what the database takes to run it.
    """
    ids = visible(select(Team.id, Team.name), access.role_actor(role))
    if q:
        conditions = [Team.search_text.like(bindparam("like"), escape="\\")]
        if codes:
            conditions.append(
                exists().where(
                    TeamSkill.team_id == Team.id,
                    TeamSkill.skill.in_(bindparam("codes", expanding=True)),
                )
            )
        ids = ids.where(or_(*conditions))
    if kind:
        ids = ids.where(Team.kind == bindparam("kind"))
    if skill:
        ids = ids.where(
            exists().where(TeamSkill.team_id == Team.id, TeamSkill.skill == bindparam("skill"))
        )
    if community:
        ids = ids.where(covers_community(bindparam("community")))
    chosen = (
        ids.order_by(Team.name, Team.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery()
    )

    def of_team(stmt):
        return stmt.correlate(Team).scalar_subquery()

    member_count = of_team(select(func.count(TeamMember.id)).where(TeamMember.team_id == Team.id))
    lead = of_team(
        select(TeamMember.name).where(TeamMember.team_id == Team.id, TeamMember.is_lead).limit(1)
    )
    skills = of_team(
        select(func.aggregate_strings(TeamSkill.skill, ",")).where(TeamSkill.team_id == Team.id)
    )
    covers = of_team(
        select(func.aggregate_strings(Community.name, "、"))
        .select_from(team_communities.join(Community))
        .where(team_communities.c.team_id == Team.id)
    )
    return (
        select(
            Team.id,
            Team.name,
            Team.kind,
            Team.capacity,
            Team.active,
            member_count.label("member_count"),
            lead.label("lead_name"),
            skills.label("skills"),
            covers.label("covers"),
        )
        .join(chosen, chosen.c.id == Team.id)
        .order_by(Team.name, Team.id)
    )


class ListedTeam:
    """A row of the team list: plain values, no ORM object behind it."""

    __slots__ = (
        "id",
        "name",
        "kind",
        "capacity",
        "active",
        "member_count",
        "lead_name",
        "skills",
        "covers",
    )

    def __init__(self, row):
        self.id, self.name, self.kind, self.capacity, self.active = row[:5]
        self.member_count, self.lead_name = row.member_count or 0, row.lead_name
        self.skills = sorted(row.skills.split(",")) if row.skills else []
        self.covers = sorted(row.covers.split("、")) if row.covers else []


def get_team(actor, team_id: int) -> Team | None:
    stmt = visible(select(Team).where(Team.id == team_id), actor).options(
        selectinload(Team.skills),
        selectinload(Team.members),
        selectinload(Team.communities),
        selectinload(Team.compounds),
    )
    return db.session.scalar(stmt)


def team_choices(actor) -> list[tuple[int, str]]:
    rows = db.session.execute(visible(select(Team.id, Team.name), actor).order_by(Team.name))
    return [(r.id, r.name) for r in rows]


def coverage_elsewhere(actor, team: Team | None) -> list[str]:
    """What of the team's area lies outside the actor's community, by name: kept as it is when
    staff save the team, and shown to them as such."""
    if team is None or actor.role == access.ADMIN:
        return []
    return [c.name for c in team.communities if c.id != actor.community_id] + [
        f"{c.community.name} · {c.name}"
        for c in team.compounds
        if c.community_id != actor.community_id
    ]


def name_taken(name: str, team_id: int | None = None) -> bool:
    stmt = select(Team.id).where(Team.name == name.strip())
    if team_id:
        stmt = stmt.where(Team.id != team_id)
    return db.session.scalar(stmt) is not None
