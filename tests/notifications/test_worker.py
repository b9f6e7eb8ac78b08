"""The delivery loop that `make run` (gunicorn_conf) and production run: retries and scheduled
reminders go out when due, with no new message queued and no request made."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from coordinator.config import ROOT
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.notifications import cli, gunicorn_conf, senders, services
from coordinator.notifications.models import PENDING, SENT, OutboxMessage


def statuses() -> list[str]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)).all()


def wait_for(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_the_loop_sends_due_retries_and_reminders_without_a_new_message(app, monkeypatch):
    failing = {"left": 1}
    sent = []

    def flaky_sender(message):
        if failing["left"]:
            failing["left"] -= 1
            raise ConnectionError("gateway away")
        sent.append(message.body)

    monkeypatch.setitem(senders.SENDERS, "log", flaky_sender)
    monkeypatch.setitem(app.config, "NOTIFY_BACKOFF_SECONDS", 1)
    services.queue("case_dispatched", "x", "派单", channel="log")  # fails once, then retried
    services.queue(
        "event_reminder", "x", "明天见", channel="log", send_at=utcnow() + timedelta(seconds=1.5)
    )
    db.session.commit()

    stop = threading.Event()
    loop = threading.Thread(target=cli._poll_forever, args=(app, 0.1, 100, stop), daemon=True)
    loop.start()
    try:
        assert wait_for(lambda: statuses() == [SENT, SENT]), statuses()
    finally:
        stop.set()
        loop.join(5)
    assert not loop.is_alive()
    assert sorted(sent) == sorted(["派单", "明天见"])
    assert failing["left"] == 0


def test_the_loop_keeps_going_after_a_failed_run(app, monkeypatch):
    runs = []

    def deliver(limit):
        runs.append(limit)
        if len(runs) == 1:
            raise RuntimeError("database away")
        return services.DeliveryRun()

    monkeypatch.setattr(services, "deliver_due", deliver)
    stop = threading.Event()
    loop = threading.Thread(target=cli._poll_forever, args=(app, 0.05, 100, stop), daemon=True)
    loop.start()
    assert wait_for(lambda: len(runs) >= 3)
    stop.set()
    loop.join(5)
    assert not loop.is_alive()


class FakeServer:
    class log:  # noqa: N801 (gunicorn's server.log has these two)
        lines: list = []

        @classmethod
        def info(cls, *args):
            cls.lines.append(args[0] % args[1:])

        warning = info


@pytest.fixture
def hook(monkeypatch):
    """gunicorn_conf with fresh state and a quick restart."""
    monkeypatch.setattr(
        gunicorn_conf, "_state", {"process": None, "stopping": threading.Event(), "thread": None}
    )
    monkeypatch.setattr(gunicorn_conf, "RESTART_AFTER_SECONDS", 0.1)
    monkeypatch.delenv("NOTIFY_WORKER", raising=False)
    FakeServer.log.lines = []
    return gunicorn_conf


def test_the_server_hook_keeps_one_delivery_process_and_stops_it(hook, monkeypatch):
    started = []

    def command():
        started.append(1)
        # The first one dies at once (as a crash would); the next one lives until stopped.
        code = "pass" if len(started) == 1 else "import time; time.sleep(60)"
        return [sys.executable, "-c", code]

    monkeypatch.setattr(hook, "_command", command)
    hook.when_ready(FakeServer)
    assert wait_for(lambda: len(started) == 2 and hook._state["process"].poll() is None)
    process = hook._state["process"]
    hook.on_exit(FakeServer)
    assert process.poll() is not None  # stopped with the server
    hook._state["thread"].join(5)
    assert not hook._state["thread"].is_alive() and len(started) == 2
    assert any("ended" in line for line in FakeServer.log.lines)


def test_a_separate_worker_host_switches_the_hook_off(hook, monkeypatch):
    monkeypatch.setenv("NOTIFY_WORKER", "0")
    hook.when_ready(FakeServer)
    assert hook._state["thread"] is None


def test_the_worker_command_stops_on_sigterm(app, database_url, tmp_path):
    """The command the hook runs, for real: it delivers, and ends cleanly on what gunicorn's
    on_exit and systemd send."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "k" * 32,
        "REDIS_URL": "",
        "NOTIFY_POLL_SECONDS": "0.2",
        "UPLOAD_FOLDER": str(tmp_path),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "notifications", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        services.queue("case_dispatched", "x", "派单", channel="log")
        db.session.commit()
        assert wait_for(lambda: statuses() == [SENT], 30), statuses()
    finally:
        worker.send_signal(signal.SIGTERM)
        out, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, out
    assert "Stopped." in out
    assert PENDING not in statuses()
