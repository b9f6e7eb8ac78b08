"""The patrol's use cases: arrive at a compound, look at its checklist, leave. One unit of work
each (coordinator.work); the views find the grid and the visit in the actor's scope first
(queries.py) and hand them here.
"""

from sqlalchemy import select

from coordinator.cases.services import open_case
from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import local_date, short_when, utcnow
from coordinator.patrols.checklist import BY_CODE
from coordinator.patrols.models import Patrol, PatrolCheck, PatrolVisit
from coordinator.places.models import Compound
from coordinator.rules import Refused
from coordinator.work import Conflict, unit_of_work, update_where

NOTE_MAX = 1000


def _visit_of(worker_id: int, grid_id: int, day, compound_id: int) -> PatrolVisit | None:
    return db.session.scalar(
        select(PatrolVisit)
        .join(Patrol, Patrol.id == PatrolVisit.patrol_id)
        .where(
            Patrol.worker_id == worker_id,
            Patrol.grid_id == grid_id,
            Patrol.day == day,
            PatrolVisit.compound_id == compound_id,
        )
    )


def arrive(actor, grid, compound_id: int, now=None) -> PatrolVisit:
    """Start at a compound of one's own grid (the view checked both): the day's patrol, made
    at the first arrival of the (Beijing) day, and the visit with its arrival time.

    Arriving again, by a double tap or the back button, even two at the same moment, is the
    visit already made: the unique keys (worker, grid, day) and (patrol, compound) decide, and
    the loser reads what the winner wrote."""
    now = now or utcnow()
    day = local_date(now)
    for _attempt in range(3):  # a twin may take the patrol row, then the visit row
        earlier = _visit_of(actor.id, grid.id, day, compound_id)
        if earlier is not None:
            return earlier
        try:
            with unit_of_work():
                patrol = db.session.scalar(
                    select(Patrol).where(
                        Patrol.worker_id == actor.id, Patrol.grid_id == grid.id, Patrol.day == day
                    )
                )
                if patrol is None:
                    patrol = Patrol(
                        worker_id=actor.id,
                        grid_id=grid.id,
                        community_id=grid.community_id,
                        day=day,
                        started_at=now,
                    )
                    db.session.add(patrol)
                    db.session.flush()
                visit = PatrolVisit(patrol_id=patrol.id, compound_id=compound_id, arrived_at=now)
                db.session.add(visit)
            return visit
        except Refused as refused:
            if refused.status != 409:
                raise
    raise Refused(_l("Someone else changed this just now. Reload and try again."), status=409)


def _check_of(visit_id: int, item: str) -> PatrolCheck | None:
    return db.session.scalar(
        select(PatrolCheck).where(PatrolCheck.visit_id == visit_id, PatrolCheck.item == item)
    )


def check(
    actor, visit: PatrolVisit, item_code: str, ok: bool, note: str = "", photo=None, now=None
) -> PatrolCheck:
    """Look at one item of the compound's checklist: OK, or a problem.

    A problem says what it is (a note) and may carry a photo; it becomes a case already
    filled in (channel patrol, the compound, the item's category, the note, the photo, the
    grid worker as the reporter), logged by cases.services.open_case like any other case, in
    the same unit of work as the check: a photo refused, or anything else, leaves neither.
    The same item sent again (a double tap, two at once) is the check made first: one case."""
    from coordinator.uploads.services import prepare_photos

    now = now or utcnow()
    compound = db.session.get(Compound, visit.compound_id)
    item = BY_CODE.get(item_code)
    if item is None or not item.applies(compound):
        raise Refused(
            _l("This item is not on this compound's checklist."), field="item", status=422
        )
    earlier = _check_of(visit.id, item.code)
    if earlier is not None:
        return earlier
    if visit.left_at is not None:
        raise Refused(_l("You have left this compound: its checks are closed."), status=409)
    note = (note or "").strip()
    if not ok and not note:
        raise Refused(_l("Say what the problem is."), field="note", status=422)
    if len(note) > NOTE_MAX:
        raise Refused(_l("At most %(n)d characters, please.", n=NOTE_MAX), field="note", status=422)
    # Decoded before the transaction begins, as every photo is (uploads/services.py).
    photos = prepare_photos([photo], field="photo", max_count=1) if not ok else []
    try:
        with unit_of_work():
            case_id = None
            if not ok:
                case = open_case(
                    actor,
                    {
                        "channel": "patrol",
                        "category": item.category,
                        "tier": "general",
                        "community_id": compound.community_id,
                        "compound_id": compound.id,
                        "building_id": None,
                        "entrance_id": None,
                        "reporter_name": actor.name or "",
                        "reporter_phone": actor.phone or "",
                        "description": f"{item.label}：{note}",
                    },
                    photos=photos,
                )
                case_id = case.id
            row = PatrolCheck(
                visit_id=visit.id,
                item=item.code,
                ok=ok,
                note=note,
                case_id=case_id,
                checked_at=now,
            )
            db.session.add(row)
        return row
    except Refused as refused:
        twin = _check_of(visit.id, item.code) if refused.status == 409 else None
        if twin is None:
            raise
        return twin


def leave(actor, visit: PatrolVisit, now=None) -> PatrolVisit:
    """Leave a compound: its time on site is arrival to now. A conditional write on "not left
    yet": a second tap, or a twin at the same moment, gets 409 and changes nothing. The
    patrol's finish is its last departure."""
    now = now or utcnow()
    visit_id, patrol_id = visit.id, visit.patrol_id
    try:
        with unit_of_work():
            update_where(PatrolVisit, visit_id, {"left_at": None}, left_at=now)
            patrol = db.session.get(Patrol, patrol_id)
            patrol.finished_at = max(patrol.finished_at or now, now)
    except Conflict as lost:
        left_at = db.session.scalar(select(PatrolVisit.left_at).where(PatrolVisit.id == visit_id))
        raise Refused(
            _l("You left this compound at %(time)s already.", time=short_when(left_at)),
            status=409,
        ) from lost
    return db.session.get(PatrolVisit, visit_id)
