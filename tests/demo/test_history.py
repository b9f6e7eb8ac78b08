"""The demo's year of history: idempotent, quick, every chronology in order, and the story
it is there to tell (红联北村's drains, the bike sheds, branches before winter, call-backs
getting better)."""

from collections import Counter, defaultdict

from sqlalchemy import func, select

from coordinator.cases import demo, history
from coordinator.cases.models import Callback, Case, CaseEvent
from coordinator.demo import CHAPTERS, story
from coordinator.extensions import db
from coordinator.hotspots import demo as hotspots_demo
from coordinator.hotspots.models import RepeatSpot
from coordinator.i18n import to_local, utcnow
from coordinator.places.models import Community, Compound
from tests.demo.test_story import row_counts


def load_all():
    story.load()
    demo.load()
    history.load()
    hotspots_demo.load()
    db.session.commit()


def test_the_chapter_sits_after_the_cases_and_before_the_rest():
    at = CHAPTERS.index("coordinator.cases.demo")
    assert CHAPTERS[at + 1 : at + 3] == ["coordinator.cases.history", "coordinator.hotspots.demo"]


def test_history_is_idempotent(app):
    load_all()
    counts = row_counts()
    history.load()
    hotspots_demo.load()
    db.session.commit()
    assert row_counts() == counts
    cases = db.session.scalar(select(func.count(Case.id)).where(Case.tracking_token.like("hist-%")))
    assert 150 <= cases <= 400


def test_the_plan_is_deterministic():
    now = utcnow()
    assert [s.__dict__ for s in history.plan(now)] == [s.__dict__ for s in history.plan(now)]


def test_every_chronology_is_in_order(app):
    load_all()
    now = utcnow()
    cases = db.session.scalars(select(Case).where(Case.tracking_token.like("hist-%"))).all()
    trails = defaultdict(list)
    for event in db.session.scalars(select(CaseEvent).order_by(CaseEvent.id)):
        trails[event.case_id].append(event)
    callbacks = defaultdict(list)
    for callback in db.session.scalars(select(Callback)):
        callbacks[callback.case_id].append(callback)
    statuses = Counter()
    for case in cases:
        statuses[case.status] += 1
        trail = trails[case.id]
        assert trail[0].action == "opened" and trail[0].at == case.created_at
        moments = [e.at for e in trail]
        assert moments == sorted(moments) and moments[-1] <= now, case.tracking_token
        for before, after in zip(trail, trail[1:], strict=False):
            assert after.from_status == before.to_status, case.tracking_token
        assert trail[-1].to_status == case.status
        if case.dispatched_at:
            assert case.created_at < case.dispatched_at
        if case.accepted_at:
            assert case.dispatched_at < case.accepted_at < case.due_at
        if case.handled_at:
            assert case.accepted_at < case.handled_at
        if case.closed_at:
            assert case.handled_at < case.closed_at <= now
        for callback in callbacks[case.id]:
            handled = [e.at for e in trail if e.action == "handle" and e.at <= callback.created_at]
            assert handled, case.tracking_token  # a call-back comes after a hand-over
        if case.status == "closed":
            assert callbacks[case.id] and case.team_id
    assert statuses["closed"] > len(cases) / 2
    assert statuses["void"] >= 3
    reopened = {e.case_id for trail in trails.values() for e in trail if e.action == "reopen"}
    assert len(reopened & {c.id for c in cases}) >= 3
    late = [c for c in cases if c.handled_at and c.due_at and c.handled_at > c.due_at]
    assert len(late) >= 5
    overdue = [c for c in cases if c.is_overdue(now)]
    assert 1 <= len(overdue) <= 10


def test_the_story_shows_in_the_hot_spots(app):
    load_all()
    hongli = db.session.scalar(select(Compound.id).where(Compound.name == "红联北村"))
    drains = db.session.scalars(
        select(RepeatSpot).where(RepeatSpot.compound_id == hongli, RepeatSpot.category == "drain")
    ).all()
    assert len(drains) >= 3  # three buildings' drains again and again
    stacks = db.session.scalar(
        select(func.count(Case.id)).where(
            Case.compound_id == hongli, Case.category == "drain", Case.affects_building
        )
    )
    assert stacks >= 3  # two in the history, and Ms Li's
    sheds = db.session.scalars(
        select(Case.compound_id).where(Case.category == "bikes").distinct()
    ).all()
    assert len(sheds) >= 5
    months = Counter(
        to_local(at).month
        for at in db.session.scalars(
            select(Case.created_at).where(
                Case.category == "trees", Case.tracking_token.like("hist-%")
            )
        )
    )
    assert months[10] + months[11] > 0.6 * sum(months.values())


def test_call_backs_differ_by_community_and_get_better(app):
    load_all()
    rows = db.session.execute(
        select(Community.name, Callback.created_at, Callback.solved)
        .join(Case, Case.id == Callback.case_id)
        .join(Community, Community.id == Case.community_id)
        .where(Case.tracking_token.like("hist-%"))
    ).all()
    by_community = defaultdict(list)
    ends = {"first": [], "last": []}
    now = utcnow()
    for name, at, solved in rows:
        by_community[name].append(solved)
        age = (now - at).days
        if age > 240:
            ends["first"].append(solved)
        elif age < 120:
            ends["last"].append(solved)
    rates = {name: sum(v) / len(v) for name, v in by_community.items()}
    assert len(rates) == 6 and max(rates.values()) - min(rates.values()) > 0.05
    first, last = (sum(ends[k]) / len(ends[k]) for k in ("first", "last"))
    assert last > first + 0.05, (first, last)
