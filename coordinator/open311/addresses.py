"""Open311's addresses on our place tree, both ways.

An `address_id` names one place of the tree by its kind and its row id: `compound-12`,
`building-34`, `entrance-56` (the ids never change; a place renamed keeps its id). A case's
own address_id on GET is the most precise of the three it knows. The admin page
/open311/addresses lists every id with its name.

An `address_string` is matched against the names: the compound whose name (or street
address) appears in it, the longest one if several do ("红联北村平房区" before "红联北村"),
then that compound's building and entrance named in the rest ("3号楼", "3栋", "3号", "3#";
"2单元"). Written from most general to most specific, as addresses are in Chinese, or the
other way round as the specification's examples are: only the names count.

We keep no coordinates of places (places/models.py has none), so `lat`/`long` alone cannot
say where a case is: a request with only them is refused with a 400 that says to send an
address; with an address they are ignored.
"""

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select

from coordinator.converters import INT_MAX
from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.places.models import Building, Compound, Entrance

ADDRESS_ID = re.compile(r"(compound|building|entrance)-([0-9]{1,20})")
KINDS = ("compound", "building", "entrance")


@dataclass(frozen=True)
class Place:
    community_id: int
    compound_id: int
    building_id: int | None = None
    entrance_id: int | None = None


class UnknownAddress(ValueError):
    """The words for the client: why the address could not be placed (a 400)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def address_id_of(compound_id, building_id, entrance_id) -> str | None:
    """The most precise id a case's place has (entrance, else building, else compound)."""
    if entrance_id is not None:
        return f"entrance-{entrance_id}"
    if building_id is not None:
        return f"building-{building_id}"
    if compound_id is not None:
        return f"compound-{compound_id}"
    return None


def by_id(address_id: str) -> Place:
    match = ADDRESS_ID.fullmatch(address_id.strip())
    if match is None:
        raise UnknownAddress(
            _l(
                "address_id must look like compound-12, building-34 or entrance-56 "
                "(see the address ids the subdistrict gave you)."
            )
        )
    kind, number = match[1], int(match[2])
    if number > INT_MAX:  # no row can have it (and the database could not compare it)
        place = None
    elif kind == "compound":
        row = db.session.execute(
            select(Compound.community_id, Compound.id).where(Compound.id == number)
        ).first()
        place = row and Place(row[0], row[1])
    elif kind == "building":
        row = db.session.execute(
            select(Compound.community_id, Compound.id, Building.id)
            .join(Building, Building.compound_id == Compound.id)
            .where(Building.id == number)
        ).first()
        place = row and Place(row[0], row[1], row[2])
    else:
        row = db.session.execute(
            select(Compound.community_id, Compound.id, Building.id, Entrance.id)
            .join(Building, Building.compound_id == Compound.id)
            .join(Entrance, Entrance.building_id == Building.id)
            .where(Entrance.id == number)
        ).first()
        place = row and Place(row[0], row[1], row[2], row[3])
    if not place:
        raise UnknownAddress(
            _l("There is no place %(address_id)s in this subdistrict.", address_id=match[0])
        )
    return place


def _plain(text: str) -> str:
    """Full-width letters and digits as ASCII (３号楼 = 3号楼), no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


# "3号楼", "3栋", "3幢", "3号", "3#": a building's number (not "3楼" or "3层": a floor).
_BUILDING_NUMBER = re.compile(r"([0-9]+)(?:号楼|栋|幢|号|#)")
_ENTRANCE_NUMBER = re.compile(r"([0-9]+)(?:单元|门)")


def _number(name: str, pattern) -> str | None:
    match = pattern.search(_plain(name))
    return match[1].lstrip("0") or "0" if match else None


def _names(name: str, text: str) -> bool:
    """The name is in the text, and not as the tail of a longer number (3号楼 in 13号楼)."""
    return re.search(r"(?<![0-9])" + re.escape(name), text) is not None


def _pick(rest: str, rows, pattern):
    """The row whose name is in the rest of the address (the longest such), else the one
    whose number the rest names in one of the usual ways."""
    named = [row for row in rows if _plain(row.name) and _names(_plain(row.name), rest)]
    if named:
        return max(named, key=lambda row: len(_plain(row.name)))
    wanted = {m.lstrip("0") or "0" for m in pattern.findall(rest)}
    numbered = [row for row in rows if _number(row.name, pattern) in wanted]
    return numbered[0] if len(numbered) == 1 else None


def by_string(address: str) -> Place:
    text = _plain(address)
    if not text:
        raise UnknownAddress(_l("Send address_string or address_id: where is the problem?"))
    compounds = db.session.execute(
        select(Compound.id, Compound.community_id, Compound.name, Compound.address)
    ).all()
    found = []
    for row in compounds:
        for name in (row.name, row.address):
            plain = _plain(name or "")
            if plain and _names(plain, text):
                found.append((len(plain), plain, row))
    if not found:
        raise UnknownAddress(
            _l(
                "No compound of this subdistrict is named in “%(address)s”. Name the compound "
                "and the building, e.g. “红联北村 3号楼”, or send address_id.",
                address=address.strip()[:100],
            )
        )
    longest = max(length for length, _name, _row in found)
    best = {row.id: (name, row) for length, name, row in found if length == longest}
    if len(best) > 1:
        raise UnknownAddress(
            _l(
                "“%(address)s” names more than one compound; send address_id (%(ids)s).",
                address=address.strip()[:100],
                ids=", ".join(f"compound-{compound_id}" for compound_id in sorted(best)),
            )
        )
    name, compound = next(iter(best.values()))
    rest = text.replace(name, " ", 1)
    building = _pick(
        rest,
        db.session.execute(
            select(Building.id, Building.name).where(Building.compound_id == compound.id)
        ).all(),
        _BUILDING_NUMBER,
    )
    entrance = None
    if building is not None:
        rest = rest.replace(_plain(building.name), " ", 1)
        entrance = _pick(
            rest,
            db.session.execute(
                select(Entrance.id, Entrance.name).where(Entrance.building_id == building.id)
            ).all(),
            _ENTRANCE_NUMBER,
        )
    return Place(
        compound.community_id,
        compound.id,
        building.id if building is not None else None,
        entrance.id if entrance is not None else None,
    )


def resolve(address_id: str, address_string: str) -> Place:
    """address_id wins when both are sent (it is exact)."""
    if address_id:
        return by_id(address_id)
    return by_string(address_string)
