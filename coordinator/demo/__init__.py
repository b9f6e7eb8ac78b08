"""`flask demo load`: the story of DOMAIN.md as data, loaded idempotently."""

from importlib import import_module
from importlib.util import find_spec

import click
from flask import Blueprint

from coordinator.extensions import db

bp = Blueprint("demo", __name__, cli_group="demo")

# Each domain tells its own part of the story; later parts build on earlier ones.
CHAPTERS = [
    "coordinator.demo.story",
    "coordinator.cases.demo",
    "coordinator.cases.history",
    "coordinator.hotspots.demo",
    "coordinator.events.demo",
    "coordinator.bikes.demo",
    "coordinator.campaigns.demo",
    "coordinator.plans.demo",
    "coordinator.warnings.demo",
    "coordinator.patrols.demo",
    "coordinator.dashboard.demo",
]


@bp.cli.command("load")
def load_command():
    """Load the demo story (running it again changes nothing)."""
    for name in CHAPTERS:
        if find_spec(name.rsplit(".", 1)[0]) is None or find_spec(name) is None:
            continue
        import_module(name).load()
        db.session.commit()
    click.echo("Demo story loaded.")


@bp.cli.command("logins")
def logins_command():
    """Print the demo sign-ins, one per role."""
    from coordinator.demo.story import DEMO_PASSWORD, LOGINS

    click.echo(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
    for role, name, phone in LOGINS:
        click.echo(f"  {role:<10} {phone}  {name}")
