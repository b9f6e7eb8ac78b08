"""Plans (计划): preventive and recurring work on an RFC 5545 schedule, or before a weather
warning; `flask plans run` makes each occurrence's work exactly once."""

from coordinator.plans import models  # noqa: E402,F401  (tables known to migrations)
