"""`flask plans run`: the due occurrences' work, exactly once each, whatever the run times,
however many runs at once; lead time, missed, empty, failed."""

import threading
from datetime import datetime, timedelta

from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from coordinator.campaigns.models import Campaign
from coordinator.campaigns.targets import Targets
from coordinator.cases.models import Case, CaseEvent
from coordinator.extensions import db
from coordinator.i18n import to_local, to_utc
from coordinator.plans import services
from coordinator.plans.models import CREATED, EMPTY, FAILED, MISSED, PlanRun

JAN = datetime(2026, 1, 1, 1, 0)  # 09:00 Beijing


def runs(plan_id):
    return db.session.scalars(
        select(PlanRun).where(PlanRun.plan_id == plan_id).order_by(PlanRun.occurrence_at)
    ).all()


def test_the_due_occurrence_gets_its_campaign_and_cases(place, plan_of):
    plan = plan_of()
    report = services.run_due(now=JAN - timedelta(days=14))  # exactly the lead time ahead
    assert (report.created, report.missed) == (1, 0)
    [run] = runs(plan.id)
    assert (run.occurrence_at, run.outcome, run.work_count) == (JAN, CREATED, 3)
    cases = db.session.scalars(select(Case).where(Case.campaign_id == run.campaign_id)).all()
    assert len(cases) == 3
    assert {c.channel for c in cases} == {"plan"}
    assert {c.deadline_at for c in cases} == {JAN}
    assert {c.team_id for c in cases} == {place.team.id}
    names = set(
        db.session.scalars(select(CaseEvent.actor_name).where(CaseEvent.case_id == cases[0].id))
    )
    assert names == {"计划：老旧小区主立管定期维护"}


def test_nothing_before_the_lead_time(place, plan_of):
    plan = plan_of()
    services.run_due(now=JAN - timedelta(days=14, seconds=1))
    assert runs(plan.id) == []
    services.run_due(now=JAN - timedelta(days=14))
    assert len(runs(plan.id)) == 1


def test_a_second_run_makes_nothing(place, plan_of):
    plan = plan_of()
    services.run_due(now=JAN)
    report = services.run_due(now=JAN + timedelta(days=3))
    assert report.created == report.missed == 0
    assert len(runs(plan.id)) == 1
    assert db.session.scalar(select(func.count()).select_from(Case)) == 3


def test_a_start_in_the_past_misses_the_old_dates_and_makes_the_latest(place, plan_of):
    plan = plan_of(rrule="FREQ=MONTHLY", lead_days=3)
    report = services.run_due(now=datetime(2026, 5, 10))
    found = runs(plan.id)
    assert [r.outcome for r in found] == [MISSED] * 4 + [CREATED]
    assert found[-1].occurrence_at == datetime(2026, 5, 1, 1)
    assert report.missed == 4 and report.created == 1
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 1


def test_no_compound_matches_is_empty(place, plan_of):
    plan = plan_of(targets=Targets(built_from=2090))
    services.run_due(now=JAN)
    [run] = runs(plan.id)
    assert run.outcome == EMPTY and run.campaign_id is None


def test_a_refusal_keeps_nothing_half_made_and_is_not_retried(place, plan_of, make):
    # The chosen team does not cover 师大北路小区: the whole occurrence is refused.
    plan = plan_of(targets=Targets(old=True))
    services.run_due(now=JAN)
    [run] = runs(plan.id)
    assert run.outcome == FAILED and "师大北路小区" in run.note
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0
    report = services.run_due(now=JAN + timedelta(hours=1))
    assert report.failed == 0 and len(runs(plan.id)) == 1


def test_one_plans_failure_does_not_undo_anothers(place, plan_of):
    bad = plan_of(targets=Targets(old=True), title="坏计划")
    good = plan_of(title="好计划")
    report = services.run_due(now=JAN)
    assert (report.created, report.failed) == (1, 1)
    assert runs(good.id)[0].outcome == CREATED and runs(bad.id)[0].outcome == FAILED


def test_a_paused_plan_makes_nothing(place, plan_of):
    plan = plan_of(active=False)
    services.run_due(now=JAN)
    assert runs(plan.id) == []


def test_a_community_plan_works_only_in_its_community(place, plan_of):
    plan = plan_of(targets=Targets(old=True), community=place.community)
    services.run_due(now=JAN)
    [run] = runs(plan.id)
    assert run.outcome == CREATED and run.work_count == 3  # not 师大北路小区


def test_dry_run_makes_nothing(place, plan_of):
    plan = plan_of(rrule="FREQ=MONTHLY")
    report = services.run_due(now=datetime(2026, 3, 2), dry_run=True)
    assert [what for *_x, what in report.due] == [MISSED, MISSED, CREATED]
    assert runs(plan.id) == []


