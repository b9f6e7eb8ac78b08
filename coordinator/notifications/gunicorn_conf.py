"""gunicorn settings that make the web server deliver the outbox too:

    gunicorn -c python:coordinator.notifications.gunicorn_conf wsgi:app

A kick after each request sends what it queued at once, but failed texts wait for their
retry time and reminders for their day: somebody must poll. Here the gunicorn arbiter owns
one delivery process (`flask notifications worker`), started when the server is ready, started
again if it dies, and stopped with the server, so `make run` alone delivers everything due.
A deployment with a separate worker host sets NOTIFY_WORKER=0 and runs the worker there; any
number of delivery processes may run, as claiming a message is atomic (services.claim_due).
"""

import os
import subprocess
import sys
import threading

from coordinator.config import notify_worker

RESTART_AFTER_SECONDS = 5

_state = {"process": None, "stopping": threading.Event(), "thread": None}


def _command() -> list[str]:
    return [
        sys.executable,
        "-m",
        "flask",
        "--app",
        os.environ.get("FLASK_APP", "wsgi"),
        "notifications",
        "worker",
    ]


def _supervise(server) -> None:
    stopping = _state["stopping"]
    while not stopping.is_set():
        process = subprocess.Popen(_command())
        _state["process"] = process
        server.log.info("outbox delivery process started (pid %s)", process.pid)
        process.wait()  # the arbiter may reap it first: then the wait ends all the same
        if stopping.is_set():
            return
        server.log.warning(
            "outbox delivery process %s ended (%s); starting another in %s s",
            process.pid,
            process.returncode,
            RESTART_AFTER_SECONDS,
        )
        stopping.wait(RESTART_AFTER_SECONDS)


def when_ready(server) -> None:
    if not notify_worker():
        return
    thread = threading.Thread(
        target=_supervise, args=(server,), name="outbox-supervisor", daemon=True
    )
    _state["thread"] = thread
    thread.start()


def on_exit(server) -> None:
    _state["stopping"].set()
    process = _state["process"]
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    server.log.info("outbox delivery process stopped")
