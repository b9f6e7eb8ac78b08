"""Bikes and claims changed by several clients at the same moment, over real HTTP
(tests/live.py): one winner, a 409 with words for the others, one message, and bikes, claims
and handovers that agree with each other."""

from datetime import date, timedelta

from sqlalchemy import func, select

from coordinator.bikes.models import (
    CLAIMED,
    CONFIRMED,
    PENDING,
    RECYCLED,
    TO_RECYCLE,
    Bike,
    BikeClaim,
    BikeHandover,
)
from coordinator.campaigns.models import Campaign
from coordinator.events.models import Event
from coordinator.extensions import db
from coordinator.notifications.models import OutboxMessage
from tests.bikes.conftest import past_deadline

EN = {"Cookie": "lang=en"}


def _count(model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _codes(results):
    db.session.expire_all()
    return sorted(r.status for r in results)


def _staff(live, make, event, n=2):
    people = [make.user("staff", community_=event.community) for _ in range(n)]
    db.session.commit()
    return [f"{live.login(p.phone)}; lang=en" for p in people]


def test_an_owner_claiming_one_tag_many_times_at_once_makes_one_claim(app, live, drives):
    event = drives.drive()
    drives.bikes(event, 3)
    db.session.commit()
    path = f"/claim/{event.id}"

    results = live.burst(
        8, lambda i: live.post(path, {"tag": "2", "phone": "13800138000"}, headers=EN)
    )

    assert _codes(results) == [200] + [409] * 7, [r.text[:300] for r in results]
    assert all("claimed this bike already" in r.text for r in results if r.status == 409)
    assert _count(BikeClaim) == 1


def test_two_owners_claiming_one_tag_at_once_both_wait_for_staff(app, live, drives):
    """Two numbers for one bike: both claims wait; staff find out who the owner is."""
    event = drives.drive()
    drives.bikes(event, 1)
    db.session.commit()

    path = f"/claim/{event.id}"

    results = live.burst(2, lambda i: live.post(path, {"tag": "1", "phone": f"1380013800{i}"}))

    assert _codes(results) == [200, 200]
    assert _count(BikeClaim, BikeClaim.status == PENDING) == 2


def test_confirming_and_rejecting_one_claim_at_once_decides_it_once(app, live, make, drives):
    event = drives.drive()
    (bike,) = drives.bikes(event, 1)
    claim = BikeClaim(event_id=event.id, bike_id=bike.id, phone="13800138000")
    db.session.add(claim)
    db.session.commit()
    cookies = _staff(live, make, event)
    base = f"/events/{event.id}/bikes/claims/{claim.id}"
    bike_id, claim_id = bike.id, claim.id

    results = live.burst(
        6, lambda i: live.post(f"{base}/{'confirm' if i % 2 else 'reject'}", cookie=cookies[i % 2])
    )

    codes = _codes(results)
    assert codes == [302] + [409] * 5, [r.text[:300] for r in results]
    assert all("decided already" in r.text for r in results if r.status == 409)
    messages = list(db.session.scalars(select(OutboxMessage.kind)))
    assert len(messages) == 1  # the owner hears one answer
    status = db.session.get(BikeClaim, claim_id).status
    bike = db.session.get(Bike, bike_id)
    if status == CONFIRMED:
        assert messages == ["bike_released"] and bike.status == CLAIMED
    else:
        assert messages == ["bike_claim_rejected"] and bike.status == "registered"


def test_a_claim_landing_while_staff_release_the_bike_never_waits_on_a_gone_bike(
    app, live, make, drives
):
    event = drives.drive()
    (bike,) = drives.bikes(event, 1)
    first = BikeClaim(event_id=event.id, bike_id=bike.id, phone="13800138000")
    db.session.add(first)
    db.session.commit()
    (cookie,) = _staff(live, make, event, 1)
    confirm = f"/events/{event.id}/bikes/claims/{first.id}/confirm"
    claim_path, bike_id = f"/claim/{event.id}", bike.id

    def press(i):
        if i == 0:
            return live.post(confirm, cookie=cookie)
        return live.post(claim_path, {"tag": "1", "phone": f"1390013900{i}"}, headers=EN)

    results = live.burst(6, press)

    assert results[0].status == 302
    assert {r.status for r in results[1:]} <= {200, 409}
    assert all("can no longer be claimed" in r.text for r in results[1:] if r.status == 409)
    # Claims that landed before the release were closed by it; none may wait after it.
    assert _count(BikeClaim, BikeClaim.status == PENDING) == 0
    assert db.session.get(Bike, bike_id).status == CLAIMED


def test_a_handover_recorded_twice_at_once_moves_each_bike_once(app, live, make, drives):
    event = drives.drive(notice=None)
    event.notice_date = past_deadline(event)
    drives.bikes(event, 5, status=TO_RECYCLE)
    db.session.commit()
    cookies = _staff(live, make, event)
    form = {
        "to_kind": "recycler",
        "to_whom": "海淀再生资源公司",
        "receiver_name": "周师傅",
        "handed_at": "2026-12-01",
        "count": "5",
        "reused": "0",
    }

    path = f"/events/{event.id}/bikes/handover"

    results = live.burst(4, lambda i: live.post(path, form, cookie=cookies[i % 2]))

    codes = _codes(results)
    assert codes.count(302) == 1 and set(codes) <= {302, 409}, [r.text[:300] for r in results]
    (handover,) = db.session.scalars(select(BikeHandover)).all()
    moved = _count(Bike, Bike.handover_id == handover.id, Bike.status == RECYCLED)
    assert moved == handover.count == 5


def test_repeating_a_drive_twice_at_once_makes_one_set_of_copies(app, live, make, drives):
    event = drives.drive()
    target = make.compound(community_=event.community, name="文慧园路小区")
    db.session.commit()
    cookies = _staff(live, make, event)
    path = f"/campaigns/new?event={event.id}"
    day = (date.today() + timedelta(days=14)).isoformat()
    form = {
        "title": "废弃自行车集中清理",
        "category": "bikes",
        "work_kind": "event",
        "event_day": day,
        "notice_days": "7",
        "tier": "general",
        "communities": event.community_id,
        "drive_seen": event.version,  # every tab drew the form from the drive as it is now
    }
    target_id = target.id

    # Four tabs of the form (each its own one-time key), sent at once: the drive's version as
    # the tabs showed it lets one campaign through, whichever request is read first.
    results = live.burst(
        4,
        lambda i: live.post(
            path, {**form, "submission_key": f"key-of-tab-number-{i:02d}"}, cookie=cookies[i % 2]
        ),
    )

    codes = _codes(results)
    assert codes.count(303) == 1 and set(codes) <= {303, 409}, [r.text[:300] for r in results]
    assert _count(Campaign) == 1
    assert _count(Event, Event.compound_id == target_id) == 1

    # A fifth tab, drawn before the launch and sent after it: refused too, not a second set.
    late = live.post(path, {**form, "submission_key": "key-of-a-late-tab"}, cookie=cookies[0])
    assert late.status == 409
    assert _count(Campaign) == 1 and _count(Event, Event.compound_id == target_id) == 1


def test_bikes_registered_at_once_get_one_tag_each(app, live, make, drives):
    event = drives.drive()
    db.session.commit()
    cookies = _staff(live, make, event)

    path = f"/events/{event.id}/bikes"

    results = live.burst(
        8,
        lambda i: live.post(
            path, {"colour": "black", "location": f"车棚{i}"}, cookie=cookies[i % 2]
        ),
    )

    assert _codes(results) == [302] * 8
    tags = sorted(db.session.scalars(select(Bike.tag_number)))
    assert tags == list(range(1, 9))
