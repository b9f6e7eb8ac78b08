"""The delivery worker runs the plans' due work periodically; a failure never ends it."""

import threading
from datetime import datetime

from coordinator import plugins
from coordinator.notifications import cli
from coordinator.plans.models import PlanRun


def test_the_worker_offers_the_plans_job(app):
    assert [job.name for job in plugins.periodic_jobs(app)] == ["plans"]


def test_a_failing_job_is_logged_and_run_again(app, monkeypatch):
    calls = []
    stop = threading.Event()

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database away")
        stop.set()
        return "ok"

    monkeypatch.setattr(
        plugins, "periodic_jobs", lambda _app: [plugins.Periodic("plans", flaky, 0.01)]
    )
    thread = threading.Thread(target=cli._periodic_forever, args=(app, stop))
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive() and len(calls) == 2


def test_the_plans_job_runs_due_plans(app, place, plan_of, monkeypatch):
    from coordinator.extensions import db
    from coordinator.plans import offers

    plan_of(starts_at=datetime(2000, 1, 1, 1))
    assert "1 created" in offers._run_due()
    assert db.session.query(PlanRun).filter(PlanRun.outcome == "created").count() == 1
