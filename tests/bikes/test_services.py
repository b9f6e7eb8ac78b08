import threading
from datetime import UTC, datetime, time, timedelta
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from coordinator.auth.models import User
from coordinator.bikes import queries, services
from coordinator.bikes.models import Bike, BikeClaim, BikeHandover
from coordinator.events.models import Event
from coordinator.extensions import db
from coordinator.notifications.models import OutboxMessage
from coordinator.rules import Refused
from coordinator.uploads.models import Photo
from tests.bikes.conftest import past_deadline

BIKE = {"colour": "black", "brand": "永久", "location": "车棚东侧第3排", "note": ""}


def jpeg() -> FileStorage:
    buf = BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, "JPEG")
    buf.seek(0)
    return FileStorage(buf, filename="bike.jpg", content_type="image/jpeg")


def at_beijing(day, hour=12) -> datetime:
    """Naive UTC for a Beijing wall-clock time."""
    local = datetime.combine(day, time(hour), tzinfo=services.LOCAL)
    return local.astimezone(UTC).replace(tzinfo=None)


def test_register_bike_gives_next_tag_and_remembers_location(drives, make):
    event = drives.drive()
    staff = make.user("staff", community_=event.community)
    first = services.register_bike(staff, event, BIKE, photo=jpeg())
    second = services.register_bike(staff, event, {**BIKE, "location": "车棚西侧"})
    assert (first.tag_number, second.tag_number) == (1, 2)
    assert services.last_location(event.id) == "车棚西侧"
    photo = db.session.scalar(select(Photo).where(Photo.owner_type == "bike"))
    assert photo.owner_id == first.id
    other = drives.drive()
    assert services.register_bike(staff, other, BIKE).tag_number == 1


def test_bad_photo_takes_no_tag(drives, make):
    event = drives.drive()
    staff = make.user("staff", community_=event.community)
    bad = FileStorage(BytesIO(b"not an image"), filename="x.jpg", content_type="image/jpeg")
    with pytest.raises(Refused) as refused:
        services.register_bike(staff, event, BIKE, photo=bad)
    assert refused.value.field == "photo"
    assert db.session.scalar(select(func.count()).select_from(Bike)) == 0
    assert services.register_bike(staff, event, BIKE).tag_number == 1


def test_closed_drive_takes_no_bikes(drives, make):
    event = drives.drive(status="cancelled")
    with pytest.raises(Refused):
        services.register_bike(make.user("admin"), event, BIKE)


def test_tags_are_unique_under_concurrency(app, drives, make):
    event = drives.drive()
    staff = make.user("staff", community_=event.community)
    db.session.commit()
    event_id, staff_id = event.id, staff.id
    errors, tags = [], []
    start = threading.Barrier(8)

    def worker():
        with app.app_context():
            try:
                actor = db.session.get(User, staff_id)
                drive = db.session.get(Event, event_id)
                start.wait()
                for _ in range(5):
                    tags.append(services.register_bike(actor, drive, BIKE).tag_number)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(tags) == list(range(1, 41))
    stored = db.session.scalars(select(Bike.tag_number).where(Bike.event_id == event_id)).all()
    assert sorted(stored) == list(range(1, 41))


def test_claim_then_confirm_releases_and_tells_owner(drives, make):
    event = drives.drive()
    bike = drives.bikes(event, 3)[1]
    staff = make.user("staff", community_=event.community)
    claim = services.submit_claim(event, bike.tag_number, "138 0013 8000")
    assert claim.phone == "13800138000" and claim.status == "pending"
    assert bike.status == "registered"
    released = services.confirm_claim(staff, event, claim.id)
    assert released.status == "claimed" and released.claimant_phone == "13800138000"
    assert released.released_by_id == staff.id and released.claimed_at is not None
    message = db.session.scalar(select(OutboxMessage))
    assert message.recipient == "13800138000" and message.kind == "bike_released"
    assert services.tally([event.id])[event.id]["claimed"] == 1


def test_confirming_one_claim_closes_the_others(drives, make):
    event = drives.drive()
    bike = drives.bikes(event, 1)[0]
    staff = make.user("staff", community_=event.community)
    a = services.submit_claim(event, 1, "13800138000")
    b = services.submit_claim(event, 1, "13900139000")
    services.confirm_claim(staff, event, a.id)
    assert db.session.get(BikeClaim, b.id).status == "rejected"
    with pytest.raises(Refused):
        services.confirm_claim(staff, event, b.id)
    db.session.refresh(bike)
    assert bike.status == "claimed"


def test_reject_claim_keeps_bike(drives, make):
    event = drives.drive()
    bike = drives.bikes(event, 1)[0]
    claim = services.submit_claim(event, 1, "13800138000")
    services.reject_claim(make.user("admin"), event, claim.id)
    assert bike.status == "registered"
    assert db.session.get(BikeClaim, claim.id).status == "rejected"


