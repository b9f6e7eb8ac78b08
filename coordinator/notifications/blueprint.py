"""The outbox's URL map (admins' page of messages, retry) and its `flask notifications`
commands."""

from flask import Blueprint

from coordinator.notifications import cli, routes

bp = Blueprint("notifications", __name__, cli_group="notifications")

bp.add_url_rule("/outbox", view_func=routes.outbox)
bp.add_url_rule("/outbox/<int:message_id>/retry", view_func=routes.retry, methods=["POST"])

bp.cli.add_command(cli.deliver_command)
bp.cli.add_command(cli.worker_command)
