"""The monthly rows kept by the case signals, in the same transaction; freezing; rebuild."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from coordinator import months
from coordinator.cases import services as cases
from coordinator.cases.models import Case
from coordinator.dashboard import services
from coordinator.dashboard.models import (
    FrozenMonth,
    MonthCategoryFigures,
    MonthFigures,
    MonthTierFigures,
)
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.work import unit_of_work

ANSWERS = {"contacted": "yes", "solved": "yes", "satisfaction": "satisfied", "note": ""}


def figures(community, month=None):
    db.session.expire_all()
    return db.session.scalar(
        select(MonthFigures).where(
            MonthFigures.community_id == community.id,
            MonthFigures.month == (month or months.month_of()),
        )
    )


def tier(community, code="general", month=None):
    return db.session.scalar(
        select(MonthTierFigures).where(
            MonthTierFigures.community_id == community.id,
            MonthTierFigures.month == (month or months.month_of()),
            MonthTierFigures.tier == code,
        )
    )


def category(community, code="drain", month=None):
    return db.session.scalar(
        select(MonthCategoryFigures).where(
            MonthCategoryFigures.community_id == community.id,
            MonthCategoryFigures.month == (month or months.month_of()),
            MonthCategoryFigures.category == code,
        )
    )


def callback(world, case, **answers):
    return cases.record_callback(world.staff, case, dict(ANSWERS, **answers))


def test_a_case_logged_counts_as_received(world):
    world.case()
    world.case(category="trees")
    row = figures(world.community)
    assert (row.received, row.closed, row.callbacks) == (2, 0, 0)
    assert category(world.community).received == 1
    assert category(world.community, "trees").received == 1
    assert row.frozen_at is None


def test_the_whole_loop_moves_every_counter(world):
    case = world.case("callback")
    callback(world, case, solved="no", satisfaction="basically")
    row = figures(world.community)
    assert (row.received, row.closed, row.callbacks, row.contacted, row.solved) == (1, 1, 1, 1, 0)
    assert row.score == pytest.approx(0.9)
    handled = tier(world.community)
    assert (handled.handled, handled.on_time) == (1, 1)
    drain = category(world.community)
    assert drain.handled == 1
    assert drain.median_respond_hours is not None and drain.median_resolve_hours is not None
    assert drain.median_resolve_hours >= drain.median_respond_hours >= 0


def test_late_handover_is_not_on_time(world):
    case = world.case("in_progress", tier="emergency")
    db.session.execute(
        update(Case).where(Case.id == case.id).values(due_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    db.session.refresh(case)
    world_walk(world, case, [("handle", "worker")])
    row = tier(world.community, "emergency")
    assert (row.handled, row.on_time) == (1, 0)


def world_walk(world, case, steps):
    from coordinator.cases import workflow

    for action, who in steps:
        workflow.transition(case, action, getattr(world, who), "因为")
    db.session.commit()


def test_a_reopen_takes_the_handover_back(world):
    case = world.case("callback")
    callback(world, case, satisfaction="not")  # reopens
    assert case.status == "reopened"
    assert tier(world.community).handled == 0
    assert category(world.community).handled == 0
    assert category(world.community).median_resolve_hours is None
    row = figures(world.community)
    assert (row.callbacks, row.closed, row.score) == (1, 0, 0.0)
    world_walk(world, case, [("start", "worker"), ("handle", "worker")])
    assert tier(world.community).handled == 1


def test_a_failed_verification_handed_over_again_counts_once(world):
    case = world.case("handled")
    world_walk(world, case, [("verify_fail", "staff"), ("handle", "worker")])
    assert tier(world.community).handled == 1
    assert category(world.community).handled == 1


def test_a_rolled_back_use_case_leaves_the_figures_as_they_were(world):
    world.case()
    before = figures(world.community).received

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with unit_of_work():
            cases.open_case(world.staff, world.case_data())
            assert figures(world.community).received == before + 1  # inside: counted
            raise Boom
    assert figures(world.community).received == before
    assert category(world.community).received == before


def test_a_refused_callback_counts_nothing(world):
    case = world.case("callback")
    callback(world, case)
    with pytest.raises(Exception):  # noqa: B017 — closed now: the second press is refused
        callback(world, case)
    assert figures(world.community).callbacks == 1


def test_rows_match_a_recompute_from_source(world):
    for status in ("received", "in_progress", "handled", "closed", "reopened"):
        world.case(status)
    world.case("closed", category="trees", tier="emergency")
    live = _snapshot(world.community)
    services.rebuild(db.session.connection(), 2)
    db.session.commit()
    assert _snapshot(world.community) == live


def _snapshot(community):
    db.session.expire_all()
    row = figures(community)
    tiers = {
        (t.tier, t.handled, t.on_time)
        for t in db.session.scalars(
            select(MonthTierFigures).where(MonthTierFigures.community_id == community.id)
        )
        if t.handled
    }
    cats = {
        (c.category, c.received, c.handled, c.median_respond_hours, c.median_resolve_hours)
        for c in db.session.scalars(
            select(MonthCategoryFigures).where(MonthCategoryFigures.community_id == community.id)
        )
    }
    return (
        (row.received, row.closed, row.callbacks, row.contacted, row.solved, row.score),
        tiers,
        cats,
    )


def test_a_month_freezes_when_it_ends_and_then_never_changes(world, clock):
    old = world.case("callback")
    world.case("in_progress")
    this_month = months.month_of()
    next_month = months.bounds(this_month)[1] + timedelta(hours=1)

    clock.set(next_month)
    with unit_of_work() as session:
        assert services.ensure_frozen(next_month, session.connection()) == [this_month]
    frozen = figures(world.community, this_month)
    # The case in progress (due in 7 days) is still on the clock at the month's end.
    assert frozen.frozen_at == next_month and frozen.received == 2 and frozen.overdue == 1
    assert db.session.get(FrozenMonth, this_month) is not None
    kept = _month(world.community, this_month)

    # An old case edited later, and a late signal with `at` in the frozen month: no change.
    callback(world, old)
    world.case("handled")
    db.session.execute(update(Case).where(Case.id == old.id).values(category="trees"))
    db.session.commit()
    with unit_of_work() as session:
        assert services.ensure_frozen(next_month, session.connection()) == []
    assert _month(world.community, this_month) == kept


def _month(community, month):
    db.session.expire_all()
    row = figures(community, month)
    others = [
        (r.category, r.received, r.handled, r.median_resolve_hours, r.computed_at)
        for r in db.session.scalars(
            select(MonthCategoryFigures).where(MonthCategoryFigures.month == month)
        )
    ]
    return (row.received, row.closed, row.callbacks, row.score, row.computed_at), sorted(others)


def test_freezing_twice_at_once_freezes_once(world, clock):
    world.case()
    month = months.month_of()
    later = months.bounds(month)[1] + timedelta(minutes=5)
    with unit_of_work() as session:
        assert services.ensure_month_frozen(session.connection(), month, later)
    with unit_of_work() as session:
        # Someone else's freeze already stands: nothing is redone.
        assert not services.ensure_month_frozen(session.connection(), month, later + timedelta(1))
    assert figures(world.community, month).frozen_at == later


def test_overdue_at_freeze_is_what_was_overdue_then(world):
    late = world.case("in_progress")
    db.session.execute(
        update(Case).where(Case.id == late.id).values(due_at=utcnow() - timedelta(hours=2))
    )
    db.session.commit()
    got = services.overdue_at(db.session.connection(), utcnow())
    assert got == {world.community.id: 1}
    assert services.overdue_at(db.session.connection(), utcnow() - timedelta(hours=3)) == {}


def test_rebuild_freezes_the_past_months(world, clock):
    world.case("closed")
    now = months.bounds(months.month_of())[1] + timedelta(days=3)
    with unit_of_work() as session:
        window = services.rebuild(session.connection(), 3, now)
    assert len(window) == 3
    assert db.session.get(FrozenMonth, window[-2]) is not None
    assert db.session.get(FrozenMonth, window[-1]) is None
    assert figures(world.community, window[-2]).received == 1
    assert figures(world.community, window[-1]).frozen_at is None


def test_two_callbacks_at_once_are_both_counted(world, live, make):
    first, second = world.case("callback"), world.case("callback")
    other = make.user("staff", community_=world.community, name="李娜")
    make.commit()
    cookies = [live.login(world.staff.phone), live.login(other.phone)]
    urls = [f"/cases/{case.id}/callback" for case in (first, second)]
    answers = live.burst(
        2,
        lambda i: live.post(
            urls[i],
            {"contacted": "yes", "solved": "yes", "satisfaction": "satisfied", "note": ""},
            cookie=cookies[i],
        ),
    )
    assert [a.status for a in answers] == [302, 302], [a.text[:300] for a in answers]
    row = figures(world.community)
    assert (row.callbacks, row.closed, row.score) == (2, 2, 2.0)


def test_the_first_write_of_a_new_month_freezes_the_last_one_in_its_transaction(world, clock):
    world.case()
    month = months.month_of()
    clock.set(months.bounds(month)[1] + timedelta(minutes=1))
    # This case's `at` is the real now: in the month that has just ended. Its receiver freezes
    # that month first (inside the use case), and the freeze, reading the flushed case, counts it.
    world.case(category="trees")
    frozen = figures(world.community, month)
    assert frozen.frozen_at is not None and frozen.received == 2
    assert category(world.community, "trees", month).received == 1
    world.case()  # later ones change nothing
    assert figures(world.community, month).received == 2
