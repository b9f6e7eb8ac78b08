"""Use cases for service teams; scoping by role lives here, next to the queries."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from coordinator import access
from coordinator.categories import categories_matching
from coordinator.extensions import db
from coordinator.paging import Page, paginate
from coordinator.places.models import Community, Compound
from coordinator.rules import Refused
from coordinator.teams.models import Team, TeamMember, TeamSkill, team_communities, team_compounds


def covers_community(community_id):
    """A team covers a community when it names it, or names one of its compounds."""
    return or_(
        exists().where(team_communities.c.team_id == Team.id,
                       team_communities.c.community_id == community_id),
        exists().where(team_compounds.c.team_id == Team.id,
                       team_compounds.c.compound_id == Compound.id,
                       Compound.community_id == community_id),
    )


def scoped(stmt, actor):
    """Admins see every team; staff the teams that serve their community; a team its own."""
    if actor.role == access.ADMIN:
        return stmt
    if actor.role == access.STAFF:
        return stmt.where(covers_community(actor.community_id))
    if actor.role in access.TEAM_SIDE:
        return stmt.where(Team.id == actor.team_id)
    return stmt.where(False)


def search_teams(actor, q: str = "", kind: str = "", skill: str = "", community_id: int = 0,
                 page: int = 1, per_page: int = 25) -> Page:
    stmt = scoped(select(Team), actor).order_by(Team.name, Team.id)
    if q:
        like = f"%{q}%"
        conditions = [
            Team.name.like(like),
            exists().where(TeamMember.team_id == Team.id,
                           or_(TeamMember.name.like(like), TeamMember.phone.like(like))),
        ]
        codes = categories_matching(q)
        if codes:
            conditions.append(exists().where(TeamSkill.team_id == Team.id,
                                             TeamSkill.skill.in_(codes)))
        stmt = stmt.where(or_(*conditions))
    if kind:
        stmt = stmt.where(Team.kind == kind)
    if skill:
        stmt = stmt.where(exists().where(TeamSkill.team_id == Team.id, TeamSkill.skill == skill))
    if community_id:
        stmt = stmt.where(covers_community(community_id))
    return paginate(stmt, page, per_page)


def list_details(teams: list[Team]) -> dict:
    """Skills, community names, member counts and leads of a page of teams, as plain rows.

    Three small queries a page, keyed by the page's ids: loading members as objects cost more
    than the rest of the page together, and per-row subqueries ran for every skipped row too.
    """
    ids = [t.id for t in teams]
    skills: dict[int, list[str]] = {i: [] for i in ids}
    covers: dict[int, list[str]] = {i: [] for i in ids}
    members: dict[int, tuple[int, str | None]] = {i: (0, None) for i in ids}
    if ids:
        lead = func.max(case((TeamMember.is_lead, TeamMember.name)))
        for team_id, count, lead_name in db.session.execute(
            select(TeamMember.team_id, func.count(TeamMember.id), lead)
            .where(TeamMember.team_id.in_(ids)).group_by(TeamMember.team_id)
        ):
            members[team_id] = (count, lead_name)
        for team_id, skill in db.session.execute(
            select(TeamSkill.team_id, TeamSkill.skill).where(TeamSkill.team_id.in_(ids))
            .order_by(TeamSkill.skill)
        ):
            skills[team_id].append(skill)
        for team_id, name in db.session.execute(
            select(team_communities.c.team_id, Community.name)
            .join(Community, Community.id == team_communities.c.community_id)
            .where(team_communities.c.team_id.in_(ids)).order_by(Community.name)
        ):
            covers[team_id].append(name)
    return {"skills": skills, "covers": covers, "members": members}


def get_team(actor, team_id: int) -> Team | None:
    stmt = scoped(select(Team).where(Team.id == team_id), actor).options(
        selectinload(Team.skills), selectinload(Team.members),
        selectinload(Team.communities), selectinload(Team.compounds))
    return db.session.scalar(stmt)


def can_edit(actor, team: Team | None) -> bool:
    """Admins edit any team; staff edit teams that serve their community (and create them)."""
    if actor.role == access.ADMIN:
        return True
    if actor.role == access.STAFF:
        return team is None or actor.community_id in {c.id for c in team.communities} or any(
            c.community_id == actor.community_id for c in team.compounds)
    return False


def can_manage_members(actor, team: Team) -> bool:
    return can_edit(actor, team) or (actor.role == access.LEAD and actor.team_id == team.id)


def sees_member_phones(actor, team: Team) -> bool:
    """Dispatchers and the team itself need members' numbers; nobody else does."""
    return can_edit(actor, team) or actor.team_id == team.id


