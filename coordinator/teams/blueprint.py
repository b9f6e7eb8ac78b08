"""The teams' URL map: the list and its search, a team's page and form, its members."""

from flask import Blueprint

from coordinator.teams import routes

bp = Blueprint("teams", __name__, url_prefix="/teams")

bp.add_url_rule("/", view_func=routes.index)
bp.add_url_rule("/new", view_func=routes.new, methods=["GET", "POST"])
bp.add_url_rule("/validate", view_func=routes.validate, methods=["POST"])
bp.add_url_rule("/<int:team_id>", view_func=routes.detail)
bp.add_url_rule("/<int:team_id>/edit", view_func=routes.edit, methods=["GET", "POST"])
bp.add_url_rule("/<int:team_id>/members", view_func=routes.add_member, methods=["POST"])
bp.add_url_rule(
    "/<int:team_id>/members/<int:member_id>/remove",
    view_func=routes.remove_member,
    methods=["POST"],
)
