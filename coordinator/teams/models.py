"""Service teams: the resource chain (资源链) a community dispatches work to."""

from datetime import datetime
from itertools import chain

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import translated
from coordinator.ui import utcnow

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
    Column("community_id", ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)
team_compounds = Table(
    "team_compounds",
    db.metadata,
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("compound_id", ForeignKey("compounds.id", ondelete="CASCADE"), primary_key=True,
           index=True),
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
    # lower case, kept by the database itself after each flush (see _refresh_search_text).
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
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"),
                                         primary_key=True)
    skill: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)
    team: Mapped[Team] = relationship(back_populates="skills")


class TeamMember(db.Model):
    __tablename__ = "team_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    # active_history: a member moved to another team must tell which team it left (the
    # search text of both changes), even when the old value was not loaded.
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True,
                                         active_history=True)
    name: Mapped[str] = mapped_column(String(40), index=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    team: Mapped[Team] = relationship(back_populates="members", active_history=True)
    user = relationship("User")



def search_text_update(team_ids=None):
    """UPDATE teams' search_text from their name and members (all teams when ids is None)."""
    members = (select(func.aggregate_strings(TeamMember.name + " " + TeamMember.phone, " "))
               .where(TeamMember.team_id == Team.id).scalar_subquery())
    stmt = update(Team).values(
        search_text=func.lower(Team.name + " " + func.coalesce(members, "")))
    return stmt if team_ids is None else stmt.where(Team.id.in_(team_ids))


@event.listens_for(Session, "after_flush")
def _refresh_search_text(session, _context):
    """Whatever wrote a team or a member (a service, the demo loader, a test factory), the
    team's search text follows in the same transaction."""
    touched = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Team):
            touched.add(obj.id)
        elif isinstance(obj, TeamMember):
            touched.add(obj.team_id)
            # A member moved to another team: the one it left changes too.
            touched.update(old.id for old in inspect(obj).attrs.team.history.deleted or ()
                           if old is not None)
            touched.update(inspect(obj).attrs.team_id.history.deleted or ())
    touched.discard(None)
    if touched:
        session.connection().execute(search_text_update(sorted(touched)))
