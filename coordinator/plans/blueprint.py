"""The plans' URL map: the list, a plan's page, its form, pause and resume; `flask plans run`."""

from flask import Blueprint

from coordinator.plans import cli, routes

bp = Blueprint("plans", __name__, cli_group="plans")
bp.cli.add_command(cli.run_command)

bp.add_url_rule("/plans", view_func=routes.index)
bp.add_url_rule("/plans/new", view_func=routes.new, methods=["GET", "POST"])
bp.add_url_rule("/plans/<int:plan_id>", view_func=routes.detail)
bp.add_url_rule("/plans/<int:plan_id>/edit", view_func=routes.edit, methods=["GET", "POST"])
bp.add_url_rule("/plans/<int:plan_id>/pause", view_func=routes.pause, methods=["POST"])
bp.add_url_rule("/plans/<int:plan_id>/resume", view_func=routes.resume, methods=["POST"])
