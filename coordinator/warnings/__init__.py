"""Weather warnings (气象预警): recorded as issued (or pasted), they run the plans bound to
their kind at once, and give residents' WeChat groups a text."""

from coordinator.warnings import models  # noqa: E402,F401  (tables known to migrations)


def init_app(app) -> None:
    # The case and job pages mark warning work with the warning's badge.
    from coordinator.warnings.words import case_badge

    app.jinja_env.globals["warning_badge"] = case_badge
