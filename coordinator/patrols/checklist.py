"""What a grid worker looks at in each kind of place: the checklist as data.

Each item names what to look at, the category a problem found becomes a case of, and the
places it belongs to: the kinds of place (小区, 平房区, 商铺) and, for some, an attribute of the
compound (a bike shed to look into; many trees to walk under). `items_for(compound)` is the one
rule reading it; the patrol page, the service and the tests all ask it.
"""

from dataclasses import dataclass

from coordinator.i18n import lazy_gettext as _l

ALL_KINDS = frozenset({"compound", "bungalow", "business"})
HOMES = frozenset({"compound", "bungalow"})


@dataclass(frozen=True)
class Item:
    code: str
    label: object  # a lazy string
    hint: object
    category: str  # coordinator/categories.py: what a problem found becomes
    kinds: frozenset = ALL_KINDS
    needs: str = ""  # a compound attribute that must be true ("has_bike_shed")
    or_needs: str = ""  # … or, outside `kinds`, this attribute brings the item in

    def applies(self, compound) -> bool:
        if self.needs and not getattr(compound, self.needs, False):
            return False
        if compound.kind in self.kinds:
            return True
        return bool(self.or_needs and getattr(compound, self.or_needs, False))


# In walking order: what one sees from the gate first, then the buildings, then the corners.
ITEMS = (
    Item(
        "bike_shed",
        _l("Bike shed and abandoned bikes"),
        _l("Zombie bikes, broken locks, a full shed"),
        "bikes",
        kinds=HOMES,
        needs="has_bike_shed",
    ),
    Item(
        "fire_lanes",
        _l("Fire lanes clear"),
        _l("Cars, bikes or clutter blocking the fire lane"),
        "bikes",
    ),
    Item("manholes", _l("Manhole covers"), _l("Missing, broken or loose covers"), "drain"),
    Item("street_lights", _l("Street lights"), _l("Lamps out, flickering or damaged"), "electrics"),
    Item(
        "trees",
        _l("Trees and dead branches"),
        _l("Dead or hanging branches, leaning trees"),
        "trees",
        kinds=HOMES,
        or_needs="many_trees",
    ),
    Item(
        "charging_cables",
        _l("E-bike charging cables from windows"),
        _l("Cables hanging from windows to charge e-bikes"),
        "electrics",
        kinds=HOMES,
    ),
    Item(
        "flyposting", _l("Flyposting"), _l("Ads stuck or painted on walls and poles"), "flyposting"
    ),
    Item("rubbish", _l("Piled rubbish"), _l("Rubbish or bulky waste left out"), "cleaning"),
    Item(
        "illegal_structures",
        _l("Illegal structures"),
        _l("New sheds, enclosures or extensions"),
        "other",
        kinds=HOMES,
    ),
    Item(
        "pavement_business",
        _l("Goods on the pavement"),
        _l("Shops trading or storing goods on the pavement"),
        "other",
        kinds=frozenset({"business"}),
    ),
    Item("potholes", _l("Potholes"), _l("Holes and broken paving"), "paving"),
)
BY_CODE = {item.code: item for item in ITEMS}


def items_for(compound) -> list[Item]:
    """The checklist of one place (anything with kind, has_bike_shed and many_trees)."""
    return [item for item in ITEMS if item.applies(compound)]
