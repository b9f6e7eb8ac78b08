"""Use cases for service teams; scoping by role lives here, next to the queries."""

from functools import cache
from types import SimpleNamespace

from sqlalchemy import bindparam, exists, func, or_, select
from sqlalchemy.orm import selectinload

from coordinator import access
from coordinator.categories import categories_matching
from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.paging import Page, read_rows
from coordinator.places.models import Community, Compound
from coordinator.rules import Refused
from coordinator.teams.models import (
    Team,
    TeamMember,
    TeamSkill,
    search_text_update,
    team_communities,
    team_compounds,
)
from coordinator.work import unit_of_work


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


def scoped(stmt, actor):
    """Admins see every team; staff the teams that serve their community; a team its own.

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
        "actor_community": actor.community_id,
        "actor_team": actor.team_id,
        "like": f"%{_like_escaped(q.lower())}%",
        "codes": codes,
        "kind": kind,
        "skill": skill,
        "community": community_id,
        "limit": per_page + 1,
        "offset": (page - 1) * per_page,
    }
    rows = [ListedTeam(row) for row in read_rows(stmt, params)]
    return Page(rows[:per_page], page, per_page, len(rows) > per_page)


def _like_escaped(text: str) -> str:
    """A search for "100%" or "a_b" means those characters, not LIKE's wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@cache  # one statement per role and set of filters in use: at most 6 × 32, built once each
def _team_page_statement(role: str, q: bool, codes: bool, kind: bool, skill: bool, community: bool):
    """The team list's one statement, with every value a named parameter.

    The page's ids are chosen first (an index walk), then each of those rows gets its member
    count, lead, skills and communities from small correlated subqueries, so that work is done
    for the page only, never for the rows skipped before it. Built once and reused: building
    and compiling it cost several times what the database takes to run it.
    """
    ids = scoped(
        select(Team.id, Team.name), SimpleNamespace(role=role, community_id=None, team_id=None)
    )
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
    stmt = scoped(select(Team).where(Team.id == team_id), actor).options(
        selectinload(Team.skills),
        selectinload(Team.members),
        selectinload(Team.communities),
        selectinload(Team.compounds),
    )
    return db.session.scalar(stmt)


# Who may change what of a team (DOMAIN.md: staff act in their own community, the subdistrict
# admin in all of them; a team lead assigns the team's members):
#
# - A team whose whole area lies in one community is that community's own team: its staff
#   edit it (details, skills, coverage, members) as the admin does.
# - A team that also serves other communities (a shared team, e.g. a property firm across two
#   communities, or a subdistrict-wide contractor covering all six) belongs to no single
#   committee. The staff of each community it serves change only their own community's part
#   of its coverage (add or drop their community or its compounds); its details, skills and
#   members are the admin's, and its lead's for the members.


def community_ids_served(team: Team) -> set[int]:
    """Every community the team covers, whole or by one of its compounds."""
    return {c.id for c in team.communities} | {c.community_id for c in team.compounds}


def can_edit(actor, team: Team | None) -> bool:
    """Admins edit any team; staff create teams and edit their own community's teams."""
    if actor.role == access.ADMIN:
        return True
    if actor.role == access.STAFF:
        return team is None or community_ids_served(team) == {actor.community_id}
    return False


def can_edit_coverage(actor, team: Team) -> bool:
    """Staff change the coverage of any team serving their community (their part of it)."""
    if actor.role == access.ADMIN:
        return True
    return actor.role == access.STAFF and actor.community_id in community_ids_served(team)


def can_manage_members(actor, team: Team) -> bool:
    return can_edit(actor, team) or (actor.role == access.LEAD and actor.team_id == team.id)


def sees_member_phones(actor, team: Team) -> bool:
    """Dispatchers of a community it serves and the team itself need members' numbers."""
    return can_edit_coverage(actor, team) or actor.team_id == team.id


def team_choices(actor) -> list[tuple[int, str]]:
    rows = db.session.execute(scoped(select(Team.id, Team.name), actor).order_by(Team.name))
    return [(r.id, r.name) for r in rows]


def compound_choices_by_community(actor) -> list[tuple[int, str]]:
    stmt = (
        select(Compound.id, Compound.name, Community.name.label("community"))
        .join(Community)
        .order_by(Community.name, Compound.name)
    )
    if actor.role != access.ADMIN:
        stmt = stmt.where(Compound.community_id == actor.community_id)
    return [(r.id, f"{r.community} · {r.name}") for r in db.session.execute(stmt)]


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


