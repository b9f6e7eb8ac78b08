"""The demo chapter tells the story and a second load changes nothing."""

from sqlalchemy import func, select

from coordinator.campaigns.models import Campaign
from coordinator.demo import story
from coordinator.events import demo
from coordinator.events.models import Event, HoursCorrection, Signup
from coordinator.extensions import db
from coordinator.notifications.models import OutboxMessage


def _counts():
    return [
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Event, Signup, HoursCorrection, Campaign, OutboxMessage)
    ]


def test_demo_story_of_events_is_idempotent(app):
    story.load()
    demo.load()
    db.session.commit()
    first = _counts()
    demo.load()
    db.session.commit()
    assert _counts() == first
    drive = db.session.scalar(select(Event).where(Event.title.like("西土城路8号院%")))
    assert drive.kind == "bike_drive" and drive.status == "done"
    assert drive.organiser.name == "陈楠" and drive.claim_days == 15
    assert (drive.starts_at.date() - drive.notice_date).days == 7
    assert [r.name for r in drive.roles] == ["搬运车辆", "清扫车棚", "登记车辆"]
    liu = db.session.scalar(
        select(Signup)
        .join(Signup.user)
        .where(Signup.event_id == drive.id, Signup.user.has(phone="13800000007"))
    )
    assert liu.hours_minutes and liu.hours_confirmed_by_id == drive.organiser_id
    kinds = set(db.session.scalars(select(Event.kind)))
    assert {"bike_drive", "recycle_exchange", "other"} <= kinds
    statuses = set(db.session.scalars(select(Event.status)))
    assert {"done", "published", "draft"} <= statuses
