"""The outbox: every message is written in the same transaction as the change that causes it,
then delivered by a background worker (RQ on Redis when REDIS_URL is set, in-process otherwise).
"""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from coordinator.notifications import models  # noqa: E402,F401  (tables known to migrations)
