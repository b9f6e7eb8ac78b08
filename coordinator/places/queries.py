"""Read models of places that other domains choose from."""

from sqlalchemy import select

from coordinator import access
from coordinator.extensions import db
from coordinator.places.models import Community, Compound


def compound_choices(actor, *conditions) -> list[tuple[int, str]]:
    """The compounds an actor may plan in (admins every one, everyone else their community's),
    labelled with their community, by community and name; `conditions` narrow them further
    (e.g. a drive's copies leave out the compounds that have one)."""
    stmt = (
        select(Compound.id, Compound.name, Community.name.label("community"))
        .join(Community, Community.id == Compound.community_id)
        .where(*conditions)
        .order_by(Community.name, Compound.name)
    )
    if actor.role != access.ADMIN:
        stmt = stmt.where(Compound.community_id == actor.community_id)
    return [(r.id, f"{r.community} · {r.name}") for r in db.session.execute(stmt)]
