"""The campaigns of the story: Mr Sun's patrol finding at 西土城路8号院 → the drive it caused
(linked: the finished drive settled his case) → the campaign of four drives
"老旧小区废弃自行车集中清理" (events/demo.py made the drives and the bare campaign row; here it
becomes a proper campaign: work kind event, its source drive and case, a target per compound).
Idempotent: each step looks for what it would add first."""

from datetime import timedelta

from sqlalchemy import select

from coordinator.auth.models import User
from coordinator.campaigns.models import Campaign, CampaignTarget, CaseEventLink
from coordinator.campaigns.services import EVENT_DONE
from coordinator.campaigns.targets import Targets
from coordinator.cases import workflow
from coordinator.cases.models import Case
from coordinator.events.demo import CAMPAIGN
from coordinator.events.models import DONE, Event
from coordinator.extensions import db

FIRST = "西土城路8号院车棚废弃自行车集中清理"
CHECKLIST = "张贴认领通知（提前7天）\n登记车辆、贴编号\n15天认领期满后集中清运\n清扫车棚"


def load() -> None:
    campaign = db.session.scalar(select(Campaign).where(Campaign.title == CAMPAIGN))
    first = db.session.scalar(select(Event).where(Event.title == FIRST))
    sun = db.session.scalar(select(Case).where(Case.tracking_token == "demo-sun-bikes"))
    if campaign is None or first is None:
        return
    if sun is not None:
        _link(sun, first)
    campaign.work_kind = "event"
    campaign.category = "bikes"
    campaign.source_event_id = first.id
    campaign.source_case_id = sun.id if sun is not None else None
    campaign.criteria = Targets(old=True, bike_shed=True).to_json()
    campaign.instructions = campaign.instructions or (
        "参照西土城路8号院的做法：社区联合物业，志愿者协助搬运、清扫和登记；"
        "认领期满未认领的车辆交街道统一回收。"
    )
    campaign.checklist = campaign.checklist or CHECKLIST
    taken = set(
        db.session.scalars(
            select(CampaignTarget.event_id).where(CampaignTarget.campaign_id == campaign.id)
        )
    )
    for event in db.session.scalars(
        select(Event).where(Event.campaign_id == campaign.id).order_by(Event.starts_at)
    ):
        if event.id in taken or event.compound_id is None:
            continue
        db.session.add(
            CampaignTarget(
                campaign_id=campaign.id,
                compound_id=event.compound_id,
                event_id=event.id,
                done_at=event.updated_at if event.status in EVENT_DONE else None,
            )
        )
    db.session.flush()


def _link(case: Case, drive: Event) -> None:
    """Mr Sun's case is handled by the drive; the drive is finished, so the case was settled
    when it ended (as events/services.finish does it now, through campaigns' receiver)."""
    found = db.session.scalar(
        select(CaseEventLink).where(
            CaseEventLink.case_id == case.id, CaseEventLink.event_id == drive.id
        )
    )
    if found is not None:
        return
    chen = db.session.scalar(select(User).where(User.phone == "13800000003"))
    db.session.add(
        CaseEventLink(
            case_id=case.id,
            event_id=drive.id,
            created_by_id=chen.id if chen else None,
            created_at=drive.created_at,
        )
    )
    if drive.status == DONE and case.is_open:
        system = workflow.Guest(workflow.SYSTEM, chen.name if chen else "")
        workflow.transition(
            case,
            "settle_by_event",
            system,
            f"活动“{drive.title}”已结束，随之办结。",
            now=drive.ends_at + timedelta(minutes=30),
        )
    db.session.flush()
