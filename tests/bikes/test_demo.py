from datetime import datetime, timedelta

from sqlalchemy import func, select

from coordinator.bikes import demo, services
from coordinator.bikes.models import Bike, BikeHandover
from coordinator.campaigns.models import Campaign
from coordinator.demo import story
from coordinator.events.models import Event, EventRole
from coordinator.extensions import db
from coordinator.places.models import Compound


def campaign_progress(campaign):
    """The campaign's drives side by side with their bikes (what its page shows)."""
    events = db.session.scalars(
        select(Event).where(Event.campaign_id == campaign.id).order_by(Event.starts_at)
    ).all()
    counts = services.tally(e.id for e in events)
    return [
        {"event": e, "counts": counts[e.id], "is_source": e.id == campaign.source_event_id}
        for e in events
    ]


def plan_source_drive() -> Event:
    """What the events chapter plans: the 8号院 drive, done, with its roles."""
    compound = db.session.scalar(select(Compound).filter_by(name="西土城路8号院"))
    organiser = db.session.scalar(select(story.User).filter_by(phone="13800000003"))
    notice = services.local_date() - timedelta(days=40)
    event = Event(
        kind="bike_drive",
        title="西土城路8号院废弃自行车集中清理",
        community_id=compound.community_id,
        compound_id=compound.id,
        starts_at=datetime(2026, 11, 1, 1),
        ends_at=datetime(2026, 11, 1, 5),
        organiser_id=organiser.id,
        status="done",
        notice_date=notice,
        notice_text="西土城路8号院车棚内长期停放的废弃自行车将统一清理。",
    )
    event.roles = [EventRole(name="搬运", capacity=8), EventRole(name="登记车辆", capacity=2)]
    db.session.add(event)
    db.session.commit()
    return event


def snapshot():
    return {
        "bikes": db.session.scalar(select(func.count()).select_from(Bike)),
        "events": db.session.scalar(select(func.count()).select_from(Event)),
        "campaigns": db.session.scalar(select(func.count()).select_from(Campaign)),
        "handovers": db.session.scalar(select(func.count()).select_from(BikeHandover)),
    }


def load_twice_unchanged() -> None:
    """The bikes chapter, twice: the second run must change nothing."""
    demo.load()
    db.session.commit()
    first = snapshot()
    demo.load()
    db.session.commit()
    assert snapshot() == first


def test_demo_follows_the_events_chapter_and_runs_twice_unchanged(app, drives):  # drives: cleanup
    from coordinator.events import demo as events_demo

    story.load()
    events_demo.load()
    db.session.commit()
    load_twice_unchanged()

    campaign = db.session.scalar(select(Campaign))
    rows = {r["event"].compound.name: r for r in campaign_progress(campaign)}
    assert set(rows) == {"西土城路8号院", "文慧园路小区", "志强北园", "北三环中路40号院"}
    source = rows["西土城路8号院"]
    assert source["is_source"]
    assert (
        source["counts"]["total"],
        source["counts"]["claimed"],
        source["counts"]["recycled"],
    ) == (120, 9, 111)
    # Each drive's bikes match how far it has got.
    north = rows["北三环中路40号院"]["counts"]
    assert north["registered"] > 0 and north["pending"] > 0 and north["recycled"] == 0
    assert rows["文慧园路小区"]["counts"]["registered"] > 0
    assert rows["志强北园"]["counts"]["total"] == 0  # notice not up yet


def test_demo_makes_missing_follow_ups_itself(app, drives):  # drives: cleanup
    story.load()
    db.session.commit()
    demo.load()  # before the events chapter: nothing to hang bikes on, no error
    db.session.commit()
    assert snapshot()["bikes"] == 0
    source = plan_source_drive()
    load_twice_unchanged()

    counts = services.tally([source.id])[source.id]
    assert counts["total"] == 120 and counts["claimed"] == 9 and counts["recycled"] == 111
    assert counts["cleared"] == 120
    handover = db.session.scalar(select(BikeHandover).where(BikeHandover.event_id == source.id))
    assert handover.to_whom == "北太平庄街道" and handover.count == 111
    assert len({b.colour for b in db.session.scalars(select(Bike))}) > 4

    campaign = db.session.scalar(select(Campaign))
    assert campaign.source_event_id == source.id
    rows = campaign_progress(campaign)
    by_compound = {r["event"].compound.name: r for r in rows}
    assert set(by_compound) == {"西土城路8号院", "文慧园路小区", "志强北园", "北三环中路40号院"}
    assert by_compound["文慧园路小区"]["counts"]["registered"] > 0
    assert by_compound["志强北园"]["event"].kind == "recycle_exchange"
    assert by_compound["志强北园"]["counts"]["reused"] > 0
    assert len({r["event"].status for r in rows}) >= 2
