"""`flask plans run [--now ISO] [--dry-run]`: make the work of every due plan occurrence (cron,
a systemd timer, or the delivery worker's periodic job: notifications/cli.py)."""

import time
from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from coordinator.i18n import to_local, to_utc
from coordinator.plans import services


def _moment(text: str | None) -> datetime | None:
    """--now as ISO 8601: with an offset it is that moment, without one Beijing time."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter("an ISO 8601 time, e.g. 2026-12-01T09:00+08:00") from None
    if moment.tzinfo is None:
        return to_utc(moment)
    return moment.astimezone(UTC).replace(tzinfo=None)


@click.command("run")
@with_appcontext
@click.option("--now", "now_text", default=None, help="Run as at this time (ISO 8601).")
@click.option("--dry-run", is_flag=True, help="Say what is due; make nothing.")
def run_command(now_text, dry_run):
    """Make the work that is due for every active scheduled plan, once per occurrence."""
    began = time.perf_counter()
    report = services.run_due(_moment(now_text), dry_run=dry_run)
    if dry_run:
        for plan_id, title, occurrence, what in report.due:
            click.echo(f"plan {plan_id} {title}: {to_local(occurrence):%Y-%m-%d %H:%M} {what}")
        click.echo(f"{len(report.due)} occurrences due over {report.plans} plans (dry run).")
        return
    click.echo(
        f"plans: {report.created} created, {report.empty} empty, {report.missed} missed, "
        f"{report.failed} failed, {report.skipped} taken by another run; {report.plans} plans "
        f"in {time.perf_counter() - began:.2f} s"
    )
