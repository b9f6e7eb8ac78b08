"""The abandoned-bike drive, from the first bike registered to the handover (a drive copied into
many compounds is a campaign: campaigns/services.py).

Dates of the claim period are Beijing dates: an owner may claim until the end of the deadline
day in Asia/Shanghai, and unclaimed bikes may go to recycling from the next day on.

Each use case that changes data is one unit of work (coordinator.work). Status changes of bikes
and claims are conditional writes on the status read (`UPDATE … WHERE status = :seen`): two
staff pressing at once, or an owner claiming while staff release the bike, leave one winner,
one message; the other gets a 409 saying what happened.
"""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from coordinator import access
from coordinator.bikes import calendar_day
from coordinator.bikes.models import (
    CLAIMED,
    CONFIRMED,
    PENDING,
    RECYCLED,
    REGISTERED,
    REJECTED,
    REUSED,
    STATUSES,
    TO_RECYCLE,
    Bike,
    BikeClaim,
    BikeHandover,
    BikeRegister,
)
from coordinator.bikes.queries import registrar_drive
from coordinator.converters import INT_MAX
from coordinator.events.models import CANCELLED, DONE, Event
from coordinator.events.models import claim_deadline as deadline_after
from coordinator.extensions import db
from coordinator.forms import normalise_phone
from coordinator.i18n import LOCAL, local_date, utcnow
from coordinator.i18n import gettext as _
from coordinator.notifications.services import queue
from coordinator.paging import Page, paginate
from coordinator.rules import Refused
from coordinator.work import Conflict, unit_of_work, update_where

# --- time ---------------------------------------------------------------------------------


def claim_deadline(event: Event) -> date | None:
    """The last day owners may claim: notice date + claim period (None until a notice date)."""
    return deadline_after(event.notice_date, event.claim_days)


def claim_deadline_end(event: Event) -> datetime | None:
    """The end of the deadline day in Beijing, as naive UTC (for |due_in); None when there is
    no deadline, or only one at the end of the calendar (stored before the form had bounds)."""
    deadline = claim_deadline(event)
    if deadline is None or deadline >= date.max - timedelta(days=1):
        return None
    local_end = datetime.combine(deadline + timedelta(days=1), time(0), tzinfo=LOCAL)
    return local_end.astimezone(UTC).replace(tzinfo=None)


def claims_open(event: Event, now: datetime | None = None) -> bool:
    """Owners may claim until the end of the deadline day (Beijing); always before a notice."""
    if event.status == CANCELLED:
        return False
    deadline = claim_deadline(event)
    return deadline is None or local_date(now) <= deadline


def may_move_to_recycle(event: Event, now: datetime | None = None) -> bool:
    """Unclaimed bikes may go to recycling only once the whole deadline day has passed."""
    deadline = claim_deadline(event)
    return deadline is not None and local_date(now) > deadline


# --- register -----------------------------------------------------------------------------


def _register_row(event_id: int) -> BikeRegister:
    row = db.session.get(BikeRegister, event_id)
    if row is None:
        try:
            with db.session.begin_nested():
                row = BikeRegister(event_id=event_id, last_tag=0, last_location="")
                db.session.add(row)
        except IntegrityError:  # another phone made it first: use theirs
            row = db.session.get(BikeRegister, event_id, populate_existing=True)
    return row


def next_tag(event_id: int) -> int:
    """The next tag number of a drive, taken atomically.

    The conditional UPDATE locks the drive's counter row until the caller commits, so a second
    phone registering at the same moment waits and then gets the following number.
    """
    for _attempt in range(2):
        result = db.session.execute(
            update(BikeRegister)
            .where(BikeRegister.event_id == event_id)
            .values(last_tag=BikeRegister.last_tag + 1)
            .returning(BikeRegister.last_tag)
        )
        number = result.scalar()
        if number is not None:
            return number
        _register_row(event_id)
    raise RuntimeError("bike register row missing")  # pragma: no cover


def last_location(event_id: int) -> str:
    row = db.session.get(BikeRegister, event_id)
    return row.last_location if row else ""


def takes_bikes(event: Event) -> bool:
    return event.status not in (CANCELLED, DONE)


