"""The places' URL map: the subdistrict's map, a community, a compound, and their forms."""

from flask import Blueprint

from coordinator.places import routes

bp = Blueprint("places", __name__, url_prefix="/places")

bp.add_url_rule("/", view_func=routes.index)
bp.add_url_rule("/communities/<int:community_id>", view_func=routes.community)
bp.add_url_rule("/compounds/<int:compound_id>", view_func=routes.compound)
bp.add_url_rule("/compound-options", view_func=routes.compound_options)
bp.add_url_rule("/communities/new", view_func=routes.edit_community, methods=["GET", "POST"])
bp.add_url_rule(
    "/communities/<int:community_id>/edit",
    view_func=routes.edit_community,
    methods=["GET", "POST"],
)
bp.add_url_rule("/compounds/new", view_func=routes.edit_compound, methods=["GET", "POST"])
bp.add_url_rule(
    "/compounds/<int:compound_id>/edit", view_func=routes.edit_compound, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/compounds/<int:compound_id>/buildings", view_func=routes.add_building, methods=["POST"]
)
bp.add_url_rule(
    "/communities/<int:community_id>/grids", view_func=routes.add_grid, methods=["POST"]
)
bp.add_url_rule(
    "/grids/<int:grid_id>/compounds", view_func=routes.set_grid_compounds, methods=["POST"]
)
