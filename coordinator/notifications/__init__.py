"""The outbox: every message is written in the same transaction as the change that causes it,
then delivered by a background worker (RQ on Redis when REDIS_URL is set, in-process otherwise).

    from coordinator.notifications.services import queue
    queue("case_dispatched", phone, text, channel="sms", about=("case", case.id))
    queue("event_reminder", phone, text, send_at=starts_at - timedelta(hours=2))

blueprint.py is the URL map (the outbox page) and the `flask notifications` commands;
queries.py reads the outbox page; services.py writes and delivers messages.
"""


def init_app(app):
    # Settings and their defaults are in coordinator/config.py (NOTIFY_*, MAIL_*, SMS_SENDER).
    # How a request that committed messages starts their delivery, unless set: RQ with Redis,
    # a thread without; tests deliver explicitly unless they ask for a kick.
    if not app.config.get("NOTIFY_KICK"):
        app.config["NOTIFY_KICK"] = (
            "rq" if app.config.get("REDIS_URL") else "off" if app.testing else "thread"
        )

    from coordinator.notifications import kick

    app.after_request(kick.after_request)


from coordinator.notifications import models  # noqa: E402,F401
