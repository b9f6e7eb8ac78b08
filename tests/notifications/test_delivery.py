"""Kicks after a request: RQ on the real Redis at 127.0.0.1:6379, or an in-process thread."""

import uuid

import pytest
from flask_babel import gettext
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

from coordinator import create_app
from coordinator.access import public
from coordinator.extensions import db
from coordinator.notifications import kick, services
from coordinator.notifications.models import PENDING, SENT, OutboxMessage
from tests.conftest import settings

REDIS = "redis://127.0.0.1:6379/0"


def statuses() -> list[str]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)).all()


@pytest.fixture
def queue_name():
    name = f"test-outbox-{uuid.uuid4().hex}"
    yield name
    Queue(name, connection=Redis.from_url(REDIS)).delete(delete_jobs=True)


@pytest.fixture
def make_app(database_url, tmp_path):
    """A second app on the same database, with routes that write messages like a service."""
    made = []

    def factory(**overrides):
        other = create_app(settings(database_url, str(tmp_path), **overrides))

        @other.post("/_test/queue")
        @public
        def queue_and_commit():
            services.queue("case_dispatched", "13800138000", gettext("Saved."), channel="log")
            db.session.commit()
            return "ok"

        @other.post("/_test/rollback")
        @public
        def queue_and_roll_back():
            services.queue("case_dispatched", "13800138000", "x", channel="log")
            db.session.flush()
            db.session.rollback()
            return "rolled back"

        @other.post("/_test/later")
        @public
        def queue_for_tomorrow():
            from datetime import timedelta

            from coordinator.i18n import utcnow

            services.queue(
                "event_reminder",
                "13800138000",
                "x",
                channel="log",
                send_at=utcnow() + timedelta(days=1),
            )
            db.session.commit()
            return "later"

        made.append(other)
        return other

    yield factory
    for other in made:
        other.extensions.get("outbox_kicker") and other.extensions["outbox_kicker"].wait()
        with other.app_context():
            db.engine.dispose()


def test_rq_job_delivers_in_a_burst_worker(app, queue_name, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS)
    monkeypatch.setitem(app.config, "NOTIFY_QUEUE", queue_name)
    app.extensions.pop("outbox_redis", None)
    services.queue("case_dispatched", "13800138000", "派单", channel="log")
    db.session.commit()
    try:
        job = kick.enqueue(app)
    finally:
        connection = app.extensions.pop("outbox_redis")
    queue = Queue(queue_name, connection=connection)
    assert queue.job_ids == [job.id]
    assert statuses() == [PENDING]
    SimpleWorker([queue], connection=connection).work(burst=True)
    assert statuses() == [SENT]
    assert queue.count == 0


def test_request_that_commits_a_message_enqueues_one_rq_job(app, make_app, queue_name):
    other = make_app(REDIS_URL=REDIS, NOTIFY_QUEUE=queue_name)
    assert other.config["NOTIFY_KICK"] == "rq"
    client = other.test_client()
    assert client.post("/_test/queue").status_code == 200
    connection = Redis.from_url(REDIS)
    queue = Queue(queue_name, connection=connection)
    assert queue.count == 1
    assert client.post("/_test/rollback").status_code == 200
    assert client.post("/_test/later").status_code == 200
    assert queue.count == 1  # a rollback or a message for tomorrow kicks nothing
    with other.app_context():
        SimpleWorker([queue], connection=connection).work(burst=True)
    assert statuses() == [SENT, PENDING]


def test_without_redis_a_request_delivers_in_a_thread(app, make_app):
    other = make_app(NOTIFY_KICK="thread")
    client = other.test_client()
    assert client.post("/_test/queue").status_code == 200
    other.extensions["outbox_kicker"].wait()
    assert statuses() == [SENT]


def test_inline_mode_delivers_after_the_response_is_closed(app, make_app):
    other = make_app(NOTIFY_KICK="inline")
    response = other.test_client().post("/_test/queue")
    assert response.status_code == 200
    response.close()
    assert statuses() == [SENT]


def test_redis_down_falls_back_to_delivering_in_process(app, make_app, caplog):
    other = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    assert other.config["NOTIFY_KICK"] == "rq"
    with caplog.at_level("WARNING"):
        assert other.test_client().post("/_test/queue").status_code == 200
    other.extensions["outbox_kicker"].wait()
    assert "could not enqueue" in caplog.text
    assert statuses() == [SENT]


def test_kicks_during_a_running_delivery_are_not_lost(app, make_app):
    other = make_app(NOTIFY_KICK="thread")
    client = other.test_client()
    for _ in range(5):
        client.post("/_test/queue")
    kicker = other.extensions["outbox_kicker"]
    for _ in range(3):  # the thread may go round again for kicks that came while it ran
        kicker.wait()
    assert statuses() == [SENT] * 5
    assert not kicker.running


def test_cli_deliver_once(app):
    services.queue("x", "x", "x", channel="log")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["notifications", "deliver"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    assert statuses() == [SENT]
