"""Changing the map: communities, compounds, buildings and grids (the admin's work)."""

from sqlalchemy import select

from coordinator.auth.models import User
from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.places.models import Building, Community, Compound, Entrance, Grid, Subdistrict
from coordinator.rules import Refused
from coordinator.work import unit_of_work

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


def _community_compounds(community_id: int, ids) -> list[Compound]:
    """The compounds chosen for a grid, every one of them of the grid's community."""
    ids = sorted(set(ids or []))
    if not ids:
        return []
    found = list(
        db.session.scalars(
            select(Compound).where(Compound.id.in_(ids), Compound.community_id == community_id)
        )
    )
    if len(found) != len(ids):
        raise Refused(_l("Choose compounds of this community."), field="compound_ids", status=422)
    return found


def set_grid_compounds(grid: Grid, data: dict) -> Grid:
    """The compounds a grid's worker walks: the community's own only."""
    compounds = _community_compounds(grid.community_id, data.get("compound_ids"))
    with unit_of_work():
        grid.compounds = compounds
    return grid


def add_grid(community: Community, data: dict) -> Grid:
    """A grid of the community, its worker one of the community's staff, its compounds the
    community's own."""
    worker_id = data.get("worker_id") or None
    compounds = _community_compounds(community.id, data.get("compound_ids"))
    if worker_id:
        worker = db.session.get(User, worker_id)
        if worker is None or worker.community_id != community.id:
            raise Refused(_l("Choose a worker of this community."), field="worker_id", status=422)
    with unit_of_work(
        conflict=_l("This community has a grid with this name already."), field="name"
    ):
        grid = Grid(
            community=community, name=data["name"], worker_id=worker_id, compounds=compounds
        )
        db.session.add(grid)
    return grid
