"""Cases: a resident's request from the first call to the call-back, and its audit trail."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy import case as sql_case
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import utcnow

TIERS = {
    "emergency": _l("Emergency (2 hours)"),
    "utilities": _l("Water, power, gas, heating (24 hours)"),
    "general": _l("General (7 days)"),
    "complex": _l("Complex (15 days)"),
}
TIER_SHORT = {
    "emergency": _l("Emergency"),
    "utilities": _l("Utilities"),
    "general": _l("General"),
    "complex": _l("Complex"),
}
CHANNELS = {
    "phone": _l("Phone call"),
    "walk_in": _l("Walk-in"),
    "hotline_12345": _l("Hotline 12345"),
    "wechat": _l("WeChat"),
    "patrol": _l("Patrol finding"),
    "online": _l("Online form"),
    "open311": _l("Open311"),
    "campaign": _l("Campaign"),
    "plan": _l("Planned maintenance"),
}
# Work the office planned itself (campaigns, plans, warnings), not a report from anyone: it is
# logged at no one's request, so the intake form does not offer it and the hot spots skip it.
PLANNED_CHANNELS = ("campaign", "plan")
INTAKE_CHANNELS = {k: v for k, v in CHANNELS.items() if k not in PLANNED_CHANNELS}
LINK_KINDS = {
    "duplicate_of": _l("Duplicate of"),
    "same_root_cause": _l("Same root cause as"),
    "part_of": _l("Part of"),
}
SATISFACTION = {
    "satisfied": _l("Satisfied"),
    "basically": _l("Basically satisfied"),
    "not": _l("Not satisfied"),
}
# What each answer counts towards a team's satisfaction (the one formula: the team page, the
# rollup rows matching ranks by, the suggestions' reasons): satisfied 1, basically 0.9, not 0.
SATISFACTION_SCORE = {"satisfied": 1.0, "basically": 0.9, "not": 0.0}
# The answers that close a case on its call-back; any other reopens it.
CONTENT = ("satisfied", "basically")


def satisfaction_rate(score: float | None, rated: int | None) -> float | None:
    """A team's satisfaction: the call-backs' scores over their number; None without any."""
    return (score or 0.0) / rated if rated else None


# The statuses the workflow ends in, and those with a team and its clock running (what counts
# as a team's load and can be overdue). workflow.FINAL and workflow.ON_THE_CLOCK are these.
FINAL_STATUSES = ("void", "closed")
ON_THE_CLOCK_STATUSES = ("accepted", "in_progress", "extended", "reopened")


def _sql_list(statuses) -> str:
    return ", ".join(f"'{status}'" for status in statuses)


# The board's two hot sets as literal SQL, so that the partial indexes below serve the queries
# that use the very same words (SQLite matches a partial index only on literal terms, never on
# bound parameters): Case.is_open and Case.on_the_clock in SQL.
OPEN_SQL = f"status NOT IN ({_sql_list(FINAL_STATUSES)})"
ON_THE_CLOCK_SQL = f"status IN ({_sql_list(ON_THE_CLOCK_STATUSES)})"


def _partial(name: str, where: str, *columns: str) -> Index:
    return Index(name, *columns, sqlite_where=text(where), postgresql_where=text(where))


def _once(name: str) -> Index:
    """The one-time key of a form sent from a phone (a step, a visit): taken once, so a replay
    of the same submission finds what the first one made (services.act, add_visit, finish).
    Partial: the trail's millions of steps taken without a key are not in it."""
    where = text("submission_key IS NOT NULL")
    return Index(name, "submission_key", unique=True, sqlite_where=where, postgresql_where=where)


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        # The board's default view (open cases, newest first), for admins and per community;
        # and the overdue list (on the clock, earliest deadline first). Few rows of a million.
        _partial("ix_cases_open_created", OPEN_SQL, "created_at", "id"),
        _partial("ix_cases_open_community_created", OPEN_SQL, "community_id", "created_at", "id"),
        _partial("ix_cases_clock_due", ON_THE_CLOCK_SQL, "due_at"),
        _partial("ix_cases_clock_community_due", ON_THE_CLOCK_SQL, "community_id", "due_at"),
        # The board's filters, each with the order it pages in.
        Index("ix_cases_status_due", "status", "due_at"),
        Index("ix_cases_status_created", "status", "created_at"),
        Index("ix_cases_community_created", "community_id", "created_at"),
        Index("ix_cases_team_status", "team_id", "status"),
        # A team's track record is worked out again from these (records.py).
        Index("ix_cases_team_handled", "team_id", "handled_at"),
        Index("ix_cases_category_created", "category", "created_at"),
        Index("ix_cases_channel_created", "channel", "created_at"),
        Index("ix_cases_compound_created", "compound_id", "created_at"),
        # A place's cases of one category, newest first: similar cases at intake, repeats in
        # one building (the same problem three times in 90 days), the hot spots' drill-down.
        Index("ix_cases_building_category_created", "building_id", "category", "created_at"),
        Index("ix_cases_compound_category_created", "compound_id", "category", "created_at"),
        # The dashboard's months (coordinator/dashboard): a month's closed and handed-over
        # cases when it freezes, and one category's hand-overs when its medians are redone
        # (covering: the two other times are in the index, no row is read).
        Index("ix_cases_closed_at", "closed_at"),
        Index("ix_cases_handled_at", "handled_at"),
        Index(
            "ix_cases_community_category_handled",
            "community_id",
            "category",
            "handled_at",
            "created_at",
            "accepted_at",
        ),
        # The open ones of a place and category, however old (similar cases: a job still open
        # from last winter is the one a new report joins). Few rows of a million.
        _partial(
            "ix_cases_open_building_category", OPEN_SQL, "building_id", "category", "created_at"
        ),
        _partial(
            "ix_cases_open_compound_category", OPEN_SQL, "compound_id", "category", "created_at"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(20))
    tier: Mapped[str] = mapped_column(String(12), default="general")
    channel: Mapped[str] = mapped_column(String(16))
    hotline_ticket: Mapped[str] = mapped_column(String(40), default="", index=True)

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    compound_id: Mapped[int | None] = mapped_column(ForeignKey("compounds.id"))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"), index=True)
    entrance_id: Mapped[int | None] = mapped_column(ForeignKey("entrances.id"), index=True)
    floor: Mapped[int | None] = mapped_column(Integer)
    household: Mapped[str] = mapped_column(String(40), default="")

    reporter_name: Mapped[str] = mapped_column(String(40), default="", index=True)
    reporter_phone: Mapped[str] = mapped_column(String(20), default="", index=True)
    description: Mapped[str] = mapped_column(Text)

    status: Mapped[str] = mapped_column(String(12), default="received")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    # The member of the team its lead gave the job to (services.assign); cleared when the case
    # goes to a team again, and when the member leaves the team (the backref below: the
    # member's removal sets it to NULL in the same flush).
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("team_members.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A deadline fixed when the case was made (planned work due before a weather warning
    # starts, or at its plan's occurrence): accepting it never gives a later due_at.
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime)
    handled_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    tracking_token: Mapped[str] = mapped_column(String(32), unique=True)
    # The one-time key of the form that logged the case (/report, /cases/new): the same form
    # sent twice (a double tap, the back button) finds this case instead of making another.
    submission_key: Mapped[str | None] = mapped_column(String(32), unique=True, index=True)
    root_cause: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The campaign (or plan run, or warning) this case is the work of, at one compound.
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", name="fk_cases_campaign_id_campaigns"),
        index=True,
    )
    # A case about a building's main stack concerns every household on it.
    affects_building: Mapped[bool] = mapped_column(Boolean, default=False)
    # Every UPDATE of a case says "WHERE version = the one I read" (version_id_col below):
    # two people pressing at once cannot both move it, the second gets StaleDataError → 409
    # (workflow.transition, services._changing).
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    community = relationship("Community")
    compound = relationship("Compound")
    building = relationship("Building")
    entrance = relationship("Entrance")
    team = relationship("Team")
    assignee = relationship("TeamMember", backref=backref("assigned_cases"))
    created_by = relationship("User")
    campaign = relationship("Campaign", foreign_keys=[campaign_id])
    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", order_by="(CaseEvent.at, CaseEvent.id)", cascade="all, delete-orphan"
    )
    visits: Mapped[list["Visit"]] = relationship(
        back_populates="case", order_by="Visit.id", cascade="all, delete-orphan"
    )
    notices: Mapped[list["Notice"]] = relationship(
        back_populates="case", order_by="Notice.id", cascade="all, delete-orphan"
    )
    callbacks: Mapped[list["Callback"]] = relationship(
        back_populates="case", order_by="Callback.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @hybrid_property
    def is_open(self) -> bool:
        """Not void, not closed (the board's default view)."""
        return self.status not in FINAL_STATUSES

    @is_open.inplace.expression
    @classmethod
    def _is_open_sql(cls):
        return text("cases." + OPEN_SQL)

    @hybrid_property
    def is_reported(self) -> bool:
        """Someone reported it (any channel but planned work: PLANNED_CHANNELS), so it counts
        where complaints are counted (the hot spots)."""
        return self.channel not in PLANNED_CHANNELS

    @is_reported.inplace.expression
    @classmethod
    def _is_reported_sql(cls):
        return cls.channel.not_in(PLANNED_CHANNELS)

    @hybrid_property
    def on_the_clock(self) -> bool:
        """With a team and its clock running: its deadline counts, it can be overdue."""
        return self.status in ON_THE_CLOCK_STATUSES

    @on_the_clock.inplace.expression
    @classmethod
    def _on_the_clock_sql(cls):
        return text("cases." + ON_THE_CLOCK_SQL)

    @hybrid_method
    def is_overdue(self, now) -> bool:
        """On the clock and past its deadline at `now`."""
        return self.on_the_clock and self.due_at is not None and self.due_at < now

    @is_overdue.expression
    @classmethod
    def _is_overdue_sql(cls, now):
        return and_(cls.on_the_clock, cls.due_at < now)

    @property
    def category_text(self) -> str:
        from coordinator.categories import category_label

        return category_label(self.category)

    @property
    def tier_label(self) -> str:
        return str(TIER_SHORT.get(self.tier, self.tier))

    @property
    def channel_label(self) -> str:
        return str(CHANNELS.get(self.channel, self.channel))

    @property
    def place(self) -> str:
        """红联北村 3号楼 2单元 1层 101: as precise as the case knows."""
        parts = [p.name for p in (self.compound, self.building, self.entrance) if p is not None]
        if not parts and self.community is not None:
            parts.append(self.community.name)
        if self.floor is not None:
            parts.append(str(_l("floor %(n)d", n=self.floor)))
        if self.household:
            parts.append(self.household)
        return " ".join(parts)

    @property
    def title(self) -> str:
        return f"{self.category_text} · {self.place}"

    @property
    def number(self) -> str:
        return f"#{self.id}"


class CaseEvent(db.Model):
    """One line of the audit trail: who did what, when, from which status to which, and why."""

    __tablename__ = "case_events"
    __table_args__ = (
        Index("ix_case_events_case_at", "case_id", "id"),
        _once("uq_case_events_submission_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Who, in words, also for people without an account (a job link, the resident).
    actor_name: Mapped[str] = mapped_column(String(80), default="")
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    submission_key: Mapped[str | None] = mapped_column(String(32))
    case: Mapped[Case] = relationship(back_populates="events")
    actor = relationship("User")


class Visit(db.Model):
    """Someone went there: when, who, what they found."""

    __tablename__ = "case_visits"
    __table_args__ = (_once("uq_case_visits_submission_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    by_name: Mapped[str] = mapped_column(String(80), default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    found: Mapped[str] = mapped_column(Text, default="")
    another_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    submission_key: Mapped[str | None] = mapped_column(String(32))
    case: Mapped[Case] = relationship(back_populates="visits")


class CaseLink(db.Model):
    """case —kind→ other: duplicate of, same root cause as, part of."""

    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("case_id", "other_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    case = relationship("Case", foreign_keys=[case_id])
    other = relationship("Case", foreign_keys=[other_id])

    @property
    def kind_label(self) -> str:
        return str(LINK_KINDS.get(self.kind, self.kind))


class Notice(db.Model):
    """A notice to the residents a case affects (a building's main stack: everyone upstairs)."""

    __tablename__ = "case_notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"))
    entrance_id: Mapped[int | None] = mapped_column(ForeignKey("entrances.id"))
    floors: Mapped[str] = mapped_column(String(40), default="")  # "2-6", "" = all
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    case: Mapped[Case] = relationship(back_populates="notices")
    building = relationship("Building")
    entrance = relationship("Entrance")


class Callback(db.Model):
    """The resident's answers: contacted? solved? how satisfied? (feeds the three rates)."""

    __tablename__ = "case_callbacks"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    contacted: Mapped[bool] = mapped_column(Boolean)
    solved: Mapped[bool] = mapped_column(Boolean)
    satisfaction: Mapped[str] = mapped_column(String(10))
    by_resident: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    case: Mapped[Case] = relationship(back_populates="callbacks")

    @hybrid_property
    def score(self) -> float:
        """What this answer counts towards the team's satisfaction (SATISFACTION_SCORE)."""
        return SATISFACTION_SCORE.get(self.satisfaction, 0.0)

    @score.inplace.expression
    @classmethod
    def _score_sql(cls):
        return sql_case(
            *(
                (cls.satisfaction == answer, points)
                for answer, points in SATISFACTION_SCORE.items()
            ),
            else_=0.0,
        )

    @property
    def satisfaction_label(self) -> str:
        return str(SATISFACTION.get(self.satisfaction, self.satisfaction))


class TeamRecord(db.Model):
    """Per team, what matching ranks by, kept in the same transaction by every operation that
    moves it (cases/records.py): the jobs in hand, and the track record over RECORD_DAYS as of
    `as_of` (the team's latest such change, or the last `flask cases refresh-records`)."""

    __tablename__ = "team_records"
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    open_jobs: Mapped[int] = mapped_column(Integer, default=0)
    # Median hours from accepted to handled, of the cases handled within the window.
    median_hours: Mapped[float | None] = mapped_column(Float)
    rated: Mapped[int] = mapped_column(Integer, default=0)  # call-backs within the window
    score: Mapped[float] = mapped_column(Float, default=0.0)  # Callback.score summed
    as_of: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @hybrid_property
    def satisfaction(self) -> float | None:
        return satisfaction_rate(self.score, self.rated)

    @satisfaction.inplace.expression
    @classmethod
    def _satisfaction_sql(cls):
        return sql_case((cls.rated > 0, cls.score / cls.rated), else_=None)