def _concurrently(app, now, n=2):
    barrier = threading.Barrier(n)
    reports, errors = [], []

    def work():
        with app.app_context():
            try:
                barrier.wait()
                reports.append(services.run_due(now=now))
            except Exception as error:  # surfaced below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return reports


def test_runs_at_once_make_each_occurrence_once(app, place, plan_of):
    plans = [plan_of(rrule="FREQ=MONTHLY", lead_days=3, title=f"计划{i}") for i in range(3)]
    reports = _concurrently(app, datetime(2026, 3, 2), n=3)
    assert sum(r.created for r in reports) == 3
    assert sum(r.skipped for r in reports) == 6
    for plan in plans:
        assert [r.outcome for r in runs(plan.id)] == [MISSED, MISSED, CREATED]
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 3
    assert db.session.scalar(select(func.count()).select_from(Case)) == 9


# ---------------------------------------------------------------- the property

FREQS = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@st.composite
def schedules(draw):
    freq = draw(st.sampled_from(FREQS))
    parts = [f"FREQ={freq}"]
    interval = draw(st.integers(1, 3 if freq != "YEARLY" else 1))
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    if freq in ("WEEKLY", "MONTHLY") and draw(st.booleans()):
        parts.append(
            "BYDAY="
            + ",".join(draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True)))
        )
    elif freq in ("MONTHLY", "YEARLY") and draw(st.booleans()):
        parts.append(f"BYMONTHDAY={draw(st.sampled_from([1, 15, 28, 31, -1]))}")
    return ";".join(parts)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rule=schedules(),
    start=st.datetimes(datetime(2025, 1, 1), datetime(2026, 12, 31)),
    lead=st.integers(0, 20),
    offsets=st.lists(st.integers(-30 * 24, 300 * 24), min_size=1, max_size=4),
)
def test_each_due_occurrence_runs_exactly_once(place, plan_of, rule, start, lead, offsets):
    start = start.replace(microsecond=0)
    # Nothing matches: each run is "empty", cheap, and says where work would have been made.
    plan = plan_of(rrule=rule, starts_at=start, lead_days=lead, targets=Targets(built_from=2090))
    every = rrulestr(rule, dtstart=to_local(start))
    times = sorted(start + timedelta(hours=h) for h in offsets)
    seen = set()
    for now in times:
        services.run_due(now=now)
        rows = runs(plan.id)
        new = [r for r in rows if r.id not in seen]
        seen |= {r.id for r in rows}
        due_now = [
            to_utc(d)
            for d in every.between(to_local(start), to_local(now + timedelta(days=lead)), inc=True)
        ]
        # each due occurrence has exactly one run; none that is not yet due
        assert [r.occurrence_at for r in rows] == due_now
        # work only for the latest due (and those still ahead of now, within the lead)
        worked = [r.occurrence_at for r in new if r.outcome != MISSED]
        assert all(o == due_now[-1] or o >= now for o in worked)
        if new:
            assert due_now[-1] in worked
        assert all(r.outcome in (MISSED, EMPTY) for r in rows)


def test_two_processes_at_once_make_each_occurrence_once(database_url, place, plan_of):
    """Two `flask plans run` processes (two hosts, or cron and the worker) on one database."""
    import os
    import subprocess
    import sys

    plans = [plan_of(rrule="FREQ=MONTHLY", lead_days=3, title=f"计划{i}") for i in range(4)]
    ids = [p.id for p in plans]
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-two-processes"}
    env["PLANS_EVERY_SECONDS"] = "0"
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "plans", "run"]
    command += ["--now", "2026-03-02T09:00+08:00"]
    runs_at_once = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0].decode() for p in runs_at_once]
    assert [p.returncode for p in runs_at_once] == [0, 0], outputs
    db.session.expire_all()
    for plan_id in ids:
        assert [r.outcome for r in runs(plan_id)] == [MISSED, MISSED, CREATED]
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 4
    assert db.session.scalar(select(func.count()).select_from(Case)) == 12


def test_the_command_runs_as_at_now_and_dry(app, place, plan_of):
    plan = plan_of(rrule="FREQ=MONTHLY", lead_days=3)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["plans", "run", "--now", "2026-03-02T09:00+08:00", "--dry-run"])
    assert dry.exit_code == 0 and "3 occurrences due over 1 plans (dry run)." in dry.output
    assert runs(plan.id) == []
    bad = runner.invoke(args=["plans", "run", "--now", "yesterday"])
    assert bad.exit_code == 2 and "ISO 8601" in bad.output
    done = runner.invoke(args=["plans", "run", "--now", "2026-03-02T09:00"])  # Beijing time
    assert done.exit_code == 0 and "1 created" in done.output and "2 missed" in done.output
    assert [r.outcome for r in runs(plan.id)] == [MISSED, MISSED, CREATED]
