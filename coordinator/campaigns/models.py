"""Campaigns (专项行动): one problem, many places. Each target compound gets its own work, a case
or an event, made in one transaction with the campaign (services.launch); the campaign closes
when all of its work is done.

A campaign comes from a case (Ms Li's main stack), a hot spot, an event (the 西土城路8号院
drive, copied into other compounds), a plan's occurrence or a weather warning (plans and
warnings make their work as campaigns, so one page follows all of it).
"""

import json
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

# What each target compound gets.
WORK_KINDS = {
    "case": _l("An inspection or repair case"),
    "event": _l("An event (a copy of the drive)"),
}
OPEN, CLOSED = "open", "closed"
STATUSES = {OPEN: (_l("Under way"), "blue"), CLOSED: (_l("Done"), "green")}


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_status_created", "status", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    # What to do: the category of the cases, the instructions and a checklist (one item a line).
    category: Mapped[str] = mapped_column(String(20), default="")
    instructions: Mapped[str] = mapped_column(Text, default="")
    checklist: Mapped[str] = mapped_column(Text, default="")
    work_kind: Mapped[str] = mapped_column(String(8), default="case")
    # The cases' urgency, deadline and team (None: each compound's best match).
    tier: Mapped[str] = mapped_column(String(12), default="general")
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    # The targets as chosen (targets.Targets as JSON), kept to say which class of places.
    criteria: Mapped[str] = mapped_column(Text, default="{}")
    # Where it came from: a case, an event, a hot spot (its board query), a warning.
    source_case_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "cases.id",
            use_alter=True,
            name="fk_campaigns_source_case_id_cases",
            ondelete="SET NULL",
        ),
        index=True,
    )
    source_event_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "events.id",
            use_alter=True,
            name="fk_campaigns_source_event_id_events",
            ondelete="SET NULL",
        ),
        index=True,
    )
    source_spot: Mapped[str] = mapped_column(String(200), default="")
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("warnings.id"), index=True)
    status: Mapped[str] = mapped_column(String(8), default=OPEN)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The "make a campaign" form's one-time key: sent twice, it makes one campaign.
    submission_key: Mapped[str | None] = mapped_column(String(32), unique=True, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    created_by = relationship("User")
    team = relationship("Team")
    source_case = relationship("Case", foreign_keys=[source_case_id])
    warning = relationship("WeatherWarning")
    events: Mapped[list["Event"]] = relationship(  # noqa: F821
        back_populates="campaign", foreign_keys="Event.campaign_id", order_by="Event.starts_at"
    )
    source_event = relationship("Event", foreign_keys=[source_event_id], post_update=True)
    targets: Mapped[list["CampaignTarget"]] = relationship(
        back_populates="campaign", order_by="CampaignTarget.id"
    )

    @property
    def checklist_items(self) -> list[str]:
        return [line.strip() for line in (self.checklist or "").splitlines() if line.strip()]

    @property
    def criteria_dict(self) -> dict:
        try:
            value = json.loads(self.criteria or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


class CampaignTarget(db.Model):
    """One compound of a campaign and the work it got (a case or an event); `found`: what an
    inspection found there (True a problem, False nothing, None not known yet)."""

    __tablename__ = "campaign_targets"
    __table_args__ = (
        UniqueConstraint(
            "campaign_id", "compound_id", name="uq_campaign_targets_campaign_id_compound_id"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    found: Mapped[bool | None] = mapped_column(Boolean)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)

    campaign: Mapped[Campaign] = relationship(back_populates="targets")
    compound = relationship("Compound")
    case = relationship("Case", foreign_keys=[case_id])
    event = relationship("Event", foreign_keys=[event_id])


class CaseEventLink(db.Model):
    """A case handled by an event (Mr Sun's patrol finding → the drive it caused): the case is
    settled when the event is finished."""

    __tablename__ = "case_event_links"
    __table_args__ = (
        UniqueConstraint("case_id", "event_id", name="uq_case_event_links_case_id_event_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case = relationship("Case")
    event = relationship("Event")
