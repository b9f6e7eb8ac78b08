"""Service teams: the resource chain (资源链) a community dispatches work to."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import translated, utcnow

KINDS = {
    "property": _l("Property management firm"),
    "rights_unit": _l("Property-rights unit"),
    "handymen": _l("Local handymen"),
    "volunteers": _l("Volunteer team"),
    "contractor": _l("Contractor or department"),
}


def kind_labels() -> dict[str, str]:
    """The kinds in the reader's language, translated once for a whole list."""
    return translated(KINDS)


team_communities = Table(
    "team_communities",
    db.metadata,
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "community_id",
        ForeignKey("communities.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)
team_compounds = Table(
    "team_compounds",
    db.metadata,
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "compound_id", ForeignKey("compounds.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Team(db.Model):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    phone: Mapped[str] = mapped_column(String(20), default="")
    capacity: Mapped[int] = mapped_column(Integer, default=3)
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # What the team list's search looks in: the name and every member's name and phone, in
    # lower case, kept by the operations that change a team's name or members
    # (teams.services.refresh_search_text, in their unit of work).
    # One short row a team to scan instead of ten member rows: a search that matches little
    # walks every team, and 20,000 members cost ten times 2,000 teams.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    skills: Mapped[list["TeamSkill"]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="TeamSkill.skill"
    )
    members: Mapped[list["TeamMember"]] = relationship(
        back_populates="team",
        cascade="all, delete-orphan",
        order_by="(TeamMember.is_lead.desc(), TeamMember.id)",
    )
    communities = relationship("Community", secondary=team_communities, order_by="Community.name")
    compounds = relationship("Compound", secondary=team_compounds, order_by="Compound.name")

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))

    @property
    def skill_codes(self) -> list[str]:
        return [s.skill for s in self.skills]

    @property
    def lead(self) -> "TeamMember | None":
        return next((m for m in self.members if m.is_lead), None)


class TeamSkill(db.Model):
    __tablename__ = "team_skills"
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    skill: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)
    team: Mapped[Team] = relationship(back_populates="skills")


class TeamMember(db.Model):
    __tablename__ = "team_members"
    # One number once per team: a double-tapped "add" must not make the member twice.
    __table_args__ = (UniqueConstraint("team_id", "phone"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40), index=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    team: Mapped[Team] = relationship(back_populates="members")
    user = relationship("User")


def search_text_update(team_ids=None):
    """UPDATE teams' search_text from their name and members (all teams when ids is None)."""
    members = (
        select(func.aggregate_strings(TeamMember.name + " " + TeamMember.phone, " "))
        .where(TeamMember.team_id == Team.id)
        .scalar_subquery()
    )
    stmt = update(Team).values(search_text=func.lower(Team.name + " " + func.coalesce(members, "")))
    return stmt if team_ids is None else stmt.where(Team.id.in_(team_ids))
