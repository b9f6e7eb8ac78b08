"""team_records (matching's load and track record) stays right after every kind of change."""

from datetime import timedelta

from sqlalchemy import delete, select

from coordinator.cases import matching, records, services, workflow
from coordinator.cases.models import Callback, Case, TeamRecord
from coordinator.extensions import db
from tests.cases.conftest import walk

ANSWERS = {"contacted": "yes", "solved": "yes", "satisfaction": "basically"}


def kept() -> dict:
    rows = db.session.scalars(select(TeamRecord)).all()
    return {
        r.team_id: (r.open_jobs, r.median_hours, r.rated, r.score)
        for r in rows
        if r.open_jobs or r.median_hours is not None or r.rated
    }


def from_scratch() -> dict:
    conn = db.session.connection()
    jobs, medians = records.open_jobs(conn), records.median_hours(conn)
    rated = records.ratings(conn)
    out = {}
    for tid in set(jobs) | set(medians) | set(rated):
        row = (jobs.get(tid, 0), medians.get(tid), *rated.get(tid, (0, 0.0)))
        if row[0] or row[1] is not None or row[2]:
            out[tid] = row
    return out


def by_hand(case, team_id):
    """A case moved outside the workflow: such code works the figures out itself (records.py)."""
    left = case.team_id
    case.team_id = team_id
    db.session.flush()
    records.refresh(db.session.connection(), [left, team_id])
    db.session.commit()


def check(what: str):
    db.session.expire_all()
    assert kept() == from_scratch(), what


def test_every_kind_of_change_keeps_the_rollup(world):
    staff, lead, worker = world.staff, world.lead, world.worker
    case = services.open_case(staff, world.case_data())
    check("opened")
    services.dispatch(staff, case, world.team.id)
    check("dispatched")
    assert kept()[world.team.id][0] == 1
    services.act(lead, case, "return", "不归我们管")
    check("returned")
    services.dispatch(staff, case, world.other_team.id)
    check("re-dispatched to another team")
    assert world.team.id not in kept() and kept()[world.other_team.id][0] == 1
    by_hand(case, world.team.id)  # moved by hand, not through the workflow
    check("team changed directly")
    services.act(lead, case, "accept")
    check("accepted")
    for action, who, note in [
        ("start", worker, ""),
        ("extend", worker, "等配件"),
        ("resume", worker, ""),
        ("park", staff, "冬季"),
        ("resume", staff, ""),
        ("handle", worker, ""),
    ]:
        services.act(who, case, action, note)
        check(action)
    assert kept()[world.team.id][1] is not None  # a median once something is handled
    services.verify(staff, case, False, "还在漏")
    check("verification failed")
    services.act(worker, case, "handle")
    services.verify(staff, case, True)
    check("verified")
    services.record_callback(staff, case, ANSWERS)
    check("call-back, closed")
    assert kept()[world.team.id][2] == 1
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    by_hand(case, world.other_team.id)  # a handed-over case moved by hand: its hours move
    check("handled case moved to another team")
    assert kept()[world.other_team.id][1] is not None
    by_hand(case, world.team.id)
    again = walk(services.open_case(staff, world.case_data()), "callback", world)
    services.record_callback(staff, again, {**ANSWERS, "satisfaction": "not"})
    check("call-back, reopened")
    services.act(staff, again, "start")
    check("reopened case started again")
    void = services.open_case(staff, world.case_data())
    services.act(staff, void, "void", "重复")
    check("void")
    db.session.execute(delete(Callback))  # bulk statements bypass the ORM: refresh() mends
    db.session.commit()
    records.refresh(db.session.connection(), [world.team.id])
    db.session.commit()
    check("refresh after a bulk change")
    db.session.delete(db.session.get(Case, case.id))
    db.session.flush()
    records.refresh(db.session.connection(), [world.team.id])
    db.session.commit()
    check("case deleted")


def test_the_window_moves_on_refresh(world):
    case = walk(services.open_case(world.staff, world.case_data()), "handled", world)
    case.accepted_at -= timedelta(days=500)  # by hand: such code refreshes the team's row
    case.handled_at -= timedelta(days=400)
    db.session.flush()
    records.refresh(db.session.connection(), [world.team.id])
    db.session.commit()
    check("handled long ago")
    assert world.team.id not in kept()
    records.refresh(db.session.connection())
    db.session.commit()
    check("full refresh")


def test_matching_reads_the_rollup(world, count_queries):
    walk(services.open_case(world.staff, world.case_data()), "in_progress", world)
    done = walk(services.open_case(world.staff, world.case_data()), "callback", world)
    services.record_callback(world.staff, done, ANSWERS)
    need = matching.need_of(services.open_case(world.staff, world.case_data()))
    with count_queries() as q:
        facts = {f.id: f for f in matching.fetch_facts(need)}
    assert q.count == 1
    mine = facts[world.team.id]
    assert (mine.open_jobs, mine.rated, mine.satisfaction) == (1, 1, 0.9)
    assert mine.median_hours is not None and world.other_team.id in facts
    assert workflow.TEAM_LOAD  # the load is the workflow's own set


def test_the_database_ranks_as_rank_does(world, make):
    """suggest(limit=k) sorts in SQL; the first k must be rank()'s first k, ties and all."""
    import random

    rng = random.Random(5)
    for i in range(24):
        team = make.team(
            f"排序队{i}",
            skills=("drain",),
            capacity=rng.choice([1, 2, 4]),
            communities=[world.community] if i % 3 else [],
            compounds=[world.compound] if i % 3 != 1 else [],
        )
        rated = rng.choice([0, 0, 2, 4])
        db.session.add(
            TeamRecord(
                team_id=team.id,
                open_jobs=rng.choice([0, 0, 1]),
                median_hours=rng.choice([None, 2.5, 2.5, 7.0]),
                rated=rated,
                score=rng.choice([0.0, 1.8, 2.0, 3.6]) * rated / 4,
            )
        )
    make.commit()
    case = world.case("returned")  # world.team returned it: last resort
    everyone = [s.team.id for s in matching.suggest(case)]
    assert len(everyone) > 15 and everyone[-1] == world.team.id
    for k in (1, 3, 5, 10, len(everyone)):
        assert [s.team.id for s in matching.suggest(case, limit=k)] == everyone[:k], k


def test_the_nightly_command_works_the_rows_out_again(app, world):
    case = walk(services.open_case(world.staff, world.case_data()), "in_progress", world)
    case.status = "void"  # a fix by hand that forgot refresh()
    db.session.commit()
    db.session.expire_all()
    assert kept() != from_scratch()
    result = app.test_cli_runner().invoke(args=["cases", "refresh-records"])
    assert "team records refreshed" in result.output
    check("after the nightly refresh")
