"""Target compounds chosen by what they share (DOMAIN.md): old (built before 2000), year built,
a bike shed, many trees, how many buildings, community, kind. The one rule of campaigns, plans
and warnings' work: `Targets` is what was chosen (kept as JSON on a campaign or a plan), and
`statement()` the compounds it names within an actor's scope (the places' rule)."""

import json
from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.i18n import gettext as _
from coordinator.places import queries as places
from coordinator.places.models import COMPOUND_KINDS, KIND_LABELS, Community, Compound

OLD_BEFORE = 2000  # places.models.Compound.is_old, in SQL


@dataclass(frozen=True)
class Targets:
    old: bool = False  # built before 2000 (老旧小区)
    built_from: int | None = None
    built_to: int | None = None
    bike_shed: bool | None = None  # None: either
    many_trees: bool | None = None
    min_buildings: int | None = None
    communities: tuple[int, ...] = field(default_factory=tuple)
    kinds: tuple[str, ...] = field(default_factory=tuple)
    # Chosen one by one instead (or as well): these compounds only.
    compounds: tuple[int, ...] = field(default_factory=tuple)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> "Targets":
        try:
            raw = json.loads(text or "{}")
        except ValueError:
            raw = {}
        return cls.from_dict(raw if isinstance(raw, dict) else {})

    @classmethod
    def from_dict(cls, raw: dict) -> "Targets":
        def year(value):
            return value if isinstance(value, int) and 1000 <= value <= 9999 else None

        def flag(value):
            return value if isinstance(value, bool) else None

        def ids(value):
            return tuple(sorted({v for v in value or () if isinstance(v, int) and v > 0}))

        min_buildings = raw.get("min_buildings")
        return cls(
            old=raw.get("old") is True,
            built_from=year(raw.get("built_from")),
            built_to=year(raw.get("built_to")),
            bike_shed=flag(raw.get("bike_shed")),
            many_trees=flag(raw.get("many_trees")),
            min_buildings=min_buildings
            if isinstance(min_buildings, int) and 0 < min_buildings < 10_000
            else None,
            communities=ids(raw.get("communities")),
            kinds=tuple(sorted({k for k in raw.get("kinds") or () if k in COMPOUND_KINDS})),
            compounds=ids(raw.get("compounds")),
        )

    def conditions(self) -> list:
        where = []
        if self.old:
            where.append(Compound.year_built < OLD_BEFORE)
        if self.built_from is not None:
            where.append(Compound.year_built >= self.built_from)
        if self.built_to is not None:
            where.append(Compound.year_built <= self.built_to)
        if self.bike_shed is not None:
            where.append(Compound.has_bike_shed.is_(self.bike_shed))
        if self.many_trees is not None:
            where.append(Compound.many_trees.is_(self.many_trees))
        if self.min_buildings is not None:
            where.append(Compound.building_count >= self.min_buildings)
        if self.communities:
            where.append(Compound.community_id.in_(self.communities))
        if self.kinds:
            where.append(Compound.kind.in_(self.kinds))
        if self.compounds:
            where.append(Compound.id.in_(self.compounds))
        return where

    def describe(self, community_names: dict[int, str] | None = None) -> str:
        """In words, for the campaign and plan pages: "老旧小区、有自行车棚、红联北村社区"."""
        words = []
        if self.old:
            words.append(_("old compounds (built before 2000)"))
        if self.built_from is not None or self.built_to is not None:
            words.append(
                _(
                    "built %(start)s–%(end)s",
                    start=self.built_from or "",
                    end=self.built_to or "",
                )
            )
        if self.bike_shed is not None:
            words.append(_("with a bike shed") if self.bike_shed else _("without a bike shed"))
        if self.many_trees is not None:
            words.append(_("with many trees") if self.many_trees else _("without many trees"))
        if self.min_buildings is not None:
            words.append(_("at least %(n)d buildings", n=self.min_buildings))
        if self.kinds:
            words.append("/".join(str(KIND_LABELS.get(k, k)) for k in self.kinds))
        if self.communities:
            names = community_names or {}
            words.append("/".join(names.get(c, str(c)) for c in self.communities))
        if self.compounds:
            words.append(_("%(n)d chosen compounds", n=len(self.compounds)))
        return _(", ").join(words) if words else _("every compound")


def statement(targets: Targets, actor):
    """The compounds these targets name that the actor may plan work in, by community and
    name (staff: their own community only)."""
    stmt = (
        select(Compound)
        .join(Community, Community.id == Compound.community_id)
        .where(*targets.conditions())
        .order_by(Community.name, Compound.name, Compound.id)
    )
    return places.visible(stmt, actor)


def count(targets: Targets, actor) -> int:
    """The live count the forms show before anyone confirms."""
    inner = statement(targets, actor).order_by(None).with_only_columns(Compound.id)
    return db.session.scalar(select(func.count()).select_from(inner.subquery())) or 0


def compounds(targets: Targets, actor, limit: int | None = None) -> list[Compound]:
    stmt = statement(targets, actor)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))
