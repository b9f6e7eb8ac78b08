"""The bike shed of 西土城路8号院, cleared, and the same drive run again in three more compounds.

Runs after the events chapter, which plans the 8号院 drive. Idempotent: each drive's bikes are
added only when it has none, each follow-up drive is found by its compound before it is made.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from coordinator.auth.models import User
from coordinator.bikes.models import (
    CLAIMED,
    CONFIRMED,
    PENDING,
    RECYCLED,
    REGISTERED,
    REUSED,
    Bike,
    BikeClaim,
    BikeHandover,
    BikeRegister,
)
from coordinator.bikes.queries import BIKE_KINDS
from coordinator.campaigns.models import Campaign
from coordinator.events.models import Event, EventRole
from coordinator.extensions import db
from coordinator.i18n import LOCAL, local_date
from coordinator.places.models import Compound

SOURCE_COMPOUND = "西土城路8号院"
COLOURS = (
    ["black"] * 5
    + ["silver"] * 3
    + ["blue"] * 2
    + ["red", "white", "green", "yellow", "pink", "other"]
)
BRANDS = ["永久", "凤凰", "捷安特", "飞鸽", "美利达", "喜德盛", "", "", "电动车"]
NOTES = ["", "", "", "前轮没气", "车锁生锈", "后座有儿童座椅", "车筐破损", "链条脱落", "无车座"]

# compound: (kind, status, notice days before today, start days from today, bikes, claimed,
#            reused, pending claims). Only used for a follow-up the events chapter did not plan;
# how far each drive has got is read from its dates, so the bikes always match its stage.
FOLLOW_UPS = {
    "北三环中路40号院": ("bike_drive", "done", 10, -3, 42, 3, 0, 2),
    "文慧园路小区": ("bike_drive", "published", 1, 6, 24, 0, 0, 1),
    "志强北园": ("recycle_exchange", "done", 30, -23, 48, 4, 14, 0),
}


def _user(phone: str) -> User | None:
    return db.session.scalar(select(User).filter_by(phone=phone))


def _at(day: date, hour: int) -> datetime:
    local = datetime.combine(day, time(hour), tzinfo=LOCAL)
    return local.astimezone(UTC).replace(tzinfo=None)


def _locations(rng: random.Random) -> str:
    spot = rng.choice(["车棚东侧第{}排", "车棚西侧第{}排", "{}号楼北侧", "{}号楼单元门口"])
    return spot.format(rng.randint(1, 6))


def _bikes(
    event: Event,
    count: int,
    claimed: int,
    reused: int,
    pending: int,
    staff: User | None,
    handover_to: str,
    seed: int,
    finish: bool = False,
) -> None:
    """Register `count` bikes; `claimed` released, the rest recycled (or reused) once the
    claim period is over (or when `finish` says the story has them recycled already)."""
    if count == 0 or db.session.scalar(
        select(func.count()).select_from(Bike).where(Bike.event_id == event.id)
    ):
        return
    if event.notice_date is None or event.notice_date > local_date():
        return  # no notice up yet: the bikes are tagged when it goes up
    rng = random.Random(seed)
    notice = event.notice_date
    deadline = notice + timedelta(days=event.claim_days)
    finished = finish or local_date() > deadline
    staff_id = staff.id if staff else None
    bikes = []
    for tag in range(1, count + 1):
        bikes.append(
            Bike(
                event_id=event.id,
                tag_number=tag,
                colour=rng.choice(COLOURS),
                brand=rng.choice(BRANDS),
                location=_locations(rng),
                note=rng.choice(NOTES),
                status=REGISTERED,
                registered_by_id=staff_id,
                registered_at=_at(notice - timedelta(days=1), 9) + timedelta(minutes=2 * tag),
            )
        )
    db.session.add_all(bikes)
    db.session.flush()
    for i, bike in enumerate(rng.sample(bikes, claimed + pending)):
        phone = f"1391234{seed % 100:02d}{i:02d}"
        asked = _at(
            min(notice + timedelta(days=1 + i % max(event.claim_days - 1, 1)), local_date()), 7
        )
        if i < claimed:
            bike.status, bike.claimant_phone = CLAIMED, phone
            bike.claimed_at, bike.released_by_id = asked + timedelta(hours=14), staff_id
            db.session.add(
                BikeClaim(
                    event_id=event.id,
                    bike_id=bike.id,
                    phone=phone,
                    status=CONFIRMED,
                    created_at=asked,
                    decided_at=bike.claimed_at,
                    decided_by_id=staff_id,
                )
            )
        else:
            db.session.add(
                BikeClaim(
                    event_id=event.id,
                    bike_id=bike.id,
                    phone=phone,
                    status=PENDING,
                    created_at=asked,
                )
            )
    if finished:
        left = [b for b in bikes if b.status == REGISTERED]
        handover = BikeHandover(
            event_id=event.id,
            to_kind="subdistrict",
            to_whom=handover_to,
            receiver_name="刘洋",
            handed_at=deadline + timedelta(days=1),
            count=len(left) - reused,
            reused=reused,
            recorded_by_id=staff_id,
            note="统一运至街道集中存放点" if not reused else "部分车辆修好后用于回收兑换",
        )
        db.session.add(handover)
        db.session.flush()
        for i, bike in enumerate(left):
            bike.status = REUSED if i < reused else RECYCLED
            bike.handover_id = handover.id
    register = db.session.get(BikeRegister, event.id)
    if register is None:
        db.session.add(
            BikeRegister(event_id=event.id, last_tag=count, last_location=bikes[-1].location)
        )
    db.session.flush()


def _follow_up(source: Event, campaign: Campaign, compound: Compound, plan) -> Event:
    kind, status, notice_ago, start_in, *_rest = plan
    found = db.session.scalar(
        select(Event).where(Event.compound_id == compound.id, Event.kind.in_(BIKE_KINDS))
    )
    if found is not None:
        if found.campaign_id is None:
            found.campaign_id = campaign.id
        return found
    today = local_date()
    start = _at(today + timedelta(days=start_in), 9)
    old = source.compound.name if source.compound else SOURCE_COMPOUND
    event = Event(
        kind=kind,
        title=source.title.replace(old, compound.name),
        community_id=compound.community_id,
        compound_id=compound.id,
        starts_at=start,
        ends_at=start + (source.ends_at - source.starts_at),
        meeting_place=source.meeting_place.replace(old, compound.name),
        organiser_id=source.organiser_id,
        description=source.description.replace(old, compound.name),
        status=status,
        claim_days=source.claim_days,
        notice_date=today - timedelta(days=notice_ago) if notice_ago else None,
        notice_text=source.notice_text.replace(old, compound.name),
        campaign_id=campaign.id,
        published_at=None if status == "draft" else _at(today, 8),
    )
    if kind == "recycle_exchange" and event.title == source.title:
        event.title = f"{compound.name}废旧自行车回收兑换"
    event.roles = [
        EventRole(
            name=r.name,
            capacity=r.capacity,
            position=r.position,
            registers_bikes=r.registers_bikes,
        )
        for r in source.roles
    ]
    db.session.add(event)
    db.session.flush()
    return event


def load() -> None:
    source = db.session.scalar(
        select(Event)
        .join(Compound, Compound.id == Event.compound_id)
        .where(Compound.name == SOURCE_COMPOUND, Event.kind == "bike_drive")
        .order_by(Event.id)
    )
    if source is None:  # the events chapter has not planned the drive
        return
    staff = _user("13800000003")  # 陈楠, 师大北路社区
    _bikes(
        source,
        120,
        claimed=9,
        reused=0,
        pending=0,
        staff=staff,
        handover_to="北太平庄街道",
        seed=8,
        finish=True,
    )

    campaign = source.campaign
    if campaign is None:
        campaign = Campaign(
            title="废弃自行车集中清理（推广到更多小区）",
            created_by_id=(_user("13800000001") or staff).id,
            source_event_id=source.id,
        )
        db.session.add(campaign)
        db.session.flush()
        source.campaign_id = campaign.id
    for seed, (name, plan) in enumerate(FOLLOW_UPS.items(), start=20):
        compound = db.session.scalar(select(Compound).filter_by(name=name))
        if compound is None:
            continue
        event = _follow_up(source, campaign, compound, plan)
        count, claimed, reused, pending = plan[4:]
        local_staff = db.session.scalar(
            select(User).filter_by(role="staff", community_id=compound.community_id)
        )
        _bikes(event, count, claimed, reused, pending, local_staff, "北太平庄街道", seed)
    db.session.flush()
