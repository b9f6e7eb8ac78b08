"""Plans (计划 / 日常维护机制): preventive and recurring work. A plan names the work, its target
compounds by attribute (campaigns.targets), its team and either a schedule (an RFC 5545
RRULE with its DTSTART, in Beijing time) with a lead time, or a kind of weather warning it
answers. Each occurrence is run once: a PlanRun row per (plan, occurrence) or (plan,
warning), unique, taken in the same transaction as the work it makes (a campaign)."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import utcnow

SCHEDULE, WARNING = "schedule", "warning"
TRIGGERS = {SCHEDULE: _l("On a schedule"), WARNING: _l("Before a weather warning")}

# What a run came to.
CREATED, EMPTY, MISSED, FAILED = "created", "empty", "missed", "failed"
OUTCOMES = {
    CREATED: _l("Work created"),
    EMPTY: _l("No compound matched"),
    MISSED: _l("Missed (a later occurrence was run)"),
    FAILED: _l("Failed: no work made"),
}


class Plan(db.Model):
    __tablename__ = "plans"
    __table_args__ = (Index("ix_plans_active_trigger", "active", "trigger"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(20))
    instructions: Mapped[str] = mapped_column(Text, default="")
    checklist: Mapped[str] = mapped_column(Text, default="")
    tier: Mapped[str] = mapped_column(String(12), default="general")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    criteria: Mapped[str] = mapped_column(Text, default="{}")  # campaigns.targets.Targets
    # The community whose staff own the plan (None: the subdistrict's).
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    trigger: Mapped[str] = mapped_column(String(8), default=SCHEDULE)
    # On a schedule: RRULE text ("FREQ=MONTHLY;INTERVAL=6"), its first occurrence (UTC, naive,
    # like every time here; the rule is read in Beijing time) and how many days ahead of each
    # occurrence its work is made (and due at the occurrence).
    rrule: Mapped[str] = mapped_column(String(400), default="")
    starts_at: Mapped[datetime | None] = mapped_column(DateTime)
    lead_days: Mapped[int] = mapped_column(Integer, default=7)
    # Before a warning: the kinds it answers (comma-separated warnings.models.KINDS codes) and
    # the lowest level (blue < yellow < orange < red).
    warning_kinds: Mapped[str] = mapped_column(String(200), default="")
    min_level: Mapped[str] = mapped_column(String(8), default="blue")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    source_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    team = relationship("Team")
    community = relationship("Community")
    source_case = relationship("Case")
    created_by = relationship("User")
    runs: Mapped[list["PlanRun"]] = relationship(
        back_populates="plan", order_by="PlanRun.id.desc()", lazy="dynamic"
    )


class PlanRun(db.Model):
    """One occurrence of a plan, run once: the unique keys are the "exactly once" (a second
    run, on this host or another, finds its row taken and makes nothing)."""

    __tablename__ = "plan_runs"
    __table_args__ = (
        UniqueConstraint("plan_id", "occurrence_at", name="uq_plan_runs_plan_id_occurrence_at"),
        UniqueConstraint("plan_id", "warning_id", name="uq_plan_runs_plan_id_warning_id"),
        Index("ix_plan_runs_ran_at", "ran_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    occurrence_at: Mapped[datetime | None] = mapped_column(DateTime)  # schedule (UTC)
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("warnings.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(8), default=CREATED)
    work_count: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    ran_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="runs")
    warning = relationship("WeatherWarning")
    campaign = relationship("Campaign")
