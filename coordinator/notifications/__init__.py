"""The outbox: every message is written in the same transaction as the change that causes it,
then delivered by a background worker (RQ on Redis when REDIS_URL is set, in-process otherwise).

    from coordinator.notifications.services import queue
    queue("case_dispatched", phone, text, channel="sms", about=("case", case.id))
    queue("event_reminder", phone, text, send_at=starts_at - timedelta(hours=2))

blueprint.py is the URL map (the outbox page) and the `flask notifications` commands;
queries.py reads the outbox page; services.py writes and delivers messages.
"""

DEFAULTS = {
    "NOTIFY_MAX_ATTEMPTS": 8,
    "NOTIFY_BACKOFF_SECONDS": 30,
    "NOTIFY_BACKOFF_MAX_SECONDS": 6 * 3600,
    "NOTIFY_LEASE_SECONDS": 300,  # a claimed message is taken again after this if not finished
    "NOTIFY_POLL_SECONDS": 10,
    "NOTIFY_QUEUE": "coordinator",
    "MAIL_SERVER": "",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_DEFAULT_SENDER": "",
    "MAIL_SENDER_NAME": "社区协作台",
    "SMS_SENDER": "coordinator.notifications.senders:LogSmsSender",
}
ENVIRONMENT = (
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "SMS_SENDER",
    "NOTIFY_KICK",
    "NOTIFY_POLL_SECONDS",
)


def init_app(app):
    import os

    for key in ENVIRONMENT:
        if key in os.environ and key not in app.config:
            value = os.environ[key]
            if key.startswith("MAIL_USE"):
                value = value in ("1", "true", "yes")
            elif key == "NOTIFY_POLL_SECONDS":
                value = float(value)
            app.config[key] = value
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    # How a request that committed messages starts their delivery: RQ with Redis, a thread
    # without; tests deliver explicitly unless they ask for a kick.
    default_kick = "rq" if app.config.get("REDIS_URL") else "off" if app.testing else "thread"
    app.config.setdefault("NOTIFY_KICK", default_kick)

    from coordinator.notifications import kick

    app.after_request(kick.after_request)


from coordinator.notifications import models  # noqa: E402,F401
