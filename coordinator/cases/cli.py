"""`flask cases refresh-records`: every team's matching figures worked out again (nightly)."""

import click
from flask.cli import with_appcontext

from coordinator.cases import records
from coordinator.work import unit_of_work


@click.command("refresh-records")
@with_appcontext
def refresh_records_command():
    """Each team's jobs in hand and its record over the last year, from the cases themselves.

    The app keeps them after every change; run this nightly so that cases and call-backs older
    than a year leave the record of a team that had no change since, and after loading cases
    in bulk without the app."""
    with unit_of_work() as session:
        records.refresh(session.connection())
    print("team records refreshed")
