"""Reading the map. Staff see their own community; admins see all of it."""

from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from coordinator import access
from coordinator.auth.models import User
from coordinator.extensions import db
from coordinator.filters import like_pattern
from coordinator.paging import read_rows
from coordinator.places import search
from coordinator.places.models import Building, Community, Compound, Grid, Subdistrict


def visible(stmt, actor):
    """The places' scope rule: admins see every community, everyone else their own (and a
    statement selecting compounds must join their community)."""
    if actor.role == access.ADMIN:
        return stmt
    return stmt.where(Community.id == bindparam("actor_community", actor.community_id))


# Every list page's community filter asks for these: two columns, statements built once.
_CHOICES = select(Community.id, Community.name).order_by(Community.name)


@cache
def _choices_statement(role: str):
    return visible(_CHOICES, access.role_actor(role))


def community_choices(actor) -> list[tuple[int, str]]:
    """The communities the actor may see, by name, as (id, name)."""
    rows = read_rows(_choices_statement(actor.role), access.scope_params(actor))
    return [(row.id, row.name) for row in rows]


def all_community_choices() -> list[tuple[int, str]]:
    """Every community, by name (e.g. events, which anyone may look for across the
    subdistrict)."""
    return [(row.id, row.name) for row in read_rows(_CHOICES)]


def compound_choices(community_id: int | None) -> list[tuple[int, str]]:
    if not community_id:
        return []
    rows = db.session.execute(
        select(Compound.id, Compound.name)
        .where(Compound.community_id == community_id)
        .order_by(Compound.name)
    )
    return [(r.id, r.name) for r in rows]


def staff_choices(community_id: int) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(User.id, User.name)
        .where(User.community_id == community_id, User.role == access.STAFF)
        .order_by(User.name)
    )
    return [(r.id, r.name) for r in rows]


def overview(actor) -> dict:
    """The subdistrict and, per community, how many compounds, buildings and grids it has."""
    counts = (
        select(
            Community,
            func.count(func.distinct(Compound.id)).label("compounds"),
            func.coalesce(func.sum(Compound.building_count), 0).label("buildings"),
        )
        .outerjoin(Compound, Compound.community_id == Community.id)
        .group_by(Community.id)
        .order_by(Community.name)
    )
    rows = db.session.execute(visible(counts, actor)).all()
    return {"subdistrict": db.session.scalar(select(Subdistrict).limit(1)), "rows": rows}


def get_community(actor, community_id: int) -> Community | None:
    """A community with its compounds and grids, if the actor may see it."""
    stmt = (
        select(Community)
        .where(Community.id == community_id)
        .options(
            selectinload(Community.compounds),
            selectinload(Community.grids).joinedload(Grid.worker),
            selectinload(Community.grids).selectinload(Grid.compounds),
        )
    )
    return db.session.scalar(visible(stmt, actor))


def get_grid(actor, grid_id: int) -> Grid | None:
    """A grid, if the actor may see its community."""
    stmt = select(Grid).join(Community, Community.id == Grid.community_id).where(Grid.id == grid_id)
    return db.session.scalar(visible(stmt, actor))


def get_compound(actor, compound_id: int) -> Compound | None:
    """A compound with its buildings and entrances, if the actor may see its community."""
    stmt = (
        select(Compound)
        .join(Community, Compound.community_id == Community.id)
        .where(Compound.id == compound_id)
        .options(selectinload(Compound.buildings).selectinload(Building.entrances))
    )
    return db.session.scalar(visible(stmt, actor))


def plannable_compounds(actor, *conditions) -> list[tuple[int, str]]:
    """The compounds an actor may plan work in (the places' scope rule), labelled with their
    community, by community and name; `conditions` narrow them further (e.g. a drive's copies
    leave out the compounds that have one). The one compound-choice query of events and bikes."""
    stmt = (
        select(Compound.id, Compound.name, Community.name.label("community"))
        .join(Community, Community.id == Compound.community_id)
        .where(*conditions)
        .order_by(Community.name, Compound.name)
    )
    return [(r.id, f"{r.community} · {r.name}") for r in db.session.execute(visible(stmt, actor))]


def compound_place(compound_id: int | None):
    """A compound's (id, community_id), for a picker set from a search's pick; None if none."""
    if not compound_id:
        return None
    return db.session.execute(
        select(Compound.id, Compound.community_id).where(Compound.id == compound_id)
    ).first()


# A place search's answer is a short list to pick from; one row more tells that there are more.
FOUND_SHOWN = 8

_FOUND = (
    select(
        Compound.id,
        Compound.name,
        Compound.address,
        Compound.community_id,
        Community.name.label("community"),
    )
    .join(Community, Community.id == Compound.community_id)
    .where(Compound.search_key.like(bindparam("pattern"), escape="\\"))
    # The shortest names first: "红联北村" before "红联北村平房区" when both match.
    .order_by(func.length(Compound.name), Compound.name, Compound.id)
    .limit(FOUND_SHOWN + 1)
)


@cache
def _found_statement(role: str | None):
    return _FOUND if role is None else visible(_FOUND, access.role_actor(role))


def find_compounds(text: str | None, actor=None) -> tuple[list, bool]:
    """The compounds whose name or street address holds what was typed, in characters, pinyin
    or pinyin initials (places/search.py), as (rows, more): at most FOUND_SHOWN rows, and
    whether there are more. One statement over the stored keys. The public (a resident at
    /report) looks in the whole subdistrict; an office actor in the communities they may see."""
    query = search.query_of(text)
    if not query:
        return [], False
    role = actor.role if actor is not None and actor.role in access.OFFICE else None
    params = {"pattern": like_pattern(query)}
    if role is not None:
        params.update(access.scope_params(actor))
    rows = list(read_rows(_found_statement(role), params))
    return rows[:FOUND_SHOWN], len(rows) > FOUND_SHOWN
