"""Reading and editing the map. Staff see their own community; admins see all."""

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from coordinator import access
from coordinator.auth.models import User
from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.paging import read_rows
from coordinator.places.models import Building, Community, Compound, Entrance, Grid, Subdistrict
from coordinator.rules import Refused
from coordinator.work import unit_of_work


def visible_community_ids(actor) -> list[int] | None:
    """None means every community."""
    if actor.role == access.ADMIN:
        return None
    return [actor.community_id] if actor.community_id else []


def _in_view(stmt, actor):
    ids = visible_community_ids(actor)
    return stmt if ids is None else stmt.where(Community.id.in_(ids))


def communities_for(actor) -> list[Community]:
    return list(db.session.scalars(_in_view(select(Community).order_by(Community.name), actor)))


# Every list page's community filter asks for these: two columns, statements built once.
_CHOICES = select(Community.id, Community.name).order_by(Community.name)
_CHOICES_AMONG = _CHOICES.where(Community.id.in_(bindparam("ids", expanding=True)))


def community_choices(actor) -> list[tuple[int, str]]:
    ids = visible_community_ids(actor)
    if ids is None:
        return all_community_choices()
    return [(row.id, row.name) for row in read_rows(_CHOICES_AMONG, {"ids": ids})]


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


def overview(actor) -> dict:
    """The subdistrict and, per community, how many compounds, buildings and grids it has."""
    ids = visible_community_ids(actor)
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
    if ids is not None:
        counts = counts.where(Community.id.in_(ids))
    rows = db.session.execute(counts).all()
    return {"subdistrict": db.session.scalar(select(Subdistrict).limit(1)), "rows": rows}


def get_community(actor, community_id: int) -> Community | None:
    ids = visible_community_ids(actor)
    if ids is not None and community_id not in ids:
        return None
    return db.session.scalar(
        select(Community)
        .where(Community.id == community_id)
        .options(
            selectinload(Community.compounds), selectinload(Community.grids).joinedload(Grid.worker)
        )
    )


def get_compound(actor, compound_id: int) -> Compound | None:
    compound = db.session.scalar(
        select(Compound)
        .where(Compound.id == compound_id)
        .options(selectinload(Compound.buildings).selectinload(Building.entrances))
    )
    if compound is None:
        return None
    ids = visible_community_ids(actor)
    if ids is not None and compound.community_id not in ids:
        return None
    return compound


# Names are unique where people look for them (a community in the subdistrict, a compound in
# its community, …). The database's unique key is the check: a name taken, before or at the
# same moment, is refused at the name field (409) by the unit of work.


def save_community(data: dict, community: Community | None = None) -> Community:
    """Create or rename a community; names are unique in the subdistrict."""
    with unit_of_work(conflict=_l("A community with this name exists already."), field="name"):
        if community is None:
            community = Community(subdistrict_id=db.session.scalar(select(Subdistrict.id).limit(1)))
            db.session.add(community)
        community.name = data["name"]
        community.office_phone = data.get("office_phone") or ""
        community.address = data.get("address") or ""
    return community


def save_compound(data: dict, compound: Compound | None = None) -> Compound:
    """Create or edit a compound; names are unique within their community."""
    with unit_of_work(
        conflict=_l("This community has a compound with this name already."), field="name"
    ):
        if compound is None:
            compound = Compound()
            db.session.add(compound)
        for key in (
            "community_id",
            "name",
            "kind",
            "address",
            "year_built",
            "has_bike_shed",
            "many_trees",
        ):
            setattr(compound, key, data.get(key))
        compound.building_count = data.get("building_count") or 0
        compound.address = compound.address or ""
    return compound


def add_building(compound: Compound, data: dict) -> Building:
    """A building with its entrances numbered 1单元, 2单元, …; the compound's count follows."""
    with unit_of_work(
        conflict=_l("This compound has a building with this name already."), field="name"
    ):
        building = Building(compound=compound, name=data["name"], floors=data["floors"])
        building.entrances = [Entrance(name=f"{i}单元") for i in range(1, data["entrances"] + 1)]
        db.session.add(building)
        compound.building_count = max(compound.building_count or 0, len(compound.buildings))
    return building


def add_grid(community: Community, data: dict) -> Grid:
    """A grid of the community, its worker one of the community's staff."""
    worker_id = data.get("worker_id") or None
    if worker_id:
        worker = db.session.get(User, worker_id)
        if worker is None or worker.community_id != community.id:
            raise Refused(_l("Choose a worker of this community."), field="worker_id", status=422)
    with unit_of_work(
        conflict=_l("This community has a grid with this name already."), field="name"
    ):
        grid = Grid(community=community, name=data["name"], worker_id=worker_id)
        db.session.add(grid)
    return grid


def staff_choices(community_id: int) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(User.id, User.name)
        .where(User.community_id == community_id, User.role == access.STAFF)
        .order_by(User.name)
    )
    return [(r.id, r.name) for r in rows]
