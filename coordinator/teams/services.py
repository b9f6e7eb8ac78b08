"""Use cases that change service teams, and who may make them (the rules below)."""

from sqlalchemy import select

from coordinator import access
from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.places.models import Community, Compound
from coordinator.places.queries import plannable_compounds
from coordinator.rules import Refused
from coordinator.teams.models import Team, TeamMember, TeamSkill, search_text_update
from coordinator.teams.queries import name_taken
from coordinator.work import unit_of_work

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
        allowed = {cid for cid, _ in plannable_compounds(actor)}
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