def team_choices(actor) -> list[tuple[int, str]]:
    rows = db.session.execute(scoped(select(Team.id, Team.name), actor).order_by(Team.name))
    return [(r.id, r.name) for r in rows]


def compound_choices_by_community(actor) -> list[tuple[int, str]]:
    stmt = (select(Compound.id, Compound.name, Community.name.label("community"))
            .join(Community).order_by(Community.name, Compound.name))
    if actor.role != access.ADMIN:
        stmt = stmt.where(Compound.community_id == actor.community_id)
    return [(r.id, f"{r.community} · {r.name}") for r in db.session.execute(stmt)]


def name_taken(name: str, team_id: int | None = None) -> bool:
    stmt = select(Team.id).where(Team.name == name.strip())
    if team_id:
        stmt = stmt.where(Team.id != team_id)
    return db.session.scalar(stmt) is not None


def save_team(actor, data: dict, team: Team | None = None) -> Team:
    """Create or edit a team.

    Rules: names are unique; staff may only make a team cover their own community (and its
    compounds), since coverage elsewhere is another committee's call.
    """
    if not can_edit(actor, team):
        raise Refused(_l("You cannot edit this team."), status=403)
    if name_taken(data["name"], team.id if team else None):
        raise Refused(_l("A team with this name exists already."), field="name", status=422)
    community_ids = set(data.get("communities") or [])
    compound_ids = set(data.get("compounds") or [])
    if actor.role == access.STAFF:
        if community_ids - {actor.community_id}:
            raise Refused(_l("You can only add your own community."), field="communities",
                          status=422)
        allowed = {cid for cid, _ in compound_choices_by_community(actor)}
        if compound_ids - allowed:
            raise Refused(_l("You can only add compounds of your own community."),
                          field="compounds", status=422)
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
        TeamSkill(skill=code) for code in sorted(wanted - set(team.skill_codes))]
    team.communities = list(db.session.scalars(
        select(Community).where(Community.id.in_(community_ids)))) if community_ids else []
    team.compounds = list(db.session.scalars(
        select(Compound).where(Compound.id.in_(compound_ids)))) if compound_ids else []
    try:
        db.session.commit()
    except IntegrityError:  # two people saving the same new name at once
        db.session.rollback()
        raise Refused(_l("A team with this name exists already."), field="name",
                      status=422) from None
    return team


def add_member(actor, team: Team, data: dict) -> TeamMember:
    """Add a member; a new lead replaces the old one (a team has one lead)."""
    if not can_manage_members(actor, team):
        raise Refused(_l("You cannot change this team's members."), status=403)
    if any(m.phone == data["phone"] for m in team.members):
        raise Refused(_l("This number is already in the team."), field="phone", status=422)
    if data.get("is_lead"):
        for m in team.members:
            m.is_lead = False
    from coordinator.auth.models import User

    user_id = db.session.scalar(select(User.id).where(User.phone == data["phone"]))
    member = TeamMember(team=team, name=data["name"], phone=data["phone"],
                        is_lead=bool(data.get("is_lead")), user_id=user_id)
    db.session.add(member)
    db.session.commit()
    return member


def remove_member(actor, team: Team, member_id: int) -> None:
    if not can_manage_members(actor, team):
        raise Refused(_l("You cannot change this team's members."), status=403)
    member = next((m for m in team.members if m.id == member_id), None)
    if member is None:
        raise Refused(_l("That person is not in this team."), status=404)
    team.members.remove(member)
    db.session.commit()
