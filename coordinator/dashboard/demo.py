"""The dashboard's chapter of the demo story: the last 12 months worked out from the cases
the earlier chapters wrote (some around the services, with their own clock)."""

from coordinator.dashboard import services
from coordinator.extensions import db


def load() -> None:
    services.rebuild(db.session.connection(), 12)