def register_bike(actor, event: Event, data: dict, photo=None) -> Bike:
    """Give the bike the drive's next tag number, keep its photo, remember where it stands.
    The office registers for the drives it runs; a volunteer only in a role that registers
    bikes, for that drive and while it runs (queries.registrar_drive)."""
    if actor.role not in access.OFFICE and registrar_drive(actor, event.id) is None:
        raise Refused(_("Only people registering bikes at this drive, while it runs."), status=403)
    if not takes_bikes(event):
        raise Refused(_("This drive is closed; no more bikes can be registered."), status=409)
    from coordinator.uploads.services import prepare_photos, save_photos

    # Decoded and checked before the tag is taken, so a bad file holds no lock and wastes no
    # number, and a good one is not decoded while the register row is locked.
    photos = prepare_photos([photo], field="photo", max_count=1)
    with unit_of_work():
        tag = next_tag(event.id)
        location = (data.get("location") or "").strip()
        bike = Bike(
            event_id=event.id,
            tag_number=tag,
            colour=data.get("colour") or "",
            brand=(data.get("brand") or "").strip(),
            location=location,
            note=(data.get("note") or "").strip(),
            status=REGISTERED,
            registered_by_id=actor.id,
            registered_at=utcnow(),
        )
        db.session.add(bike)
        db.session.flush()
        save_photos(
            photos, "bike", bike.id, kind="bike", uploaded_by=actor, field="photo", max_count=1
        )
        db.session.execute(
            update(BikeRegister)
            .where(BikeRegister.event_id == event.id)
            .values(last_location=location)
        )
    return bike


def tally(event_ids) -> dict[int, dict[str, int]]:
    """Bikes by status for many drives in one query, with pending claims and the headline."""
    ids = list(event_ids)
    out = {i: {s: 0 for s in STATUSES} for i in ids}
    if not ids:
        return out
    rows = db.session.execute(
        select(Bike.event_id, Bike.status, func.count())
        .where(Bike.event_id.in_(ids))
        .group_by(Bike.event_id, Bike.status)
    )
    for event_id, status, n in rows:
        out[event_id][status] = n
    pending = db.session.execute(
        select(BikeClaim.event_id, func.count())
        .where(BikeClaim.event_id.in_(ids), BikeClaim.status == PENDING)
        .group_by(BikeClaim.event_id)
    )
    pending_by_event = dict(pending.all())
    for event_id, counts in out.items():
        counts["total"] = sum(counts[s] for s in STATUSES)
        # Bikes that left the shed, by their owner or to recycling: the drive's headline.
        counts["cleared"] = counts[CLAIMED] + counts[RECYCLED] + counts[REUSED]
        counts["pending"] = pending_by_event.get(event_id, 0)
    return out


def list_bikes(event: Event, status: str = "", page: int = 1, per_page: int = 25) -> Page:
    stmt = (
        select(Bike)
        .where(Bike.event_id == event.id)
        .options(selectinload(Bike.claims))
        .order_by(Bike.tag_number.desc())
    )
    if status in STATUSES:
        stmt = stmt.where(Bike.status == status)
    elif status == PENDING:
        stmt = stmt.where(exists().where(BikeClaim.bike_id == Bike.id, BikeClaim.status == PENDING))
    return paginate(stmt, page, per_page)


def bikes_for_tags(event: Event, first: int | None = None, last: int | None = None):
    """Bikes still in the shed, in tag order, for the printable tag sheet."""
    stmt = select(Bike).where(Bike.event_id == event.id).order_by(Bike.tag_number)
    # From the query string: numbers beyond any tag are ignored, not sent to the database.
    if first and 0 < first <= INT_MAX:
        stmt = stmt.where(Bike.tag_number >= first)
    if last and 0 < last <= INT_MAX:
        stmt = stmt.where(Bike.tag_number <= last)
    return list(db.session.scalars(stmt.limit(2000)))


# --- claims -------------------------------------------------------------------------------