@pytest.mark.parametrize("case", ["wrong_tag", "claimed", "recycled", "late", "twice"])
def test_bad_claims_change_nothing(drives, case):
    event = drives.drive()
    drives.bikes(event, 2)
    drives.bikes(event, 1, status="claimed", start=3)
    drives.bikes(event, 1, status="recycled", start=4)
    services.submit_claim(event, 1, "13800138000")
    tag, now = {"wrong_tag": 99, "claimed": 3, "recycled": 4, "late": 2, "twice": 1}[case], None
    if case == "late":
        now = at_beijing(services.claim_deadline(event) + timedelta(days=1), 9)
    with pytest.raises(Refused) as refused:
        services.submit_claim(event, tag, "13800138000", now=now)
    assert refused.value.field == "tag" and 400 <= refused.value.status < 500
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(BikeClaim)) == 1


def test_move_to_recycle_refused_before_deadline(drives, make):
    event = drives.drive()
    drives.bikes(event, 3)
    with pytest.raises(Refused) as refused:
        services.move_unclaimed_to_recycle(make.user("admin"), event)
    assert refused.value.status == 409
    assert services.tally([event.id])[event.id]["to_recycle"] == 0
    no_notice = drives.drive(notice=False)
    with pytest.raises(Refused):
        services.move_unclaimed_to_recycle(make.user("admin"), no_notice)


def test_move_to_recycle_after_deadline_skips_pending_claims(drives, make):
    event = drives.drive()
    drives.bikes(event, 5)
    drives.bikes(event, 1, status="claimed", start=6)
    services.submit_claim(event, 2, "13800138000")
    event.notice_date = past_deadline(event)
    moved = services.move_unclaimed_to_recycle(make.user("admin"), event)
    assert moved == 4
    counts = services.tally([event.id])[event.id]
    assert (counts["registered"], counts["to_recycle"], counts["claimed"]) == (1, 4, 1)


def test_handover_marks_bikes_recycled(drives, make):
    event = drives.drive()
    drives.bikes(event, 6, status="to_recycle")
    handed = services.record_handover(
        make.user("admin"),
        event,
        {
            "to_kind": "subdistrict",
            "to_whom": "北太平庄街道",
            "receiver_name": "刘洋",
            "handed_at": services.local_date(),
            "count": 4,
            "reused": 0,
        },
    )
    assert handed.count == 4
    counts = services.tally([event.id])[event.id]
    assert (counts["recycled"], counts["to_recycle"], counts["cleared"]) == (4, 2, 4)
    assert (
        db.session.scalar(
            select(func.count()).select_from(Bike).where(Bike.handover_id == handed.id)
        )
        == 4
    )


def test_handover_reuse_only_for_exchange_and_never_more_than_waiting(drives, make):
    admin = make.user("admin")
    data = {
        "to_kind": "recycler",
        "to_whom": "回收站",
        "receiver_name": "李",
        "note": "",
        "handed_at": services.local_date(),
    }
    drive = drives.drive()
    drives.bikes(drive, 3, status="to_recycle")
    db.session.commit()
    with pytest.raises(Refused) as refused:
        services.record_handover(admin, drive, {**data, "count": 1, "reused": 1})
    assert refused.value.field == "reused"
    with pytest.raises(Refused) as refused:
        services.record_handover(admin, drive, {**data, "count": 4, "reused": 0})
    assert refused.value.field == "count"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(BikeHandover)) == 0
    exchange = drives.drive(kind="recycle_exchange")
    drives.bikes(exchange, 5, status="to_recycle")
    services.record_handover(admin, exchange, {**data, "count": 3, "reused": 2})
    counts = services.tally([exchange.id])[exchange.id]
    assert (counts["recycled"], counts["reused"], counts["cleared"]) == (3, 2, 5)


def test_scoping_of_drives_and_campaigns(drives, make):
    event = drives.drive()
    outsider = make.user("staff")
    assert queries.get_drive(outsider, event.id) is None
    assert queries.get_drive(make.user("staff", community_=event.community), event.id)
    assert queries.get_drive(make.user("admin"), event.id)
    assert queries.get_drive(make.user("volunteer"), event.id) is None
    cleanup = drives.drive(kind="cleanup")
    assert queries.get_drive(make.user("admin"), cleanup.id) is None
    bike = drives.bikes(event, 1)[0]
    assert queries.may_view_bike(make.user("admin"), bike.id)
    assert not queries.may_view_bike(outsider, bike.id)


def test_claim_at_the_last_minute_of_the_deadline_day_is_taken(drives):
    event = drives.drive()
    drives.bikes(event, 1)
    last_minute = at_beijing(services.claim_deadline(event), 23) + timedelta(minutes=59)
    assert services.submit_claim(event, 1, "13800138000", now=last_minute).status == "pending"
