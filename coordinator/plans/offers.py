"""What plans offer to the shared pages: a place in the office's navigation."""

from coordinator import access, plugins
from coordinator.i18n import lazy_gettext as _l


def register(app) -> None:
    # Off the bottom bar (its five places are taken); on the home page's list of places.
    plugins.offer_nav(app, "plans.index", _l("Plans"), "↻", access.OFFICE, in_bar=False, order=47)
    plugins.offer_periodic(app, "plans", _run_due, app.config["PLANS_EVERY_SECONDS"])


def _run_due() -> str:
    from coordinator.plans import services

    report = services.run_due()
    return (
        f"{report.created} created, {report.empty} empty, {report.missed} missed, "
        f"{report.failed} failed"
    )
