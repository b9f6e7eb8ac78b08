"""Bike drives for tests: a drive in a compound, with its staff."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update

from coordinator.bikes.models import Bike
from coordinator.bikes.services import local_date
from coordinator.campaigns.models import Campaign
from coordinator.events.models import Event, EventRole
from coordinator.extensions import db


class Drives:
    def __init__(self, make):
        self.make = make

    def drive(
        self,
        compound=None,
        kind="bike_drive",
        status="published",
        notice=None,
        claim_days=15,
        organiser=None,
        title="西土城路8号院废弃自行车清理",
    ) -> Event:
        compound = compound or self.make.compound(name="西土城路8号院")
        organiser = organiser or self.make.user("staff", community_=compound.community)
        notice = notice if notice is not None else local_date()
        event = Event(
            kind=kind,
            title=title,
            community_id=compound.community_id,
            compound_id=compound.id,
            starts_at=datetime(2026, 11, 1, 1, 0),
            ends_at=datetime(2026, 11, 1, 5, 0),
            organiser_id=organiser.id,
            status=status,
            notice_date=notice or None,
            claim_days=claim_days,
            description="在西土城路8号院车棚集中清理",
            notice_text="西土城路8号院车棚通知",
        )
        event.roles = [
            EventRole(name="搬运", capacity=8, position=0),
            EventRole(name="登记车辆", capacity=2, position=1),
        ]
        db.session.add(event)
        db.session.flush()
        return event

    def bikes(self, event, n, status="registered", start=1) -> list[Bike]:
        rows = [
            Bike(
                event_id=event.id,
                tag_number=start + i,
                colour="black",
                brand="永久",
                location="车棚东侧",
                status=status,
            )
            for i in range(n)
        ]
        db.session.add_all(rows)
        db.session.flush()
        return rows


@pytest.fixture
def drives(app, make):
    yield Drives(make)
    # campaigns ↔ events reference each other; break the loop so the wipe can delete them.
    db.session.rollback()
    db.session.execute(update(Campaign).values(source_event_id=None))
    db.session.commit()


def past_deadline(event) -> date:
    """A notice date long enough ago that the claim period is over."""
    return local_date() - timedelta(days=event.claim_days + 2)
