"""The map: subdistrict → community → compound → building → entrance, and the grids."""

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.places import search

KIND_LABELS = {
    "compound": _l("Residential compound"),
    "bungalow": _l("Bungalow area"),
    "business": _l("Business premises"),
}
COMPOUND_KINDS = tuple(KIND_LABELS)


class Subdistrict(db.Model):
    __tablename__ = "subdistricts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    office_phone: Mapped[str] = mapped_column(String(20), default="")
    communities: Mapped[list["Community"]] = relationship(
        back_populates="subdistrict", order_by="Community.name"
    )


class Community(db.Model):
    __tablename__ = "communities"
    id: Mapped[int] = mapped_column(primary_key=True)
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("subdistricts.id"), index=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    office_phone: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    subdistrict: Mapped[Subdistrict] = relationship(back_populates="communities")
    compounds: Mapped[list["Compound"]] = relationship(
        back_populates="community", order_by="Compound.name"
    )
    grids: Mapped[list["Grid"]] = relationship(back_populates="community", order_by="Grid.name")


class Compound(db.Model):
    __tablename__ = "compounds"
    __table_args__ = (UniqueConstraint("community_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20), default="compound")
    address: Mapped[str] = mapped_column(String(200), default="")
    year_built: Mapped[int | None] = mapped_column(Integer)
    building_count: Mapped[int] = mapped_column(Integer, default=0)
    has_bike_shed: Mapped[bool] = mapped_column(Boolean, default=False)
    many_trees: Mapped[bool] = mapped_column(Boolean, default=False)
    # Name and address as people type them: characters, pinyin, initials (places/search.py).
    search_key: Mapped[str] = mapped_column(Text, default="")
    community: Mapped[Community] = relationship(back_populates="compounds")
    buildings: Mapped[list["Building"]] = relationship(
        back_populates="compound", order_by="Building.id"
    )

    @validates("name", "address")
    def _keep_search_key(self, key: str, value: str | None) -> str | None:
        """Whenever the name or the address is written, so is the key a search reads."""
        name = value if key == "name" else self.name
        address = value if key == "address" else self.address
        self.search_key = search.key_of(name or "", address or "")
        return value

    @property
    def is_old(self) -> bool:
        """Old compounds (老旧小区): built before 2000, the city's renovation line."""
        return self.year_built is not None and self.year_built < 2000


class Building(db.Model):
    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("compound_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    floors: Mapped[int] = mapped_column(Integer, default=6)
    compound: Mapped[Compound] = relationship(back_populates="buildings")
    entrances: Mapped[list["Entrance"]] = relationship(
        back_populates="building", order_by="Entrance.id"
    )


class Entrance(db.Model):
    __tablename__ = "entrances"
    __table_args__ = (UniqueConstraint("building_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    households: Mapped[int] = mapped_column(Integer, default=12)
    building: Mapped[Building] = relationship(back_populates="entrances")


# The compounds a grid worker walks (网格 ↔ 小区), set on the community's page, walked by the
# patrols. A compound may sit in more than one grid (a big compound split between two workers).
grid_compounds = Table(
    "grid_compounds",
    db.metadata,
    Column("grid_id", ForeignKey("grids.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "compound_id", ForeignKey("compounds.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Grid(db.Model):
    __tablename__ = "grids"
    __table_args__ = (UniqueConstraint("community_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    community: Mapped[Community] = relationship(back_populates="grids")
    worker = relationship("User")
    compounds: Mapped[list[Compound]] = relationship(
        secondary=grid_compounds, order_by=Compound.name
    )
