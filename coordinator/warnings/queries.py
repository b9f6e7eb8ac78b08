"""Read models of warnings: the list (newest first), one warning with the work it made.

Warnings are the whole city's (the Meteorological Service's), so admins and staff see every
one; the work they made is cases, which each reader sees by the cases' own scope (staff: the
compounds of their community)."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from coordinator import access
from coordinator.campaigns.models import Campaign, CampaignTarget
from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.paging import Page, paginate
from coordinator.places.models import Community, Compound, Subdistrict
from coordinator.plans.models import PlanRun
from coordinator.warnings.models import WeatherWarning


def visible(stmt, actor):
    """The warnings' scope rule: the office (admins and staff) sees every warning."""
    return stmt if actor.role in access.OFFICE else stmt.where(WeatherWarning.id.is_(None))


def warnings_page(actor, page: int, per_page: int) -> Page:
    """Newest first (by when it starts, then when recorded)."""
    stmt = visible(select(WeatherWarning), actor).order_by(
        WeatherWarning.valid_from.desc(), WeatherWarning.id.desc()
    )
    return paginate(stmt, page, per_page)


def is_current(warning: WeatherWarning, now: datetime) -> bool:
    """Valid now or still ahead."""
    return warning.valid_to > now


def get_warning(actor, warning_id: int) -> WeatherWarning | None:
    stmt = visible(select(WeatherWarning), actor).where(WeatherWarning.id == warning_id)
    return db.session.scalar(stmt.options(joinedload(WeatherWarning.created_by)))


@dataclass
class RunWork:
    """One plan's run for a warning: its outcome and, when it made work, the compounds'
    cases the reader may see."""

    run: PlanRun
    campaign: Campaign | None
    targets: list[CampaignTarget] = field(default_factory=list)


def work_of(actor, warning: WeatherWarning) -> list[RunWork]:
    """Every plan run of the warning, with its campaign and each compound's case (two
    statements whatever the number of plans and compounds)."""
    runs = db.session.scalars(
        select(PlanRun)
        .where(PlanRun.warning_id == warning.id)
        .options(joinedload(PlanRun.plan), joinedload(PlanRun.campaign))
        .order_by(PlanRun.id)
    ).all()
    campaign_ids = [r.campaign_id for r in runs if r.campaign_id]
    by_campaign: dict[int, list[CampaignTarget]] = {}
    if campaign_ids:
        stmt = (
            select(CampaignTarget)
            .join(Compound, Compound.id == CampaignTarget.compound_id)
            .where(CampaignTarget.campaign_id.in_(campaign_ids))
            .options(
                joinedload(CampaignTarget.compound),
                joinedload(CampaignTarget.case).joinedload(Case.team),
            )
            .order_by(CampaignTarget.campaign_id, Compound.name, CampaignTarget.id)
        )
        if actor.role != access.ADMIN:
            stmt = stmt.where(Compound.community_id == actor.community_id)
        for target in db.session.scalars(stmt):
            by_campaign.setdefault(target.campaign_id, []).append(target)
    return [RunWork(r, r.campaign, by_campaign.get(r.campaign_id, [])) for r in runs]


def office_of(actor) -> tuple[str, str, bool]:
    """Who signs the residents' text and whose phone it gives: the staff's community office,
    the subdistrict office for admins (the third value: True for the subdistrict)."""
    if actor.role == access.STAFF and actor.community_id:
        community = db.session.get(Community, actor.community_id)
        if community is not None:
            return community.name, community.office_phone or "", False
    subdistrict = db.session.scalar(select(Subdistrict).order_by(Subdistrict.id).limit(1))
    if subdistrict is None:
        return "", "", True
    return subdistrict.name, subdistrict.office_phone or "", True
