"""`flask dashboard freeze` and `flask dashboard rebuild [--months 12]`."""

import click
from flask.cli import AppGroup

from coordinator import months
from coordinator.dashboard import services
from coordinator.work import unit_of_work

group = AppGroup("dashboard", help="The dashboard's monthly figures.")


@group.command("freeze")
def freeze_command():
    """Freeze every ended month not frozen yet (the app also does it by itself, lazily)."""
    with unit_of_work() as session:
        done = services.ensure_frozen(services.clock(), session.connection())
    click.echo("frozen: " + (", ".join(months.label(m) for m in done) or "nothing to freeze"))


@group.command("rebuild")
@click.option("--months", "count", default=12, show_default=True, type=click.IntRange(1, 120))
def rebuild_command(count):
    """Work the last N months out again from the cases (ended months are frozen anew)."""
    with unit_of_work() as session:
        window = services.rebuild(session.connection(), count)
    click.echo(f"rebuilt {months.label(window[0])} … {months.label(window[-1])}")