def submit_claim(event: Event, tag_number, phone: str, now: datetime | None = None) -> BikeClaim:
    """An owner claims a bike by tag and mobile number; it waits for staff to release it.

    Refused, with nothing changed: a tag not on this drive's register, a bike already claimed
    or sent to recycling, a claim after the deadline day, the same number claiming twice.
    """
    if event.status == CANCELLED:
        raise Refused(
            _("This drive was called off. Please call the community office."),
            field="tag",
            status=409,
        )
    if not claims_open(event, now):
        raise Refused(
            _(
                "The claim period ended on %(day)s. Please call the community office.",
                day=calendar_day(claim_deadline(event)),
            ),
            field="tag",
            status=409,
        )
    bike = db.session.scalar(
        select(Bike).where(Bike.event_id == event.id, Bike.tag_number == tag_number)
    )
    if bike is None:
        raise Refused(
            _(
                "There is no bike with tag %(tag)s in this drive. Check the number on the tag.",
                tag=tag_number,
            ),
            field="tag",
            status=404,
        )
    if bike.status != REGISTERED:
        raise Refused(
            _(
                "Bike %(tag)s can no longer be claimed (%(status)s).",
                tag=tag_number,
                status=bike.status_label,
            ),
            field="tag",
            status=409,
        )
    phone = normalise_phone(phone)
    twice = _("You have claimed this bike already; the community will call you.")
    if db.session.scalar(
        select(BikeClaim.id).where(
            BikeClaim.bike_id == bike.id, BikeClaim.phone == phone, BikeClaim.status == PENDING
        )
    ):
        raise Refused(twice, field="tag", status=409)
    # Sent twice at once: the one-pending-claim index keeps one, the other hears "already".
    try:
        with unit_of_work(conflict=twice, field="tag"):
            # On the bike as read: still in the shed. The write waits for staff releasing it
            # at this moment (and SQLite's lock is held from here), so no claim lands on a bike
            # that has just left.
            update_where(Bike, bike.id, {"status": REGISTERED}, status=REGISTERED)
            claim = BikeClaim(event_id=event.id, bike_id=bike.id, phone=phone, status=PENDING)
            db.session.add(claim)
    except Conflict:
        status = db.session.scalar(select(Bike.status).where(Bike.id == bike.id))
        raise Refused(
            _(
                "Bike %(tag)s can no longer be claimed (%(status)s).",
                tag=tag_number,
                status=STATUSES[status][0],
            ),
            field="tag",
            status=409,
        ) from None
    return claim


def _pending_claim(event: Event, claim_id: int) -> BikeClaim:
    claim = db.session.scalar(
        select(BikeClaim)
        .where(BikeClaim.id == claim_id, BikeClaim.event_id == event.id)
        .options(selectinload(BikeClaim.bike))
    )
    access.require(claim is not None)
    if claim.status != PENDING:
        raise Refused(_("This claim was decided already."), status=409)
    return claim


def _decide(claim: BikeClaim, actor, status: str, now: datetime) -> None:
    """The claim's decision, on the status read: a second press (or the other button) at the
    same moment finds it decided and changes nothing."""
    try:
        update_where(
            BikeClaim,
            claim.id,
            {"status": PENDING},
            status=status,
            decided_at=now,
            decided_by_id=actor.id,
        )
    except Conflict:
        raise Conflict(_("This claim was decided already.")) from None


def confirm_claim(actor, event: Event, claim_id: int) -> Bike:
    """Staff checked the owner in the shed: the bike leaves the register as claimed.

    Other claims on the same bike are closed; the owner is told through the outbox.
    """
    claim = _pending_claim(event, claim_id)
    now = utcnow()
    with unit_of_work():
        _decide(claim, actor, CONFIRMED, now)
        # Only a bike still in the shed may be released, even if two staff press at once.
        released = db.session.execute(
            update(Bike)
            .where(Bike.id == claim.bike_id, Bike.status.in_((REGISTERED, TO_RECYCLE)))
            .values(
                status=CLAIMED, claimed_at=now, claimant_phone=claim.phone, released_by_id=actor.id
            )
        )
        if released.rowcount != 1:
            raise Conflict(_("This bike has left the register already."))
        db.session.execute(
            update(BikeClaim)
            .where(
                BikeClaim.bike_id == claim.bike_id,
                BikeClaim.id != claim.id,
                BikeClaim.status == PENDING,
            )
            .values(status=REJECTED, decided_at=now, decided_by_id=actor.id)
        )
        queue(
            "bike_released",
            claim.phone,
            _(
                "Your bike with tag %(tag)s (%(drive)s) is released to you. Please take it "
                "from the shed soon.",
                tag=claim.bike.tag_number,
                drive=event.title,
            ),
            about=("bike", claim.bike_id),
        )
    db.session.refresh(claim.bike)
    return claim.bike


