"""The campaigns chapter of the demo: Mr Sun's patrol finding, dated before the drive it
caused, linked to it and settled when it finished; the four drives a proper campaign."""

from sqlalchemy import func, select

from coordinator.campaigns import demo
from coordinator.campaigns.models import Campaign, CampaignTarget, CaseEventLink
from coordinator.cases import demo as cases_demo
from coordinator.cases.models import Case, CaseEvent
from coordinator.demo import story
from coordinator.events import demo as events_demo
from coordinator.events.models import Event
from coordinator.extensions import db


def counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Campaign, CampaignTarget, CaseEventLink, CaseEvent)
    )


def test_the_campaign_chapter_tells_mr_suns_story_once(app):
    story.load()
    cases_demo.load()
    events_demo.load()
    db.session.commit()
    demo.load()
    db.session.commit()
    campaign = db.session.scalar(select(Campaign).where(Campaign.title == events_demo.CAMPAIGN))
    sun = db.session.scalar(select(Case).where(Case.tracking_token == "demo-sun-bikes"))
    first = db.session.get(Event, campaign.source_event_id)
    assert campaign.work_kind == "event" and campaign.source_case_id == sun.id
    assert first.compound.name == "西土城路8号院"
    targets = {t.compound.name: t for t in campaign.targets}
    assert set(targets) == {"西土城路8号院", "北三环中路40号院", "文慧园路小区", "志强北园"}
    assert all(t.event_id for t in targets.values())
    assert targets["西土城路8号院"].done_at is not None and targets["志强北园"].done_at is None
    # Mr Sun's finding came before the drive it caused, and the finished drive settled it.
    assert sun.created_at < first.created_at < first.starts_at
    assert sun.status == "closed" and sun.closed_at >= first.ends_at
    last = db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == sun.id).order_by(CaseEvent.id.desc())
    )
    assert last.action == "settle_by_event" and first.title in last.note
    before = counts()
    demo.load()
    db.session.commit()
    assert counts() == before