def refresh_search_text(*team_ids: int) -> None:
    """Bring the list's search text of these teams (their name, members' names and phones) up
    to date. Every operation that changes a team's name or members calls it, inside its unit
    of work, so the list finds what was just saved and a rollback takes both back."""
    ids = sorted({i for i in team_ids if i is not None})
    if not ids:
        return
    db.session.flush()
    db.session.connection().execute(search_text_update(ids))
    for obj in db.session.identity_map.values():
        if isinstance(obj, Team) and obj.id in ids:
            db.session.expire(obj, ["search_text"])


_NAME_TAKEN = _l("A team with this name exists already.")


def save_team(actor, data: dict, team: Team | None = None) -> Team:
    """Create or edit a team.

    Rules: names are unique; staff edit only their own community's teams (see can_edit) and
    may only make a team cover their own community (and its compounds), since coverage
    elsewhere is another committee's call.
    """
    if not can_edit(actor, team):
        raise Refused(_l("You cannot edit this team."), status=403)
    if name_taken(data["name"], team.id if team else None):
        raise Refused(_NAME_TAKEN, field="name", status=422)
    # Two people saving the same new name at once: the unique key decides, the loser a 409.
    with unit_of_work(conflict=_NAME_TAKEN, field="name"):
        if team is None:
            team = Team()
            db.session.add(team)
        team.name = data["name"].strip()
        team.kind = data["kind"]
        team.phone = data.get("phone") or ""
        team.capacity = data["capacity"]
        team.description = data.get("description") or ""
        team.active = bool(data.get("active"))
        wanted = set(data["skills"])
        team.skills = [s for s in team.skills if s.skill in wanted] + [
            TeamSkill(skill=code) for code in sorted(wanted - set(team.skill_codes))
        ]
        _set_coverage(actor, team, data)
        refresh_search_text(team.id)
    return team


def save_coverage(actor, team: Team, data: dict) -> Team:
    """Staff's part of a shared team: which of their community's places it covers. Coverage
    in other communities stays as it is."""
    if not can_edit_coverage(actor, team):
        raise Refused(_l("You cannot edit this team."), status=403)
    with unit_of_work():
        _set_coverage(actor, team, data)
    return team


def _set_coverage(actor, team: Team, data: dict) -> None:
    """The team's communities and compounds from the form. An admin sets them all; staff set
    those of their own community, and whatever the team covers elsewhere is kept (their form
    cannot even show it: it offers their community's places only)."""
    community_ids = set(data.get("communities") or [])
    compound_ids = set(data.get("compounds") or [])
    if actor.role == access.STAFF:
        if community_ids - {actor.community_id}:
            raise Refused(
                _l("You can only add your own community."), field="communities", status=422
            )
        allowed = {cid for cid, _ in compound_choices_by_community(actor)}
        if compound_ids - allowed:
            raise Refused(
                _l("You can only add compounds of your own community."),
                field="compounds",
                status=422,
            )
        community_ids |= {c.id for c in team.communities if c.id != actor.community_id}
        compound_ids |= {c.id for c in team.compounds if c.community_id != actor.community_id}
    # Changed in place (not replaced), so only the rows that differ are written: a change
    # saved at the same moment by another community's staff is not undone.
    _replace(team.communities, Community, community_ids)
    _replace(team.compounds, Compound, compound_ids)


def _replace(collection: list, model, wanted: set[int]) -> None:
    for row in [row for row in collection if row.id not in wanted]:
        collection.remove(row)
    missing = wanted - {row.id for row in collection}
    if missing:
        collection.extend(db.session.scalars(select(model).where(model.id.in_(missing))))


_IN_TEAM = _l("This number is already in the team.")


def add_member(actor, team: Team, data: dict) -> TeamMember:
    """Add a member; a new lead replaces the old one (a team has one lead)."""
    if not can_manage_members(actor, team):
        raise Refused(_l("You cannot change this team's members."), status=403)
    if any(m.phone == data["phone"] for m in team.members):
        raise Refused(_IN_TEAM, field="phone", status=422)
    from coordinator.auth.models import User

    # The same number added twice at once: the unique key (team, phone) keeps one.
    with unit_of_work(conflict=_IN_TEAM, field="phone"):
        if data.get("is_lead"):
            for m in team.members:
                m.is_lead = False
        user_id = db.session.scalar(select(User.id).where(User.phone == data["phone"]))
        member = TeamMember(
            team=team,
            name=data["name"],
            phone=data["phone"],
            is_lead=bool(data.get("is_lead")),
            user_id=user_id,
        )
        db.session.add(member)
        refresh_search_text(team.id)
    return member


def remove_member(actor, team: Team, member_id: int) -> None:
    if not can_manage_members(actor, team):
        raise Refused(_l("You cannot change this team's members."), status=403)
    member = next((m for m in team.members if m.id == member_id), None)
    if member is None:
        raise Refused(_l("That person is not in this team."), status=404)
    with unit_of_work():
        team.members.remove(member)
        refresh_search_text(team.id)
