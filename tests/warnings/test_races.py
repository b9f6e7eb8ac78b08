"""Exactly once under a race: the same warning's plans run by several requests (or hosts) at
once make one run and one set of work per plan (the PlanRun row, INSERT … ON CONFLICT DO
NOTHING). SQLite and PostgreSQL (TEST_DATABASE_URL)."""

import threading

from sqlalchemy import func, select

from coordinator.campaigns.models import Campaign
from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.plans.models import PlanRun
from coordinator.warnings import services
from coordinator.warnings.models import WeatherWarning
from tests.warnings.conftest import warning_data

RUNNERS = 4


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_concurrent_runs_of_one_warnings_plans_make_the_work_once(town, plan, web_app):
    warning = services.record(town.admin, warning_data()).warning  # no plan yet: nothing run
    plan()
    plan(title="大风前广告牌检查", category="trees")
    warning_id, admin_id = warning.id, town.admin.id
    db.session.remove()
    start = threading.Barrier(RUNNERS)
    made, errors = [], []

    def runner():
        with web_app.app_context():
            try:
                from coordinator.auth.models import User

                actor = db.session.get(User, admin_id)
                found = db.session.get(WeatherWarning, warning_id)
                start.wait(timeout=10)
                runs = services.run_plans(actor, found)
                made.append(len(runs))
            except Exception as error:  # noqa: BLE001  (reported below)
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner) for _ in range(RUNNERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(made, reverse=True)[0] >= 1 and sum(made) == 2  # two plans, each run once
    assert count(PlanRun) == 2 and count(Campaign) == 2 and count(Case) == 6
