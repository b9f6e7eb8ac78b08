"""`flask notifications deliver [--loop]` and `flask notifications worker` for production
(added to the blueprint's command group in blueprint.py)."""

import signal
import threading
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from coordinator import plugins
from coordinator.extensions import db
from coordinator.notifications import services


def _poll_forever(app, interval: float, limit: int, stop: threading.Event | None = None):
    """Deliver what is due, again and again: retries and scheduled messages need no kick."""
    while stop is None or not stop.is_set():
        with app.app_context():
            try:
                run = services.deliver_due(limit)
            except Exception:
                app.logger.exception("outbox: delivery run failed; trying again")
                run = services.DeliveryRun()
            finally:
                db.session.remove()
        if run.claimed:
            app.logger.info(
                "outbox: %s sent, %s to retry, %s failed", run.sent, run.retrying, run.failed
            )
        if run.claimed < limit:  # a full batch means more are waiting: go on at once
            if stop is not None:
                stop.wait(interval)
            else:
                time.sleep(interval)


def _periodic_forever(app, stop: threading.Event) -> None:
    """The other domains' periodic jobs (plugins.offer_periodic: the plans' due work), each
    every so many seconds, in this process. A failure is logged and never ends the worker."""
    jobs = plugins.periodic_jobs(app)
    if not jobs:
        return
    next_at = {job.name: 0.0 for job in jobs}
    while not stop.is_set():
        for job in jobs:
            if time.monotonic() < next_at[job.name]:
                continue
            with app.app_context():
                try:
                    app.logger.info("%s: %s", job.name, job.run())
                except Exception:
                    app.logger.exception("%s: periodic run failed; trying again later", job.name)
                finally:
                    db.session.remove()
            next_at[job.name] = time.monotonic() + job.every
        stop.wait(max(0.5, min(next_at.values()) - time.monotonic()))


def _start_periodic(app, stop: threading.Event) -> None:
    threading.Thread(
        target=_periodic_forever, args=(app, stop), name="periodic-jobs", daemon=True
    ).start()


@click.command("deliver")
@with_appcontext
@click.option("--loop", is_flag=True, help="Keep delivering until stopped.")
@click.option("--interval", default=None, type=float, help="Seconds between polls.")
@click.option("--limit", default=100, show_default=True, help="Messages per run.")
def deliver_command(loop, interval, limit):
    """Deliver the due messages of the outbox (once, or --loop)."""
    app = current_app._get_current_object()
    if not loop:
        run = services.deliver_due(limit)
        click.echo(f"{run.sent} sent, {run.retrying} to retry, {run.failed} failed.")
        return
    try:
        _poll_forever(app, interval or app.config["NOTIFY_POLL_SECONDS"], limit)
    except KeyboardInterrupt:
        click.echo("Stopped.")


@click.command("worker")
@with_appcontext
@click.option("--interval", default=None, type=float, help="Seconds between polls.")
def worker_command(interval):
    """The delivery worker: an RQ worker on the queue when REDIS_URL is set, plus a poller,
    plus the periodic jobs other domains offer (the plans' due work, PLANS_EVERY_SECONDS)."""
    app = current_app._get_current_object()
    interval = interval or app.config["NOTIFY_POLL_SECONDS"]
    if not app.config.get("REDIS_URL"):
        click.echo("REDIS_URL is unset: polling the outbox in this process.")
        stop = threading.Event()
        # Stopped (by gunicorn's hook, systemd, …): end after the run in hand, not inside it.
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        _start_periodic(app, stop)
        try:
            _poll_forever(app, interval, 100, stop)
        except KeyboardInterrupt:
            pass
        click.echo("Stopped.")
        return
    from rq import Queue, SimpleWorker

    from coordinator.notifications.kick import redis_connection

    stop = threading.Event()
    poller = threading.Thread(
        target=_poll_forever, args=(app, interval, 100, stop), name="outbox-poller", daemon=True
    )
    poller.start()
    _start_periodic(app, stop)
    connection = redis_connection(app)
    # SimpleWorker runs jobs in this process: no fork sharing the database pool, and the
    # jobs run inside this command's app context.
    worker = SimpleWorker(
        [Queue(app.config["NOTIFY_QUEUE"], connection=connection)], connection=connection
    )
    try:
        worker.work()
    finally:
        stop.set()
