"""Starting delivery soon after a request commits new messages.

An SQLAlchemy after_flush hook notes that the transaction added a message due now, after_commit
turns that into "kick once after this request" (a rollback forgets it), and after_request kicks:
an RQ job on the "coordinator" queue when REDIS_URL is set, otherwise a delivery thread in this
process (one at a time; a kick while it runs makes it go round once more). The kick is only a
nudge: `flask notifications worker` (or `deliver --loop`) also polls, for retries and for
messages scheduled later, and picks up anything a lost kick left behind.
"""

import threading

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import event

from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.notifications.models import OutboxMessage
from coordinator.notifications.services import OUTBOX_DUE, deliver_due

JOB = "coordinator.notifications.kick.deliver_job"


@event.listens_for(db.session, "after_flush")
def _note_new_messages(session, _flush_context):
    now = utcnow()
    for obj in session.new:
        if isinstance(obj, OutboxMessage) and (
            obj.next_attempt_at is None or obj.next_attempt_at <= now
        ):
            session.info[OUTBOX_DUE] = True
            return


@event.listens_for(db.session, "after_commit")
def _kick_after_request(session):
    if session.info.pop(OUTBOX_DUE, False) and has_request_context():
        g.outbox_kick = True


@event.listens_for(db.session, "after_rollback")
def _forget(session):
    session.info.pop(OUTBOX_DUE, None)


def after_request(response):
    if g.pop("outbox_kick", False):
        kick(current_app._get_current_object(), response)
    return response


def kick(app, response=None) -> str:
    """Start delivery the way this app is set up; returns how ("rq", "thread", "inline", "off")."""
    mode = app.config["NOTIFY_KICK"]
    if mode == "rq":
        try:
            enqueue(app)
            return "rq"
        except Exception as error:  # Redis away: deliver from here rather than wait for a poll
            app.logger.warning(
                "outbox: could not enqueue delivery (%r); delivering in-process", error
            )
            mode = "thread"
    if mode == "inline" and response is not None:
        response.call_on_close(lambda: _deliver_in(app))
        return "inline"
    if mode in ("thread", "inline"):
        _kicker(app).kick()
        return "thread"
    return "off"


def enqueue(app):
    from rq import Queue

    return Queue(app.config["NOTIFY_QUEUE"], connection=redis_connection(app)).enqueue(
        JOB, job_timeout=300, result_ttl=0, failure_ttl=86400
    )


def redis_connection(app):
    from redis import Redis

    connection = app.extensions.get("outbox_redis")
    if connection is None:
        connection = app.extensions["outbox_redis"] = Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5
        )
    return connection


def deliver_job(limit: int = 100) -> int:
    """The RQ job: deliver what is due, in the worker's app (or a fresh one)."""
    if has_app_context():
        return deliver_due(limit).claimed
    app = _worker_app()
    with app.app_context():
        return deliver_due(limit).claimed


_app = None


def _worker_app():
    global _app
    if _app is None:
        from coordinator import create_app

        _app = create_app()
    return _app


def _deliver_in(app) -> None:
    with app.app_context():
        try:
            while deliver_due().claimed:
                pass
        except Exception:
            app.logger.exception("outbox: delivery run failed; the next run retries")
        finally:
            db.session.remove()


class Kicker:
    """At most one in-process delivery thread per app; kicks while it runs are not lost."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.running = False
        self.again = False
        self.thread: threading.Thread | None = None

    def kick(self) -> None:
        with self.lock:
            if self.running:
                self.again = True
                return
            self.running = True
            self.thread = threading.Thread(target=self._run, name="outbox-delivery", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            _deliver_in(self.app)
            with self.lock:
                if not self.again:
                    self.running = False
                    return
                self.again = False

    def wait(self, timeout: float = 10) -> None:
        """For tests and shutdown: let the current delivery thread finish."""
        thread = self.thread
        if thread is not None:
            thread.join(timeout)


def _kicker(app) -> Kicker:
    kicker = app.extensions.get("outbox_kicker")
    if kicker is None:
        kicker = app.extensions["outbox_kicker"] = Kicker(app)
    return kicker