def reject_claim(actor, event: Event, claim_id: int) -> BikeClaim:
    """Staff could not confirm the owner: the claim closes, the bike stays in the register."""
    claim = _pending_claim(event, claim_id)
    with unit_of_work():
        _decide(claim, actor, REJECTED, utcnow())
        queue(
            "bike_claim_rejected",
            claim.phone,
            _(
                "Your claim for bike %(tag)s (%(drive)s) could not be confirmed. Please call "
                "the community office.",
                tag=claim.bike.tag_number,
                drive=event.title,
            ),
            about=("bike", claim.bike_id),
        )
    return claim


def pending_claims(event: Event) -> list[BikeClaim]:
    return list(
        db.session.scalars(
            select(BikeClaim)
            .where(BikeClaim.event_id == event.id, BikeClaim.status == PENDING)
            .options(selectinload(BikeClaim.bike))
            .order_by(BikeClaim.id)
            .limit(200)
        )
    )


# --- after the deadline -------------------------------------------------------------------


def move_unclaimed_to_recycle(actor, event: Event, now: datetime | None = None) -> int:
    """After the deadline day, every bike still unclaimed goes to recycling in one step.

    Bikes with a claim waiting for staff stay until the claim is decided.
    """
    if not may_move_to_recycle(event, now):
        deadline = claim_deadline(event)
        if deadline is None:
            raise Refused(_("Set the notice date first: the claim period runs from it."))
        raise Refused(
            _(
                "Owners may claim until %(day)s. Move unclaimed bikes to recycling "
                "from the next day on.",
                day=calendar_day(deadline),
            )
        )
    waiting = exists().where(BikeClaim.bike_id == Bike.id, BikeClaim.status == PENDING)
    with unit_of_work():  # one conditional UPDATE: pressed twice, the second moves none
        moved = db.session.execute(
            update(Bike)
            .where(Bike.event_id == event.id, Bike.status == REGISTERED, ~waiting)
            .values(status=TO_RECYCLE)
        ).rowcount
    return moved


def record_handover(actor, event: Event, data: dict) -> BikeHandover:
    """Bikes waiting for recycling are handed over: `count` recycled, `reused` given a new life
    (recycle-and-exchange only). Never more than are waiting."""
    count, reused = data.get("count") or 0, data.get("reused") or 0
    if reused and event.kind != "recycle_exchange":
        raise Refused(
            _("Only recycle-and-exchange events reuse bikes."), field="reused", status=422
        )
    if count + reused < 1:
        raise Refused(_("Hand over at least one bike."), field="count", status=422)
    with unit_of_work():
        return _record_handover(actor, event, data, count, reused)


def _record_handover(actor, event: Event, data: dict, count: int, reused: int) -> BikeHandover:
    waiting = db.session.scalars(
        select(Bike.id)
        .where(Bike.event_id == event.id, Bike.status == TO_RECYCLE)
        .order_by(Bike.tag_number)
        .with_for_update()
    ).all()
    if count + reused > len(waiting):
        raise Refused(
            _("Only %(n)d bikes are waiting for recycling.", n=len(waiting)),
            field="count",
            status=409,
        )
    handover = BikeHandover(
        event_id=event.id,
        to_kind=data["to_kind"],
        to_whom=data["to_whom"].strip(),
        receiver_name=data["receiver_name"].strip(),
        handed_at=data["handed_at"],
        count=count,
        reused=reused,
        note=(data.get("note") or "").strip(),
        recorded_by_id=actor.id,
    )
    db.session.add(handover)
    db.session.flush()
    reuse_ids, recycle_ids = waiting[:reused], waiting[reused : reused + count]
    for ids, status in ((reuse_ids, REUSED), (recycle_ids, RECYCLED)):
        if ids:
            moved = db.session.execute(
                update(Bike)
                .where(Bike.id.in_(ids), Bike.status == TO_RECYCLE)
                .values(status=status, handover_id=handover.id)
            ).rowcount
            # SQLite takes no lock for the read above: a handover recorded at the same moment
            # took some of these bikes. The record would count bikes it did not move.
            if moved != len(ids):
                raise Conflict(
                    _(
                        "Someone recorded a handover of these bikes just now. Reload "
                        "and check what is still waiting."
                    ),
                    field="count",
                )
    return handover


def handovers(event: Event) -> list[BikeHandover]:
    return list(
        db.session.scalars(
            select(BikeHandover)
            .where(BikeHandover.event_id == event.id)
            .order_by(BikeHandover.handed_at, BikeHandover.id)
        )
    )
