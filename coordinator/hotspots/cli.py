"""`flask hotspots rebuild`: the hot spots' figures worked out again from the cases."""

import time

import click
from flask.cli import with_appcontext

from coordinator.hotspots import services


@click.command("rebuild")
@with_appcontext
def rebuild_command():
    """Count rows and repeat spots from every case (after a bulk load without the app)."""
    began = time.perf_counter()
    rows, spots = services.rebuild()
    click.echo(
        f"hot spots rebuilt: {rows} count rows, {spots} repeat spots "
        f"in {time.perf_counter() - began:.1f} s"
    )
