"""Weather warnings (气象预警): recorded as issued (or pasted), they run the plans bound to
their kind at once, and give residents' WeChat groups a text."""

from coordinator.warnings import models  # noqa: E402,F401  (tables known to migrations)
