"""The hot spots' URL map: one page (its compound rows open in place)."""

from flask import Blueprint

from coordinator.hotspots import cli, routes

bp = Blueprint("hotspots", __name__, cli_group="hotspots")
bp.cli.add_command(cli.rebuild_command)

bp.add_url_rule("/hotspots", view_func=routes.index)
